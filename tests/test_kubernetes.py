"""Kubernetes manifests: valid, hardened as documented, and run for real (factors III, V-IX).

Three layers, for `deploy/kubernetes/` of every generated project:

- Schema: each manifest validates offline, in strict mode (no unknown field), against the
  schemas kubernetes-validate ships for the newest Kubernetes it knows.
- Policy: the rules docs/kubernetes.md states, read from the manifests and checked against
  the project's own Procfile, gunicorn.conf.py, worker.py, Dockerfile and .env.example.
- Run: Debian's `podman kube play` (4.3.1) runs the release Job's pod, then the web and
  worker Deployments, from the image the container tests build, against the host's
  PostgreSQL and Redis. It honours the image, command, env, envFrom a ConfigMap, emptyDir
  (as a disk volume), runAsUser/runAsGroup, readOnlyRootFilesystem, dropped capabilities,
  allowPrivilegeEscalation, limits and hostPort. What it does not honour is checked by the
  first two layers only: probes (they become healthchecks that need systemd), preStop, the
  grace period, `medium: Memory`, fsGroup and the Secret volume's mode, seccomp by name
  (podman applies its default profile anyway), the service-account token, and the Job,
  Service, Ingress, HPA, PDB and NetworkPolicy kinds (skipped beside a pod kind, refused
  alone): the Job's pod template is played as a Pod. A pod `secret` volume makes it panic,
  so the run mounts a host folder holding the same files in its place; and its `kube down`
  kills with SIGKILL (no stop timeout), so the run stops the containers first, as the
  kubelet does, and `kube down` removes the pods.
"""

import ast
import contextlib
import itertools
import json
import os
import re
import shlex
import shutil
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from conftest import (
    DEFAULT_PYTHON,
    FRAMEWORKS,
    SECRET_KEY,
    SLUG,
    bake,
    free_port,
    need,
    procfile,
)
from images import Podman, ensure_base_image, missing_tools
from services import fresh_redis_url, postgres_database, postgres_url

DEPLOY = Path("deploy") / "kubernetes"
NAME = SLUG.replace("_", "-")
WORKER = ("worker", "no-worker")
COMBINATIONS = list(itertools.product(FRAMEWORKS, WORKER))
# Shipped beside the manifests but never applied: the Secret is made from real files.
NOT_APPLIED = {"kustomization.yaml", "secret.example.yaml"}
# Written by the web's containers besides /tmp: gunicorn's worker_tmp_dir.
TMP = "/tmp"  # noqa: S108

CACHE = Path(os.environ.get("TWELVE_CACHE", Path.home() / ".cache" / "twelve"))
# Inside a slirp4netns network, the host's loopback is this address.
HOST = "10.0.2.2"
NETWORK = "slirp4netns:allow_host_loopback=true"


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Each framework with and without the worker, rendered once."""
    return {
        (framework, worker): bake(
            tmp_path_factory.mktemp(f"kube-{framework}-{worker}"),
            framework=framework,
            worker="yes" if worker == "worker" else "no",
        )
        for framework, worker in COMBINATIONS
    }


def documents(project: Path) -> dict[str, list[dict]]:
    """Every YAML document under deploy/kubernetes, by file name."""
    return {
        path.name: list(yaml.safe_load_all(path.read_text()))
        for path in sorted((project / DEPLOY).glob("*.yaml"))
    }


def objects(project: Path) -> dict[tuple[str, str], dict]:
    """The applied objects, by (kind, name)."""
    return {
        (doc["kind"], doc["metadata"]["name"]): doc
        for name, docs in documents(project).items()
        if name not in NOT_APPLIED
        for doc in docs
    }


def workloads(project: Path) -> dict[str, dict]:
    """The pod templates of the Deployments and the Job, by component."""
    return {
        doc["metadata"]["labels"]["app.kubernetes.io/component"]: doc["spec"]["template"]
        for (kind, _), doc in objects(project).items()
        if kind in ("Deployment", "Job")
    }


def container(template: dict) -> dict:
    (only,) = template["spec"]["containers"]
    return only


def env(container: dict) -> dict[str, str]:
    return {item["name"]: item.get("value") for item in container.get("env", [])}


def secret_names(project: Path) -> tuple[str, ...]:
    """The settings config.py reads from a file too (its SECRETS)."""
    return ast.literal_eval(python_value(project / SLUG / "config.py", "SECRETS"))


def cores(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def python_value(path: Path, name: str) -> str:
    """The value assigned to a module-level name in a Python file, as written."""
    match = re.search(rf"^{name} = (.+?)(?:  #.*)?$", path.read_text(), flags=re.MULTILINE)
    assert match, f"{name} not in {path}"
    return match.group(1)


ids = "-".join


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_manifests_validate_against_the_kubernetes_schema(projects, combination, figures):
    """Every manifest, the example Secret too, is valid for current Kubernetes, strictly."""
    version = kubernetes_validate.latest_version()
    assert tuple(map(int, version.split("."))) >= (1, 37)
    checked = 0
    for name, docs in documents(projects[combination]).items():
        if name == "kustomization.yaml":
            continue
        for doc in docs:
            kubernetes_validate.validate(doc, version, strict=True)
            checked += 1
    figures["kubernetes schema version"] = version
    figures[f"kubernetes objects validated ({'-'.join(combination)})"] = checked


def test_strict_schema_refuses_an_unknown_field(projects):
    """The schema check would catch a misspelt field: strict mode is on."""
    deployment = objects(projects[("flask", "worker")])[("Deployment", f"{NAME}-web")]
    template = deployment["spec"]["template"]
    container(template)["readinessprobe"] = container(template).pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, kubernetes_validate.latest_version(), True)


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_kustomization_lists_every_manifest_but_the_secret(projects, combination):
    """`kubectl apply -k` takes every manifest, the worker's only with the option; one image."""
    project = projects[combination]
    (kustomization,) = documents(project)["kustomization.yaml"]
    files = {path.name for path in (project / DEPLOY).glob("*.yaml")}
    assert sorted(kustomization["resources"]) == sorted(files - NOT_APPLIED)
    assert ("worker-deployment.yaml" in files) == (combination[1] == "worker")
    (image,) = kustomization["images"]
    images = {container(template)["image"] for template in workloads(project).values()}
    assert images == {image["name"]}


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_commands_are_the_procfile_lines(projects, combination):
    """The Job runs the release line, the worker its line, the web the image's CMD: its line."""
    project = projects[combination]
    processes = {name: shlex.split(line) for name, line in procfile(project).items()}
    dockerfile = (project / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, flags=re.MULTILINE)
    images = {"web": json.loads(cmd.group(1))}
    commands = {
        name: container(template).get("command", images.get(name))
        for name, template in workloads(project).items()
    }
    assert commands == processes
    assert not [c for c in map(container, workloads(project).values()) if "args" in c]
    assert "command" not in container(workloads(project)["web"])


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_release_runs_once_per_deploy_as_a_job(projects, combination):
    """Migrations run in one Job that is never retried alone, not in each replica."""
    project = projects[combination]
    (job,) = [doc for (kind, _), doc in objects(project).items() if kind == "Job"]
    assert job["spec"]["backoffLimit"] == 0
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for component, template in workloads(project).items():
        assert "initContainers" not in template["spec"], component


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_web_probes_port_and_concurrency(projects, combination):
    """Startup and liveness on /healthz, readiness on /readyz, all on PORT; concurrency per CPU."""
    project = projects[combination]
    web = container(workloads(project)["web"])
    port = named_port(web, "http")
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        action = web[probe]["httpGet"]
        assert action["port"] in (port["containerPort"], port["name"]), probe
        paths[probe] = action["path"]
    assert paths == {
        "startupProbe": "/healthz",
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
    }
    variables = env(web)
    assert variables["PORT"] == str(port["containerPort"])
    requested = cores(web["resources"]["requests"]["cpu"])
    assert int(variables["WEB_CONCURRENCY"]) == 2 * requested
    assert "WEB_CONCURRENCY" in (project / "docs" / "kubernetes.md").read_text()


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_web_grace_period_outlasts_the_pause_and_gunicorn(projects, combination):
    """terminationGracePeriodSeconds > preStop pause + gunicorn's graceful_timeout."""
    project = projects[combination]
    template = workloads(project)["web"]
    graceful = int(python_value(project / "gunicorn.conf.py", "graceful_timeout"))
    pause = container(template)["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pause >= 3
    assert template["spec"]["terminationGracePeriodSeconds"] > pause + graceful


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_worker_grace_period_outlasts_a_job_and_has_no_http_probe(projects, framework):
    """The worker may finish a job at its time limit before the kill; no HTTP probe."""
    project = projects[(framework, "worker")]
    template = workloads(project)["worker"]
    limit_ms = python_value(project / SLUG / "worker.py", "TIME_LIMIT_MS")
    limit = int(limit_ms.replace("_", "")) / 1000
    assert template["spec"]["terminationGracePeriodSeconds"] > limit
    worker = container(template)
    assert not [key for key in worker if key.endswith("Probe")]
    text = (project / DEPLOY / "worker-deployment.yaml").read_text()
    assert "No probe." in text


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_pods_are_hardened(projects, combination):
    """Non-root as the image's uid, read-only root with emptyDirs where they write, no caps."""
    project = projects[combination]
    dockerfile = (project / "Dockerfile").read_text()
    uid = int(re.search(r"^USER (\d+)$", dockerfile, re.MULTILINE).group(1))
    assert re.search(r"^\s+PYTHONDONTWRITEBYTECODE=1", dockerfile, re.MULTILINE)
    heartbeat = python_value(project / "gunicorn.conf.py", "worker_tmp_dir").strip("\"'")
    for component, template in workloads(project).items():
        spec = template["spec"]
        assert spec["automountServiceAccountToken"] is False, component
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True
        assert pod["runAsUser"] == uid
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        main = container(template)
        assert main["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        resources = main["resources"]
        for kind in ("requests", "limits"):
            assert set(resources[kind]) == {"cpu", "memory"}, (component, kind)
        empty = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        writable = {m["mountPath"] for m in main["volumeMounts"] if m["name"] in empty}
        wanted = {TMP, heartbeat} if component == "web" else {TMP}
        assert wanted <= writable, component


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_secrets_are_mounted_files_never_env_values(projects, combination):
    """Each secret comes from the Secret as a file named by <NAME>_FILE; no plain value anywhere."""
    project = projects[combination]
    (example,) = documents(project)["secret.example.yaml"]
    keys = set(example["stringData"])
    secrets = secret_names(project)
    assert keys == {name.lower() for name in secrets}
    text = (project / DEPLOY / "secret.example.yaml").read_text()
    assert "NEVER TO APPLY" in text
    assert all("replace-me" in value for value in example["stringData"].values())
    # The service refuses the example key: it is too short to sign anything.
    assert len(example["stringData"]["secret_key"]) < 50
    for component, template in workloads(project).items():
        spec = template["spec"]
        main = container(template)
        secret_volumes = {
            v["name"]: v["secret"]
            for v in spec["volumes"]
            if v.get("secret", {}).get("secretName") == example["metadata"]["name"]
        }
        (mount,) = [m for m in main["volumeMounts"] if m["name"] in secret_volumes]
        assert mount["readOnly"] is True
        variables = env(main)
        for name in secrets:
            assert name not in variables, (component, name)
            path = Path(variables[f"{name}_FILE"])
            assert path.parent == Path(mount["mountPath"])
            assert path.name in keys
        assert all("secretRef" not in source for source in main.get("envFrom", []))
        assert all("valueFrom" not in item for item in main.get("env", []))


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_config_map_holds_every_other_setting(projects, combination):
    """The ConfigMap and the containers' own env set each non-secret variable of .env.example."""
    project = projects[combination]
    example = (project / ".env.example").read_text()
    names = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    secrets = secret_names(project)
    (config,) = [doc for (kind, _), doc in objects(project).items() if kind == "ConfigMap"]
    data = config["data"]
    assert not set(data) & {*secrets, *(f"{name}_FILE" for name in secrets)}
    assert set(data) <= names
    given = set(data)
    for template in workloads(project).values():
        main = container(template)
        assert {"configMapRef": {"name": config["metadata"]["name"]}} in main["envFrom"]
        given |= set(env(main))
    assert names - set(secrets) <= given
    assert data["DEBUG"] == "false"


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_web_scales_and_stays_available(projects, combination):
    """An autoscaling/v2 HPA owns the web's replicas; a PDB and a Service select its pods."""
    project = projects[combination]
    found = objects(project)
    deployment = found[("Deployment", f"{NAME}-web")]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    assert "replicas" not in deployment["spec"]
    hpa = found[("HorizontalPodAutoscaler", f"{NAME}-web")]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": f"{NAME}-web",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    pdb = found[("PodDisruptionBudget", f"{NAME}-web")]
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"] == labels
    assert pdb["spec"]["maxUnavailable"] < hpa["spec"]["minReplicas"]
    service = found[("Service", f"{NAME}-web")]
    assert service["spec"]["selector"] == labels
    (port,) = service["spec"]["ports"]
    assert port["targetPort"] == container(deployment["spec"]["template"])["ports"][0]["name"]


def named_port(spec: dict, name: str) -> dict:
    (port,) = [port for port in spec["ports"] if port["name"] == name]
    return port


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_metrics_ports_are_scraped_and_reachable_from_monitoring_only(projects, combination):
    """Each workload's `metrics` port is METRICS_PORT (+1 for the worker), named in its
    scrape annotations; only the monitoring namespace may reach it."""
    project = projects[combination]
    found = objects(project)
    (config,) = [doc for (kind, _), doc in found.items() if kind == "ConfigMap"]
    metrics_port = int(config["data"]["METRICS_PORT"])
    offsets = {"web": 0, "worker": 1}
    for component, template in workloads(project).items():
        if component not in offsets:
            continue
        port = named_port(container(template), "metrics")
        assert port["containerPort"] == metrics_port + offsets[component], component
        assert template["metadata"]["annotations"] == {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": str(port["containerPort"]),
            "prometheus.io/path": "/metrics",
        }, component
    (policy,) = [
        doc for (kind, name), doc in found.items() if kind == "NetworkPolicy" and "metrics" in name
    ]
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": NAME}
    (rule,) = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": "metrics", "protocol": "TCP"}]
    assert rule["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]
    service = next(doc for (kind, _), doc in found.items() if kind == "Service")
    assert [port["name"] for port in service["spec"]["ports"]] == ["http"]


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_network_policy_admits_only_the_web_port(projects, combination):
    """Ingress to every pod of the service is denied but to the web container's port
    (and, from the monitoring namespace only, to the metrics ports: the test above)."""
    project = projects[combination]
    found = objects(project)
    web = found[("Deployment", f"{NAME}-web")]["spec"]["template"]
    port = named_port(container(web), "http")
    policies = [doc for (kind, _), doc in found.items() if kind == "NetworkPolicy"]
    selected = {
        json.dumps(policy["spec"]["podSelector"]["matchLabels"], sort_keys=True): policy
        for policy in policies
        if not policy["metadata"]["name"].endswith("-metrics")
    }
    everything = selected[json.dumps({"app.kubernetes.io/name": NAME})]
    assert everything["spec"]["policyTypes"] == ["Ingress"]
    assert not everything["spec"].get("ingress")
    rules = [
        (policy["spec"]["podSelector"]["matchLabels"], rule)
        for policy in policies
        for rule in policy["spec"].get("ingress", [])
        if rule["ports"] != [{"port": "metrics", "protocol": "TCP"}]
    ]
    assert rules
    for pods, rule in rules:
        assert pods == web["metadata"]["labels"]
        assert rule["ports"] == [{"port": port["name"], "protocol": "TCP"}]
    for template in workloads(project).values():
        assert template["metadata"]["labels"]["app.kubernetes.io/name"] == NAME


@pytest.mark.parametrize("combination", COMBINATIONS, ids=ids)
def test_docs_tell_the_deploy_order_and_every_manifest(projects, combination):
    """docs/kubernetes.md names each manifest and the Job-first order; the factor map links it."""
    project = projects[combination]
    doc = (project / "docs" / "kubernetes.md").read_text()
    for name in documents(project):
        assert name in doc, name
    assert "kubectl wait --for=condition=complete" in doc
    order = [
        doc.index(step) for step in ("docker build", "docker push", "create secret", "kubectl wait")
    ]
    assert order == sorted(order)
    assert "(kubernetes.md)" in (project / "docs" / "twelve-factor.md").read_text()


# --- the real run ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def kube_podman() -> Podman:
    missing = missing_tools() + [t for t in ("catatonit", "slirp4netns") if not shutil.which(t)]
    need(not missing, f"container tools missing: {', '.join(missing)}")
    return Podman(CACHE / "containers")


@pytest.fixture(scope="module")
def kube_image(kube_podman, framework, baked, figures) -> str:
    """The image the container tests build (same tag, same context), built or cached."""
    ensure_base_image(kube_podman, DEFAULT_PYTHON)
    tag = f"localhost/twelve-{framework}:test"
    started = time.monotonic()
    kube_podman.build(baked[framework], tag)
    figures[f"{framework} kube image build (s)"] = round(time.monotonic() - started, 1)
    return tag


def playable(template: dict, image: str, secrets: Path, suffix: str) -> dict:
    """A pod template as podman 4.3.1 can play it: the test's image and a host folder
    holding the Secret's files in place of the `secret` volume (which makes it panic);
    emptyDir volumes renamed, since podman makes them named volumes shared by name."""
    template = json.loads(json.dumps(template))
    spec = template["spec"]
    for volume in spec["volumes"]:
        if volume.pop("secret", None) is not None:
            volume["hostPath"] = {"path": str(secrets), "type": "Directory"}
        volume["name"] += f"-{suffix}"
    for main in spec["containers"]:
        main["image"] = image
        for mount in main["volumeMounts"]:
            mount["name"] += f"-{suffix}"
    return template


def http(port: int, method: str, path: str, headers: dict | None = None) -> tuple[int, dict]:
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body) if body.startswith(b"{") else {}
    finally:
        connection.close()


@pytest.mark.container
def test_kube_play_runs_release_web_and_worker(
    kube_podman, kube_image, baked, framework, tmp_path, figures
):
    """Release pod exits 0, /readyz is 200 on the published port, the worker does a job
    posted to the web, and every process exits 0 when stopped; `kube down` removes all."""
    podman = kube_podman
    project = baked[framework]
    found = objects(project)
    parts = workloads(project)
    (config,) = [doc for (kind, _), doc in found.items() if kind == "ConfigMap"]
    suffix = uuid.uuid4().hex[:8]
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    port = free_port()
    release_file, run_file = tmp_path / "release.yaml", tmp_path / "run.yaml"
    with postgres_database() as database:
        values = {
            "secret_key": SECRET_KEY,
            "database_url": postgres_url(database, host=HOST),
            "redis_url": fresh_redis_url(host=HOST),
            "email_url": "console:",
        }
        secrets_read = secret_names(project)
        for key in (name.lower() for name in secrets_read):
            value = values[key]
            (secrets / key).write_text(value + "\n")
            (secrets / key).chmod(0o444)
        secrets.chmod(0o755)

        job = playable(parts["release"], kube_image, secrets, suffix)
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"{NAME}-release", **job["metadata"]},
            "spec": job["spec"],
        }
        release_file.write_text(yaml.safe_dump_all([config, pod]))
        deployments = []
        for component in ("web", "worker"):
            deployment = json.loads(json.dumps(found[("Deployment", f"{NAME}-{component}")]))
            template = playable(parts[component], kube_image, secrets, suffix)
            deployment["spec"]["template"] = template
            deployments.append(deployment)
        web_port = named_port(container(deployments[0]["spec"]["template"]), "http")
        web_port.update(hostPort=port, hostIP="127.0.0.1")
        run_file.write_text(yaml.safe_dump_all([config, *deployments]))

        names = {
            "release": f"{NAME}-release-release",
            "web": f"{NAME}-web-pod-0-web",
            "worker": f"{NAME}-worker-pod-0-worker",
        }
        try:
            started = time.monotonic()
            podman.run("kube", "play", "--network", NETWORK, str(release_file), timeout=120)
            assert podman.run("wait", names["release"], timeout=120).stdout.strip() == "0", (
                podman.run("logs", names["release"], check=False)
            )
            figures[f"{framework} kube release pod (s)"] = round(time.monotonic() - started, 1)

            started = time.monotonic()
            podman.run("kube", "play", "--network", NETWORK, str(run_file), timeout=120)
            status, deadline = 0, started + 60
            while status != 200:
                assert time.monotonic() < deadline, "no /readyz 200 within 60 s"
                with contextlib.suppress(OSError):
                    status, _ = http(port, "GET", "/readyz")
                time.sleep(0.05 * (status != 200))
            figures[f"{framework} kube play to /readyz 200 (s)"] = round(
                time.monotonic() - started, 2
            )

            for component in ("web", "worker"):
                info = json.loads(podman.run("inspect", names[component]).stdout)[0]
                user = parts[component]["spec"]["securityContext"]
                assert info["Config"]["User"] == f"{user['runAsUser']}:{user['runAsGroup']}"
                assert info["HostConfig"]["ReadonlyRootfs"] is True
                assert "no-new-privileges" in info["HostConfig"]["SecurityOpt"]
                assert not info["HostConfig"]["CapAdd"]
                given = {line.split("=", 1)[0] for line in info["Config"]["Env"]}
                assert not given & set(secrets_read)
                assert {f"{secret}_FILE" for secret in secrets_read} <= given

            status, report = http(port, "POST", "/reports", {"X-Request-ID": f"kube-{suffix}"})
            assert status == 202, report
            deadline = time.monotonic() + 60
            while report["status"] != "done":
                if time.monotonic() > deadline:
                    logs = podman.run("logs", names["worker"], check=False)
                    pytest.fail(f"the job was not done: {report}\n{logs.stdout}{logs.stderr}")
                time.sleep(0.2)
                status, report = http(port, "GET", f"/reports/{report['id']}")
            assert report["runs"] == 1

            # As the kubelet does: each container gets SIGTERM and its grace period, then
            # the pod goes. (`kube down` alone gives podman 4.3.1's stop no time: SIGKILL.)
            started = time.monotonic()
            for component in ("web", "worker"):
                grace = parts[component]["spec"]["terminationGracePeriodSeconds"]
                podman.run("stop", "--time", str(grace), names[component], timeout=grace + 30)
            figures[f"{framework} kube stop web and worker (s)"] = round(
                time.monotonic() - started, 2
            )
            pods = [f"{NAME}-release", f"{NAME}-web-pod-0", f"{NAME}-worker-pod-0"]
            podman.run("pod", "stop", "--time", "10", *pods, timeout=60)
            listed = podman.run(
                "ps", "--all", "--pod", "--format", "{{.Names}} {{.PodName}} {{.ExitCode}}"
            ).stdout
            codes = {
                line.split()[0]: int(line.split()[2])
                for line in listed.splitlines()
                if line.split()[1] in pods
            }
            figures[f"{framework} kube exit codes"] = codes
            assert len(codes) == 2 * len(pods), listed
            assert set(codes.values()) == {0}, codes
            for path in (release_file, run_file):
                podman.run("kube", "down", str(path), timeout=60)
            assert not set(pods) & set(
                podman.run("pod", "ps", "--format", "{{.Name}}").stdout.split()
            )
        finally:
            for path in (run_file, release_file):
                podman.run("kube", "down", str(path), check=False, timeout=60)
            podman.run("volume", "rm", "--force", *volumes(parts, suffix), check=False)


def volumes(parts: dict[str, dict], suffix: str) -> list[str]:
    """The emptyDir volumes podman made for the played pods."""
    return sorted(
        {
            f"{volume['name']}-{suffix}"
            for template in parts.values()
            for volume in template["spec"]["volumes"]
            if "emptyDir" in volume
        }
    )
