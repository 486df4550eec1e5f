"""The boot floor for Django: the bare baseline plus the import of pydantic-settings.

The generated project reads its settings through pydantic-settings, as the contract
asks (Django's ORM is in the bare baseline already). Importing it costs this much
before a line of the template's own code runs; the bench boots this app to show that.
"""

import pydantic_settings  # noqa: F401
from bare_django import application  # noqa: F401
