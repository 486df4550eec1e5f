"""Telemetry (issue 14): metrics, traces, and nothing at all when switched off.

Each framework's default project runs its Procfile's lines as a platform would:
- metrics (METRICS_PORT): web with two gunicorn workers on a SQLite database whose
  `visits` table refuses inserts (a trigger), so that `/` fails with a real 500; the
  counts scraped from the master's port, parsed with prometheus-client's own parser,
  must match the requests made, exactly, before and after gunicorn workers are killed;
- traces (OTEL_EXPORTER_OTLP_ENDPOINT): web and worker on PostgreSQL and Redis send
  their spans to an OTLP/HTTP receiver run here, decoded with opentelemetry-proto;
- off: with neither variable, no telemetry module is imported by the web process.
"""

import gzip
import json
import os
import re
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan
from prometheus_client.parser import text_string_to_metric_families

from conftest import (
    SLUG,
    Deployed,
    Server,
    free_port,
    platform_env,
    run,
    start_server,
)
from test_backing import HTTPS, VISITS_TABLE, released_service, wait_until

# The label each framework's request metrics name the route by (prometheus-flask-exporter
# names it after its `group_by`), the values it takes, and those of a request that
# matched no route (Flask's url_rule is None then).
ROUTE_LABELS = {"flask": ("url_rule", "route"), "django": ("view",)}
UNMATCHED = {"flask": ("None", "<unmatched>"), "django": ("<unnamed view>",)}
ROUTES = {
    "healthz": {"flask": "/healthz", "django": "healthz"},
    "home": {"flask": "/", "django": "home"},
    "create": {"flask": "/reports", "django": "reports:create"},
    "detail": {"flask": "/reports/<int:report_id>", "django": "reports:detail"},
    "unmatched": {framework: values[0] for framework, values in UNMATCHED.items()},
}
# Requests counted per method, route and status: a sample of each framework's exporter.
REQUESTS = {
    "flask": "flask_http_request_duration_seconds_count",
    "django": "django_http_responses_total_by_status_view_method_total",
}
# Ids in paths that must never come back as label values.
MISSING_REPORT = 987654321
UNMATCHED_PATH = "/no-such-page-424242"
KINDS = {value: name[len("SPAN_KIND_") :] for name, value in ProtoSpan.SpanKind.items()}
# Modules that only the gunicorn workers import, as they load the app or serve `/`.
VIEWS = {"flask": f"{SLUG}.views", "django": "visits.views"}
# Written into sys.path: the real modules a process holds, dumped as it exits.
SITECUSTOMIZE = """
import atexit, json, os, sys


def dump_modules():
    names = sorted(name for name, module in sys.modules.items() if module is not None)
    path = os.path.join(os.environ["MODULES_DUMP"], f"{os.getpid()}.json")
    with open(path, "w") as out:
        json.dump(names, out)


atexit.register(dump_modules)
"""
TELEMETRY_MODULES = ("opentelemetry", "prometheus", "django_prometheus")
SPAN_ID = re.compile(r"[0-9a-f]{16}")


# -- HTTP, processes and Prometheus text --------------------------------------------


def call(
    port: int, path: str, method: str = "GET", headers: dict | None = None, timeout: float = 10
) -> tuple[int, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


Samples = dict[str, list[tuple[dict[str, str], float]]]


def scrape(port: int) -> Samples:
    """GET /metrics on a metrics port; return its samples by name, parsed."""
    status, body = call(port, "/metrics")
    assert status == 200, body
    samples: Samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def sum_by(samples: Samples, name: str, keys: tuple[str, ...], **match: str) -> Counter:
    """Add up the samples of one name by the values of some labels."""
    sums: Counter = Counter()
    for labels, value in samples.get(name, []):
        if all(labels.get(k) == v for k, v in match.items()):
            sums[tuple(labels.get(k) for k in keys)] += value
    return sums


def difference(after: Counter, before: Counter) -> dict:
    """after - before, keeping negative differences (lost counts) and dropping zeros."""
    return {k: after[k] - before[k] for k in after.keys() | before.keys() if after[k] != before[k]}


def children(pid: int) -> set[int]:
    """The live child processes of a process (gunicorn's workers, for the master)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[1] == str(pid) and fields[0] != "Z":
                found.add(int(stat.parent.name))
    return found


def free_port_pair() -> int:
    """A port p with p + 1 free too: METRICS_PORT for web, and the worker's.

    Both from free_port(), so that it hands out neither again to another server.
    """
    for _ in range(50):
        port = free_port()
        if free_port() == port + 1:
            return port
    pytest.fail("no two consecutive free ports")


def release_sqlite(deployed: Deployed, directory: Path) -> tuple[str, Path]:
    """Run the release line on a new SQLite database; return its URL and file."""
    database = directory / "app.sqlite3"
    url = f"sqlite:///{database}"
    env = platform_env(deployed, url)
    result = run(["sh", "-c", f"exec {deployed.process('release')}"], cwd=deployed.path, env=env)
    assert not result.stderr, result.stderr
    return url, database


def multiprocess_dir(master: int, workers: set[int]) -> Path:
    """prometheus-client's multiprocess directory: from the master's environment, else
    from the files the workers map (a variable set in-process is not in /proc/*/environ)."""
    for entry in Path(f"/proc/{master}/environ").read_bytes().split(b"\0"):
        name, _, value = entry.partition(b"=")
        if name.upper() == b"PROMETHEUS_MULTIPROC_DIR" and value:
            return Path(value.decode())
    mapped = re.compile(r"\s(/\S*)/(?:counter|gauge|histogram|summary)\w*\.db$")
    for pid in workers:
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            if match := mapped.search(line):
                return Path(match.group(1))
    pytest.fail("no PROMETHEUS_MULTIPROC_DIR in the master's environment nor mapped by workers")


# -- Metrics ---------------------------------------------------------------------------


@dataclass
class Client:
    """Requests to the app's port, each tallied under its method, route and status."""

    framework: str
    port: int
    tally: Counter = field(default_factory=Counter)

    def request(
        self, route: str, path: str, method: str = "GET", timeout: float = 10
    ) -> tuple[int, bytes]:
        status, body = call(self.port, path, method, HTTPS, timeout=timeout)
        self.tally[(method, ROUTES[route][self.framework], str(status))] += 1
        return status, body

    def counted(self, samples: Samples) -> Counter:
        """The requests counted, by method, route and status."""
        counts: Counter = Counter()
        for labels, value in samples.get(REQUESTS[self.framework], []):
            [route] = [labels[k] for k in ROUTE_LABELS[self.framework] if k in labels]
            if route in UNMATCHED[self.framework]:
                route = UNMATCHED[self.framework][0]
            counts[(labels["method"], route, labels["status"])] += value
        return counts

    def report(self, report_id: int) -> dict:
        status, body = self.request("detail", f"/reports/{report_id}")
        assert status == 200, body
        return json.loads(body)

    def every_kind(self, report_id: int, timeout: float = 10) -> None:
        """One request of each kind: 200, 200 with an id, 404 on a route and off one, 500."""
        for route, path, status in (
            ("healthz", "/healthz", 200),
            ("detail", f"/reports/{report_id}", 200),
            ("detail", f"/reports/{MISSING_REPORT}", 404),
            ("unmatched", UNMATCHED_PATH, 404),
            ("home", "/", 500),
        ):
            got, body = self.request(route, path, timeout=timeout)
            assert got == status, (path, got, body[:300])


def assert_counts(client: Client, metrics_port: int, baseline: Counter) -> Samples:
    """The requests counted since the baseline are the ones made, exactly."""
    deadline = time.monotonic() + 3
    while True:
        samples = scrape(metrics_port)
        counted = difference(client.counted(samples), baseline)
        if counted == client.tally or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert counted == client.tally
    return samples


def in_flight(samples: Samples) -> float:
    assert "http_requests_in_flight" in samples, sorted(samples)
    return sum(value for _, value in samples["http_requests_in_flight"])


def raw_ids(samples: Samples) -> list[str]:
    """Label values that hold a raw path, or an id from one, that the requests had."""
    raw = re.compile(rf"/reports/\d|424242|{MISSING_REPORT}")
    return [
        value
        for values in samples.values()
        for labels, _ in values
        for value in labels.values()
        if raw.search(value)
    ]


def stale_files(directory: Path, killed: set[int]) -> list[str]:
    """Files of the multiprocess directory named after a worker that was killed."""
    named = (re.search(r"_(\d+)\.db$", path.name) for path in directory.iterdir())
    return sorted(m.string for m in named if m and int(m.group(1)) in killed)


def dramatiq_jobs(samples: Samples, actor: str) -> tuple[float, float, float]:
    """Jobs processed, failed and timed for one actor, as Dramatiq's metrics count them."""

    def total(name: str) -> float:
        return sum(sum_by(samples, name, (), actor_name=actor).values())

    return (
        total("dramatiq_messages_total"),
        total("dramatiq_message_errors_total"),
        total("dramatiq_message_duration_milliseconds_count"),
    )


def replacement(master: int, victim: int, survivor: int) -> int | None:
    """The new worker, once gunicorn has two again: the survivor and a new one."""
    workers = children(master)
    if len(workers) == 2 and survivor in workers and victim not in workers:
        return (workers - {survivor}).pop()
    return None


@contextmanager
def database_locked(database: Path) -> Iterator[None]:
    """Hold SQLite's write lock: a request that writes waits for it, up to its timeout."""
    lock = sqlite3.connect(database, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
        yield
        lock.execute("ROLLBACK")
    finally:
        lock.close()


def request_lost(port: int) -> None:
    """GET / from a worker about to be killed: the connection drops, nothing answers."""
    with suppress(OSError, HTTPException):
        call(port, "/", headers=HTTPS)
        pytest.fail("the killed worker answered")


@contextmanager
def stopped(pid: int) -> Iterator[None]:
    """Hold a process still (SIGSTOP), so that the other worker takes every request."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_metrics_count_every_request_by_route_across_worker_restarts(deployed, tmp_path, figures):
    """Counts per route template and status are exact, and survive SIGKILLed workers;
    no label holds an id; the multiprocess directory stays the same size."""
    framework = deployed.framework
    url, database = release_sqlite(deployed, tmp_path)
    with sqlite3.connect(database) as connection:
        connection.execute(
            f"CREATE TRIGGER refuse_visits BEFORE INSERT ON {VISITS_TABLE[framework]}"
            " BEGIN SELECT RAISE(ABORT, 'visits refused by the test'); END"
        )
    connection.close()
    metrics_port = free_port_pair()
    env = platform_env(deployed, url, METRICS_PORT=str(metrics_port), WEB_CONCURRENCY="2")
    started = time.monotonic()
    web = start_server(deployed, env)
    master = web.process.pid
    try:
        client = Client(framework, web.port)
        before = scrape(metrics_port)
        baseline = client.counted(before)

        # Known requests to known routes, a 404 and a 500 among them.
        reports = []
        for _ in range(2):
            status, body = client.request("create", "/reports", method="POST")
            assert status == 202, body
            reports.append(json.loads(body)["id"])
        for report_id in reports:
            wait_until(
                lambda r=report_id: client.report(r)["status"] == "done",
                timeout=15,
                what=f"report {report_id} to be done by the web process's own worker thread",
            )
        for _ in range(3):
            client.every_kind(reports[0])
        assert client.request("unmatched", "/metrics")[0] == 404
        first = assert_counts(client, metrics_port, baseline)
        counted_first = dict(client.tally)

        # A request held up by the database is in flight while it waits.
        answers: list[int] = []
        with database_locked(database):
            held = threading.Thread(
                target=lambda: answers.append(client.request("home", "/")[0]), daemon=True
            )
            held.start()
            wait_until(
                lambda: in_flight(scrape(metrics_port)) == 1,
                timeout=4,
                what="http_requests_in_flight to be 1 while a request waits on the database",
            )
        held.join(timeout=10)
        assert answers == [500]

        # Kill a worker four times, the oldest one each time: the first with a request
        # in flight; with the other one stopped, each replacement serves one request
        # of each kind.
        workers = children(master)
        assert len(workers) == 2, workers
        directory = multiprocess_dir(master, workers)
        files = [len(list(directory.iterdir()))]
        killed: set[int] = set()
        stale = [stale_files(directory, killed)]
        oldest = sorted(workers)
        for kill in range(4):
            victim, survivor = oldest
            if kill == 0:
                with database_locked(database), stopped(survivor):
                    lost = threading.Thread(target=request_lost, args=(web.port,), daemon=True)
                    lost.start()
                    wait_until(
                        lambda: in_flight(scrape(metrics_port)) == 1,
                        timeout=4,
                        what="the victim's request to be in flight",
                    )
                    os.kill(victim, signal.SIGKILL)
                    lost.join(timeout=10)
            else:
                os.kill(victim, signal.SIGKILL)
            killed.add(victim)
            new = wait_until(
                lambda v=victim, s=survivor: replacement(master, v, s),
                timeout=30,
                what=f"gunicorn to replace worker {victim}",
            )
            # A dead worker's requests are in flight no more.
            wait_until(
                lambda: in_flight(scrape(metrics_port)) == 0,
                timeout=5,
                what=f"the in-flight requests of worker {victim} to be dropped",
            )
            with stopped(survivor):
                client.every_kind(reports[0], timeout=30)
            oldest = [survivor, new]
            scrape(metrics_port)  # in case files are merged when the metrics are read
            files.append(len(list(directory.iterdir())))
            stale.append(stale_files(directory, killed))

        last = assert_counts(client, metrics_port, baseline)
        assert in_flight(last) == 0
        assert raw_ids(last) == []
        assert raw_ids(first) == []
        if framework == "flask":
            # The counter by method and status agrees with the histogram by route.
            by_status: Counter = Counter()
            for (method, _, status), count in client.tally.items():
                by_status[(method, status)] += count
            keys = ("method", "status")
            counted = difference(
                sum_by(last, "flask_http_request_total", keys),
                sum_by(before, "flask_http_request_total", keys),
            )
            assert counted == by_status
        # The killed workers' files are reused, merged or removed: no growth from the
        # second kill on, both workers by then having served every kind of request.
        assert files[-1] == files[-2] == files[-3], (files, stale)
        assert len(stale[-1]) <= len(stale[1]), stale
        assert web.process.poll() is None
    finally:
        code, _ = web.stop()
    assert code == 0
    figures[f"{framework}: metrics test"] = f"{time.monotonic() - started:.1f} s"
    figures[f"{framework}: requests counted before the kills"] = dict(sorted(counted_first.items()))
    figures[f"{framework}: requests counted after 4 kills"] = dict(sorted(client.tally.items()))
    figures[f"{framework}: multiprocess dir files (boot, kill 1..4)"] = (
        f"{files} in {directory}, stale {stale[-1]}"
    )


# -- Traces ----------------------------------------------------------------------------


def any_value(value) -> object:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@dataclass
class ReceivedSpan:
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: str
    attributes: dict[str, object]
    resource: dict[str, object]

    @property
    def system(self) -> object:
        """The database system of a client span: postgresql, sqlite, redis."""
        return self.attributes.get("db.system.name", self.attributes.get("db.system"))


class Collector:
    """An OTLP/HTTP receiver on 127.0.0.1 that keeps the spans it is sent."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.paths: Counter = Counter()
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                answer = b""
                if self.path == "/v1/traces":
                    collector.keep(ExportTraceServiceRequest.FromString(body))
                    answer = ExportTraceServiceResponse().SerializeToString()
                with collector.lock:
                    collector.paths[self.path] += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def keep(self, request: ExportTraceServiceRequest) -> None:
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: any_value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        ReceivedSpan(
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_id=span.parent_span_id.hex(),
                            name=span.name,
                            kind=KINDS[span.kind],
                            attributes={a.key: any_value(a.value) for a in span.attributes},
                            resource=resource,
                        )
                    )
        with self.lock:
            self.spans += received

    def trace(self, trace_id: str) -> dict[str, ReceivedSpan]:
        with self.lock:
            return {s.span_id: s for s in self.spans if s.trace_id == trace_id}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def ancestors(span: ReceivedSpan, trace: dict[str, ReceivedSpan]) -> list[str]:
    """The ids of a span's parent, its parent's parent, and so on, as received."""
    found = []
    while span.parent_id:
        found.append(span.parent_id)
        if span.parent_id not in trace or len(found) > len(trace):
            break
        span = trace[span.parent_id]
    return found


def tree(trace: dict[str, ReceivedSpan], parent: str) -> str:
    """The spans under a parent as `name[KIND]{children}`, for the figures."""
    below = sorted((s for s in trace.values() if s.parent_id == parent), key=lambda s: s.name)
    return ", ".join(
        f"{s.name}[{s.kind}]" + (f"{{{sub}}}" if (sub := tree(trace, s.span_id)) else "")
        for s in below
    )


def traceparent() -> tuple[str, str, dict[str, str]]:
    """A new trace id and parent span id, and the W3C header that carries them."""
    trace_id, parent_id = os.urandom(16).hex(), os.urandom(8).hex()
    return trace_id, parent_id, {"traceparent": f"00-{trace_id}-{parent_id}-01"}


def json_line(process: Server, predicate: Callable[[str], bool], timeout: float) -> dict:
    return json.loads(process.wait_for_line(predicate, timeout=timeout))


SERVICE_NAME = "twelve-telemetry-test"


def test_a_posted_report_is_traced_from_web_to_the_worker_job(deployed, figures):
    """POST /reports with a traceparent: the request's span continues it, and the job's
    span, in the worker, is in the same trace under it, with the database and Redis
    calls; the log lines of both carry the trace id; the worker serves job metrics."""
    framework = deployed.framework
    collector = Collector()
    metrics_port = free_port_pair()
    telemetry = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "OTEL_SERVICE_NAME": SERVICE_NAME,
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci",
        "METRICS_PORT": str(metrics_port),
    }
    started = time.monotonic()
    try:
        with released_service(deployed, **telemetry) as service:
            web = service.web()
            try:
                worker = service.worker()
            except pytest.fail.Exception:
                died = service.processes[-1]
                time.sleep(0.5)
                pytest.fail(f"the worker did not start:\n{''.join(died.stderr)[-4000:]}")
            trace_id, parent_id, header = traceparent()
            headers = {**HTTPS, **header, "X-Request-ID": "telemetry-7e1f"}
            response, body = web.request("/reports", headers=headers, method="POST")
            assert response.status == 202, body
            report_id = json.loads(body)["id"]

            # The worker's line for the job, in the POST's trace.
            done = json_line(worker, lambda line: f"report {report_id} done" in line, 30)
            assert done["trace_id"] == trace_id, done
            assert SPAN_ID.fullmatch(done["span_id"]), done
            assert done["request_id"] == "telemetry-7e1f", done

            def job_under_request() -> tuple | None:
                trace = collector.trace(trace_id)
                servers = [s for s in trace.values() if s.kind == "SERVER"]
                jobs = [s for s in trace.values() if s.name == "build_report process"]
                if len(servers) != 1 or len(jobs) != 1:
                    return None
                if servers[0].span_id not in ancestors(jobs[0], trace):
                    return None
                return trace, servers[0], jobs[0]

            found = None
            with suppress(pytest.fail.Exception):
                found = wait_until(job_under_request, timeout=15, what="the job's span")
            trace = collector.trace(trace_id)
            assert found, f"trace {trace_id} as received: {tree(trace, parent_id)} / {trace}"
            trace, server, job = found
            assert server.parent_id == parent_id
            assert job.kind == "CONSUMER"
            # The job's log line was written inside its span (or one under it).
            logged = trace.get(done["span_id"])
            assert logged and (logged is job or job.span_id in ancestors(logged, trace)), done
            # Each database or Redis call as (system, under the request, under the job).
            systems = {
                (s.system, server.span_id in (up := ancestors(s, trace)), job.span_id in up)
                for s in trace.values()
                if s.system
            }
            assert ("postgresql", True, False) in systems, systems  # the web's INSERT
            assert ("postgresql", True, True) in systems, systems  # the job's queries
            assert ("redis", True, False) in systems, systems  # the message queued
            for span in (server, job):
                assert span.resource.get("service.name") == SERVICE_NAME, span.resource
                assert span.resource.get("deployment.environment") == "ci", span.resource

            # Reading the report: its span is named by the route, not the raw path.
            response, body = web.request(f"/reports/{report_id}", headers=HTTPS)
            assert response.status == 200, body
            # A page's log line, inside a traced request, carries its trace id.
            visit_trace, visit_parent, header = traceparent()
            response, _ = web.request("/", headers={**HTTPS, **header})
            assert response.status == 200
            visit = json_line(web, lambda line: visit_trace in line and "visit" in line, 5)
            assert SPAN_ID.fullmatch(visit["span_id"]) and visit["request_id"], visit
            wait_until(
                lambda: visit["span_id"] in collector.trace(visit_trace),
                timeout=10,
                what="the spans of GET /",
            )
            [home] = [s for s in collector.trace(visit_trace).values() if s.kind == "SERVER"]
            assert home.parent_id == visit_parent
            with collector.lock:
                read = [
                    s
                    for s in collector.spans
                    if s.kind == "SERVER" and f"/reports/{report_id}" in s.attributes.values()
                ]
            assert len(read) == 1, read
            assert f"/reports/{report_id}" not in read[0].name, read[0]

            # The worker's own metrics, on the port after the web's.
            def worker_metrics() -> Samples | None:
                samples = scrape(metrics_port + 1)
                return samples if dramatiq_jobs(samples, "build_report")[0] else None

            samples = wait_until(worker_metrics, timeout=10, what="the worker's job metrics")
            jobs = {k: v for k, v in samples.items() if k.startswith("dramatiq_message")}
            assert dramatiq_jobs(samples, "build_report") == (1, 0, 1), jobs
            depth = sum_by(samples, "dramatiq_queue_depth", ("queue_name",))
            assert ("default",) in depth, sorted(samples)
            web_samples = scrape(metrics_port)
            posted = ("POST", ROUTES["create"][framework], "202")
            assert Client(framework, web.port).counted(web_samples)[posted] == 1
            assert worker.stop()[0] == 0
            assert web.stop()[0] == 0
    finally:
        collector.stop()
    figures[f"{framework}: traces test"] = f"{time.monotonic() - started:.1f} s"
    figures[f"{framework}: POST /reports trace as received"] = (
        f"traceparent {parent_id} > {tree(trace, parent_id)}"
    )
    figures[f"{framework}: OTLP requests received"] = dict(collector.paths)


# -- Off -------------------------------------------------------------------------------


@pytest.mark.parametrize("backing", ["embedded", "redis"])
def test_with_telemetry_off_nothing_of_it_is_imported(deployed, tmp_path, figures, backing):
    """Neither METRICS_PORT nor OTEL_EXPORTER_OTLP_ENDPOINT: no OpenTelemetry or
    Prometheus module is in any process's sys.modules, and /metrics is a 404.

    Embedded (SQLite, no REDIS_URL): redis-py is not imported either. With Redis and
    PostgreSQL, the web and the worker import redis-py but not the OpenTelemetry that
    it would import by itself."""
    # Each process, gunicorn's workers included, writes the names of the modules in
    # its sys.modules as it exits.
    site, dumps = tmp_path / "site", tmp_path / "modules"
    site.mkdir()
    dumps.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    dump = {"PYTHONPATH": str(site), "MODULES_DUMP": str(dumps)}
    started, exits = time.monotonic(), []
    with ExitStack() as stack:
        if backing == "embedded":
            url, _ = release_sqlite(deployed, tmp_path)
            web = start_server(deployed, platform_env(deployed, url, **dump))
            stack.callback(lambda: exits.append(web.stop()[0]))
            forbidden = (*TELEMETRY_MODULES, "redis")
        else:
            service = stack.enter_context(released_service(deployed, **dump))
            web, _ = service.web(), service.worker()
            forbidden = TELEMETRY_MODULES
        client = Client(deployed.framework, web.port)
        assert client.request("home", "/")[0] == 200
        status, body = client.request("create", "/reports", method="POST")
        assert status == 202, body
        report_id = json.loads(body)["id"]
        wait_until(
            lambda: client.report(report_id)["status"] == "done",
            timeout=15,
            what="the report to be done",
        )
        assert call(web.port, "/readyz")[0] == 200
        status, body = client.request("unmatched", "/metrics")
        assert status == 404, body
    assert exits in ([], [0]), exits
    loaded = {int(path.stem): json.loads(path.read_text()) for path in dumps.glob("*.json")}
    # The workers are the processes that imported the view of `/`.
    workers = {pid: names for pid, names in loaded.items() if VIEWS[deployed.framework] in names}
    assert workers, sorted(loaded)
    if backing == "redis":
        assert any("redis" in names for names in loaded.values()), "redis-py never imported"
    for pid, names in loaded.items():
        found = sorted(name for name in names if name.startswith(forbidden))
        assert found == [], f"process {pid} imported {found}"
    figures[f"{deployed.framework}: off test, {backing}"] = (
        f"{time.monotonic() - started:.1f} s, {len(loaded)} processes' modules read"
    )
