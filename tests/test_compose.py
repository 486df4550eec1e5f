"""`compose.yaml` runs what production runs (factor X: dev/prod parity).

No container engine with compose runs here, so this checks the file against the
Procfile: the same image and the same commands for every process type.
"""

import pytest
import yaml

from conftest import FRAMEWORKS, bake, procfile


@pytest.mark.parametrize("worker", ["yes", "no"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_compose_runs_the_procfile_on_one_image(tmp_path, framework, worker):
    """Each Procfile process is a service with its command, all from one build."""
    project = bake(tmp_path, framework=framework, worker=worker)
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    services = compose["services"]
    processes = procfile(project)
    assert set(services) == {"db", "redis", "mailpit", "jaeger", *processes}
    # The trace collector runs only when asked for: `--profile telemetry`.
    assert services["jaeger"]["profiles"] == ["telemetry"]
    for name, command in processes.items():
        service = services[name]
        assert service["command"] == command.strip()
        assert service["build"] == "."
        assert service["image"] == services["web"]["image"]
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://redis:")
        # Mail goes to the local catcher, whose web page shows it.
        assert environment["EMAIL_URL"] == "smtp://mailpit:1025"
        # The key comes from the shell or `.env`, never from this file.
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert services["web"]["depends_on"]["release"] == {
        "condition": "service_completed_successfully"
    }
    assert services["release"]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert services["mailpit"]["ports"] == ["8025:8025"]
    if worker == "yes":
        assert services["worker"]["depends_on"]["redis"] == {"condition": "service_healthy"}
