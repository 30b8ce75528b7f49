#!/bin/sh
# multinode-teardown.sh removes what multinode-setup.sh created, as
# recorded in $CHAOSRUN_MULTINODE_STATE: the daemons (by their pidfiles),
# their data, the namespaces, the bridge and the FORWARD rule.
set -u
state=${CHAOSRUN_MULTINODE_STATE:-/tmp/chaosrun-multinode-state}
say() { echo "multinode-teardown: $*"; }
[ -f "$state" ] || exit 0
for i in 2 1; do
	grep -qx "dockerd crt$i" "$state" || continue
	pidfile=/run/docker-crt$i.pid
	[ -f "$pidfile" ] || continue
	pid=$(cat "$pidfile")
	say "stopping dockerd crt$i (pid $pid)"
	kill "$pid" 2>/dev/null
	n=0
	while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 30 ]; do
		n=$((n + 1))
		sleep 1
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	rm -rf "/var/lib/docker-crt$i" "/run/docker-crt$i"
done
for i in 1 2; do
	if grep -qx "netns crt$i" "$state"; then
		ip link del "veth-crt$i" 2>/dev/null
		ip netns del "crt$i" 2>/dev/null
	fi
done
if grep -qx "forward br-crt" "$state"; then
	iptables -D FORWARD -i br-crt -o br-crt -j ACCEPT 2>/dev/null
fi
if grep -qx "bridge br-crt" "$state"; then
	ip link del br-crt 2>/dev/null
fi
say "removed the two-node swarm"
rm -f "$state"
