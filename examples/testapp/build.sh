#!/bin/sh
# build.sh builds the chaosrun test app image (default chaosrun-testapp:dev)
# from a static Go binary, FROM scratch, so no registry is needed.
#
#   examples/testapp/build.sh [image]
set -eu
image=${1:-chaosrun-testapp:dev}
here=$(cd "$(dirname "$0")" && pwd)
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
(cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$ctx/testapp" .)
cp "$here/Dockerfile" "$ctx/Dockerfile"
# The classic builder needs no buildx plugin and works with old daemons.
DOCKER_BUILDKIT=0 docker build --quiet -t "$image" "$ctx" >/dev/null 2>"$ctx/build.err" || {
	cat "$ctx/build.err" >&2
	exit 1
}
echo "built $image"
