"""Admin commands run as one-off processes with the web process's config (factor XII)."""

import re

import pytest

from conftest import SECRET_KEY, platform_env, run, start_server


def admin(deployed, command: str, env: dict[str, str]):
    return run(["sh", "-c", f"exec {deployed.admin(command)}"], cwd=deployed.path, env=env)


def test_check_config_prints_effective_settings_masked(deployed):
    """check-config accepts a good environment and prints it with secrets masked."""
    env = platform_env(deployed, "postgres://app:hunter2@db.internal:5432/app")
    result = admin(deployed, "check-config", env)
    lines = result.stdout.splitlines()
    assert lines[0] == "configuration is valid"
    assert "SECRET_KEY=**********" in lines
    # As the framework's database library writes it, with the password masked.
    database = next(line for line in lines if line.startswith("DATABASE_URL="))
    assert database.startswith("DATABASE_URL=postgresql"), database
    assert "://app:***@db.internal:5432/app" in database
    assert "SECURE_SSL_REDIRECT=True" in lines
    assert f"PORT={env['PORT']}" in lines
    assert SECRET_KEY not in result.stdout
    assert "hunter2" not in result.stdout
    assert result.stderr == ""


def test_prune_visits_deletes_only_old_visits(deployed, tmp_path):
    """prune-visits keeps recent visits and deletes those older than --days."""
    env = platform_env(deployed, f"sqlite:///{tmp_path / 'app.sqlite3'}")
    run(["sh", "-c", f"exec {deployed.process('release')}"], cwd=deployed.path, env=env)
    server = start_server(deployed, env)
    for _ in range(3):
        server.request("/", headers={"X-Forwarded-Proto": "https"})
    server.stop()
    kept = admin(deployed, "prune-visits --days 30", env)
    assert re.search(r"\b0 visits\b", kept.stdout), kept.stdout
    pruned = admin(deployed, "prune-visits --days 0", env)
    assert re.search(r"\b3 visits\b", pruned.stdout), pruned.stdout


@pytest.mark.parametrize("framework", ["django"], indirect=True, scope="session")
def test_django_passes_deploy_checks(deployed):
    """`manage.py check --deploy` finds nothing to warn about in a production setup."""
    env = platform_env(
        deployed,
        "postgres://app:pw@db.internal:5432/app",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    result = run(
        ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=deployed.path,
        env=env,
    )
    assert "no issues" in result.stdout
