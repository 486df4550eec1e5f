"""Flask extensions, created unbound here and bound to the app in `create_app`.

Flask-Migrate is not here: only admin commands need it (see `commands.py`).
"""

from flask_caching import Cache
from flask_mailman import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_static_digest import FlaskStaticDigest
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base class of the models."""

    # Named constraints let later migrations drop or alter them, also on SQLite.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# In Redis when REDIS_URL is set, else in each process's memory (see `create_app`).
cache = Cache()
db = SQLAlchemy(model_class=Base)
# Sends through EMAIL_URL's server, or to the log (see `create_app` and mail.py).
mailman = Mail()
static_digest = FlaskStaticDigest()
