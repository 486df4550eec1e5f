"""Alembic environment: runs the migrations on the app's database (release step).

The app factory has already configured logging (one JSON line per event on
stdout), so unlike Alembic's default this file loads no logging config.
"""

import logging
from typing import Any

from alembic import context
from flask import current_app

config = context.config
log = logging.getLogger("alembic.env")
migrate = current_app.extensions["migrate"]
db = migrate.db


def skip_empty_revision(migration_context, revision, directives) -> None:
    """Write no revision file when autogenerate finds no schema change."""
    autogenerate = getattr(config.cmd_opts, "autogenerate", False)
    if autogenerate and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    """Print the migrations as SQL instead of running them (`--sql`)."""
    context.configure(
        url=db.engine.url, target_metadata=db.metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection to the app's database."""
    options: dict[str, Any] = {"process_revision_directives": skip_empty_revision}
    options.update(migrate.configure_args)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
