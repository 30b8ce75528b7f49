#!/bin/sh
# chromium-setup.sh installs Debian's headless-capable Chromium for the
# browser tests of the --html pages (cmd/chaosrun TestTimelineInABrowser,
# TestExploreReportInABrowser; docs/timeline.md), unless it is there.
set -eu
if command -v chromium >/dev/null 2>&1; then
	echo "chromium-setup: $(chromium --version 2>/dev/null || echo chromium) already installed"
	exit 0
fi
echo "chromium-setup: installing chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "chromium-setup: $(chromium --version 2>/dev/null)"
