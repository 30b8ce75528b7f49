#!/bin/sh
# multinode-daemon.sh start|stop N starts or stops the dockerd of node N
# (1 or 2) of the two-node swarm of multinode-setup.sh, in its network
# namespace crtN. runner and engine/docker tests stop and start node 2 to
# see what swarm does with a node that goes down and comes back.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 start|stop N" >&2; exit 2; }
i=$2
sock=unix:///run/docker-crt$i.sock
pidfile=/run/docker-crt$i.pid
case $1 in
start)
	DOCKER_HOST=$sock docker info >/dev/null 2>&1 && exit 0 # already up
	mkdir -p "/var/lib/docker-crt$i" "/run/docker-crt$i"
	# nsenter --net enters only the network namespace; `ip netns exec`
	# would remount /sys and dockerd would find no devices cgroup.
	nsenter --net="/run/netns/crt$i" setsid dockerd --data-root "/var/lib/docker-crt$i" \
		--exec-root "/run/docker-crt$i" --pidfile "$pidfile" \
		-H "$sock" >>"/tmp/dockerd-crt$i.log" 2>&1 &
	n=0
	until DOCKER_HOST=$sock docker info >/dev/null 2>&1; do
		n=$((n + 1))
		if [ "$n" -ge 60 ]; then
			echo "multinode-daemon: dockerd crt$i did not come up; last lines of /tmp/dockerd-crt$i.log:" >&2
			tail -n 20 "/tmp/dockerd-crt$i.log" >&2 || true
			exit 1
		fi
		sleep 1
	done
	;;
stop)
	[ -f "$pidfile" ] || exit 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || exit 0
	n=0
	while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 30 ]; do
		n=$((n + 1))
		sleep 1
	done
	if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
	;;
*)
	echo "usage: $0 start|stop N" >&2
	exit 2
	;;
esac
