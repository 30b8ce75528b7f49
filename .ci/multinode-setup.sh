#!/bin/sh
# multinode-setup.sh starts a second swarm, of two nodes, on this machine
# for the multi-node tests (runner TestMultiNode): two more Docker daemons,
# each in a network namespace of its own on a bridge this script creates,
# the first a manager, the second a worker joined to it. Node labels:
# zone=a on the manager, zone=b on the worker. Both get the test app image.
#
# Its manager's socket is unix:///run/docker-crt1.sock (CHAOSRUN_MULTINODE
# for the tests). Everything it creates is recorded in $CHAOSRUN_MULTINODE_STATE
# (default /tmp/chaosrun-multinode-state) for .ci/multinode-teardown.sh,
# which removes it by name and pid. Needs root, ip, iptables and nsenter.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
state=${CHAOSRUN_MULTINODE_STATE:-/tmp/chaosrun-multinode-state}
say() { echo "multinode-setup: $*"; }
sock() { echo "unix:///run/docker-crt$1.sock"; }
dk() { n=$1; shift; DOCKER_HOST=$(sock "$n") docker "$@"; }

for tool in ip iptables nsenter; do
	command -v "$tool" >/dev/null 2>&1 || { say "needs $tool" >&2; exit 1; }
done

if ! ip link show br-crt >/dev/null 2>&1; then
	ip link add br-crt type bridge
	echo "bridge br-crt" >>"$state"
	ip addr add 10.231.0.1/24 dev br-crt
	ip link set br-crt up
fi
# dockerd sets the FORWARD policy to DROP: let the nodes reach each other.
if ! iptables -C FORWARD -i br-crt -o br-crt -j ACCEPT 2>/dev/null; then
	iptables -I FORWARD -i br-crt -o br-crt -j ACCEPT
	echo "forward br-crt" >>"$state"
fi

for i in 1 2; do
	if ! ip netns list | grep -qw "crt$i"; then
		ip netns add "crt$i"
		echo "netns crt$i" >>"$state"
		ip link add "veth-crt$i" type veth peer name eth0 netns "crt$i"
		ip link set "veth-crt$i" master br-crt up
		ip -n "crt$i" addr add "10.231.0.1$i/24" dev eth0
		ip -n "crt$i" link set eth0 up
		ip -n "crt$i" link set lo up
		ip -n "crt$i" route add default via 10.231.0.1
	fi
	if ! dk "$i" info >/dev/null 2>&1; then
		"$root/.ci/multinode-daemon.sh" start "$i"
		echo "dockerd crt$i" >>"$state"
	fi
done

if [ "$(dk 1 info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
	say "initialising the two-node swarm"
	dk 1 swarm init --advertise-addr 10.231.0.11 >/dev/null
fi
if [ "$(dk 2 info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
	dk 2 swarm join --token "$(dk 1 swarm join-token -q worker)" 10.231.0.11:2377 >/dev/null
fi
# Both daemons report the host's hostname; the tests tell the nodes apart
# by these labels.
dk 1 node update --label-add zone=a "$(dk 1 info --format '{{.Swarm.NodeID}}')" >/dev/null
dk 1 node update --label-add zone=b "$(dk 2 info --format '{{.Swarm.NodeID}}')" >/dev/null

# No registry: each daemon builds the image itself.
for i in 1 2; do
	DOCKER_HOST=$(sock "$i") "$root/examples/testapp/build.sh" chaosrun-testapp:dev >/dev/null
done
say "two nodes ready: manager $(sock 1) (zone=a), worker $(sock 2) (zone=b)"
