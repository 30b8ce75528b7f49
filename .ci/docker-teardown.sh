#!/bin/sh
# docker-teardown.sh undoes what docker-setup.sh started, as recorded in
# $CHAOSRUN_CI_STATE: it leaves the swarm it initialised and stops the
# dockerd it started. What was already running is left alone.
set -u
state=${CHAOSRUN_CI_STATE:-/tmp/chaosrun-ci-state}
say() { echo "docker-teardown: $*"; }
[ -f "$state" ] || exit 0
if grep -qx swarm "$state"; then
	say "leaving the swarm docker-setup initialised"
	docker swarm leave --force >/dev/null 2>&1 || say "docker swarm leave failed"
fi
pid=$(awk '$1 == "dockerd" {print $2}' "$state" | tail -n 1)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
	say "stopping the dockerd docker-setup started (pid $pid)"
	kill "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 30 ]; do
		i=$((i + 1))
		sleep 1
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
fi
rm -f "$state"
