"""The project package: settings, URLs, WSGI, and what every app shares."""

import sys

# redis-py imports OpenTelemetry, when installed, as it is itself imported: hide it
# until the settings turn traces on (config.py), so that they cost nothing while off.
sys.modules.setdefault("opentelemetry", None)  # type: ignore[arg-type]
