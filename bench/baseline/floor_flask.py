"""The boot floor for Flask: the bare baseline plus the imports of two libraries.

The generated project reads its settings through pydantic-settings and its database
through Flask-SQLAlchemy, as the contract asks. Importing them costs this much before
a line of the template's own code runs; the bench boots this app to show that cost.
"""

import flask_sqlalchemy  # noqa: F401
import pydantic_settings  # noqa: F401
from bare_flask import application  # noqa: F401
