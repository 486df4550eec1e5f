"""The Flask floor: the bare baseline plus what the contract's libraries cost by themselves.

The generated project reads its settings through pydantic-settings and its database
through Flask-SQLAlchemy. Here they are imported, and Flask-SQLAlchemy is set up on the
app (its per-request teardown included) but unused by the views, which are the bare
baseline's. The contract also requires a secret key and the list of allowed hosts:
with them set, Flask itself opens and saves a session and checks the Host on every
request, as Django's floor does with its SECRET_KEY, ALLOWED_HOSTS and session
middleware. What the generated app costs beyond this is the template's own code.
"""

import os

import pydantic_settings  # noqa: F401
from flask_sqlalchemy import SQLAlchemy

from bare_flask import application

application.config.update(
    SECRET_KEY=os.environ["SECRET_KEY"],
    TRUSTED_HOSTS=["localhost", "127.0.0.1", "[::1]"],
    SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"].replace(
        "postgres://", "postgresql+psycopg://", 1
    ),
)
SQLAlchemy(application)
