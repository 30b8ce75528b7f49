#!/bin/sh
# docker-setup.sh makes this machine a single-node Docker Swarm with the
# chaosrun test app image, for the real-engine tests (engine/docker). It is
# idempotent: each step is skipped when already done.
#
#   1. install docker.io with apt-get when dockerd is missing;
#   2. start dockerd (log: /tmp/dockerd.log) unless the socket answers,
#      waiting up to 60 s;
#   3. `docker swarm init --advertise-addr 127.0.0.1` unless already a manager;
#   4. build chaosrun-testapp:dev (examples/testapp/build.sh).
#
# What it started (dockerd, the swarm) is written to $CHAOSRUN_CI_STATE
# (default /tmp/chaosrun-ci-state) for .ci/docker-teardown.sh.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

say() { echo "docker-setup: $*"; }
state=${CHAOSRUN_CI_STATE:-/tmp/chaosrun-ci-state}

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
	say "installing docker.io"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq docker.io >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
	say "starting dockerd (log /tmp/dockerd.log)"
	nohup dockerd >/tmp/dockerd.log 2>&1 &
	pid=$!
	echo "dockerd $pid" >>"$state"
	i=0
	until docker info >/dev/null 2>&1; do
		i=$((i + 1))
		if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 60 ]; then
			say "dockerd did not come up (see /tmp/dockerd.log); last lines:" >&2
			tail -n 20 /tmp/dockerd.log >&2 || true
			exit 1
		fi
		sleep 1
	done
fi
say "daemon $(docker version --format '{{.Server.Version}}')"

if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != "true" ]; then
	say "initialising a single-node swarm"
	docker swarm init --advertise-addr 127.0.0.1 >/dev/null
	echo "swarm" >>"$state"
fi

"$root/examples/testapp/build.sh" chaosrun-testapp:dev

# A Co-op Cloud server has the "proxy" overlay network, which nearly every
# recipe joins as external; scenarios/refusals.star deploys onto it
# (docs/refusals.md).
if ! docker network inspect proxy >/dev/null 2>&1; then
	say "creating the proxy overlay network"
	docker network create --driver overlay --attachable proxy >/dev/null
fi
