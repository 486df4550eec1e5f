"""The `twelvefactor` admin command: audit config and project (factor XII)."""

import sys

import click

from {{cookiecutter.project_slug}}.config import environment_names, load_settings

RELEASE_COMMAND = "flask --app {{cookiecutter.project_slug}}.app db upgrade"


@click.command("twelvefactor")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def twelvefactor_command(as_json: bool) -> None:
    """Check the settings and project against the twelve factors; exit 1 on a fail."""
    # Imported here: every process registers this command, few run it.
    from {{cookiecutter.project_slug}} import audit

    # `flask` has already copied `.env` into the environment (python-dotenv is
    # installed); only the variables the real environment set differently count.
    dotenv = audit.dotenv(audit.PROJECT_ROOT)
    context = audit.Context(
        settings=load_settings(),
        root=audit.PROJECT_ROOT,
        environment=environment_names(copied_from=dotenv),
        stdout_is_tty=sys.stdout.isatty(),
        release_command=RELEASE_COMMAND,
    )
    findings = audit.audit(context)
    click.echo(audit.render_json(findings) if as_json else audit.render_text(findings))
    if audit.failed(findings):
        sys.exit(1)
