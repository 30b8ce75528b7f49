#!/bin/sh
# test-tools-setup.sh installs, from Debian's packages, what the tests
# drive besides Docker, unless it is there:
#   - chromium, for the browser tests of the --html pages (cmd/chaosrun
#     TestTimelineInABrowser, TestExploreReportInABrowser; docs/timeline.md);
#   - python3-docker (docker-py), for the harness step run against sim
#     serve and a real swarm (cmd/chaosrun TestDockerPyMatchesARealSwarm;
#     docs/serve.md).
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
/usr/bin/python3 -c "import docker" >/dev/null 2>&1 || missing="$missing python3-docker"
if [ -z "$missing" ]; then
	echo "test-tools-setup: chromium and python3-docker already installed"
	exit 0
fi
echo "test-tools-setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the package names are words
apt-get install -y -qq $missing >/dev/null
echo "test-tools-setup: $(chromium --version 2>/dev/null), docker-py $(/usr/bin/python3 -c 'import docker; print(docker.__version__)')"
