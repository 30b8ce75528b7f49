#!/bin/sh
# multinode-teardown.sh removes what multinode-setup.sh created, as
# recorded in $CHAOSRUN_MULTINODE_STATE: the daemons (by their pidfiles),
# their data, the namespaces, the bridge and the FORWARD rule.
set -u
state=${CHAOSRUN_MULTINODE_STATE:-/tmp/chaosrun-multinode-state}
say() { echo "multinode-teardown: $*"; }
[ -f "$state" ] || exit 0
here=$(cd "$(dirname "$0")" && pwd)
for i in 2 1; do
	grep -qx "dockerd crt$i" "$state" || continue
	say "stopping dockerd crt$i"
	"$here/multinode-daemon.sh" stop "$i"
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
