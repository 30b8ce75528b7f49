"""A docker-py harness step, run against sim serve and against a real
swarm by cmd/chaosrun TestDockerPyMatchesARealSwarm; it prints what it saw,
without IDs or times, so the two runs can be compared line by line."""
import os
import sys
import time

import docker
from docker.types import EndpointSpec, Healthcheck, ServiceMode, UpdateConfig

name = sys.argv[1]
client = docker.from_env(timeout=60)
print("ping", client.ping())
info = client.info()
print("swarm", info["Swarm"]["LocalNodeState"], info["Swarm"]["ControlAvailable"])
print("api at least 1.41", tuple(int(x) for x in client.version()["ApiVersion"].split(".")) >= (1, 41))


def wait_state(service, states, limit=60):
    """Polls the service until its update state is one of states."""
    for _ in range(limit * 4):
        service.reload()
        st = service.attrs.get("UpdateStatus", {}).get("State")
        if st in states:
            return st
        time.sleep(0.25)
    return "timed out in %s" % service.attrs.get("UpdateStatus")


def running(service, want, limit=60):
    """Polls until want tasks of the service run; returns how many do."""
    n = 0
    for _ in range(limit * 4):
        n = len([t for t in service.tasks(filters={"desired-state": "running"}) if t["Status"]["State"] == "running"])
        if n == want:
            break
        time.sleep(0.25)
    return n


health = Healthcheck(test=["CMD", "/testapp", "-health"], interval=1_000_000_000, timeout=1_000_000_000, retries=2)
svc = client.services.create(
    "chaosrun-testapp:dev", name=name, env=["VERSION=1"], healthcheck=health, mode=ServiceMode("replicated", replicas=2),
    update_config=UpdateConfig(parallelism=1, order="start-first", failure_action="rollback", monitor=3_000_000_000),
    endpoint_spec=EndpointSpec(mode="vip"), labels={"compare.name": name})
print("created; running", running(svc, 2))
print("listed by label", [s.name for s in client.services.list(filters={"label": "compare.name=" + name})])
svc.reload()
svc.update(env=["VERSION=2"])
print("update", wait_state(svc, ["completed", "paused", "rollback_completed"]))
svc.reload()
print("env", svc.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"])
svc.update(env=["VERSION=3", "FAIL_HEALTH=1"], labels={"compare.name": name, "chaosrun.unhealthy": "true"})
print("unhealthy update", wait_state(svc, ["completed", "paused", "rollback_completed", "rollback_paused"]))
svc.reload()
print("env after", svc.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"])
failed = [t for t in svc.tasks() if t["Status"]["State"] == "failed"]
print("a task failed", len(failed) > 0)
print("running", running(svc, 2))
try:
    client.services.get("no-such-service-" + name)
except docker.errors.NotFound:
    print("missing service: not found")
svc.remove()
print("removed", [s.name for s in client.services.list(filters={"name": name})])
