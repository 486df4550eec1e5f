"""The project package: settings, URLs, WSGI, and what every app shares."""

import sys

# redis-py imports OpenTelemetry, when installed, as it is itself imported: imported
# here with it hidden, it does not, and telemetry costs nothing while off.
if "opentelemetry" not in sys.modules:
    sys.modules["opentelemetry"] = None  # type: ignore[assignment]
    import redis  # noqa: E402, F401

    del sys.modules["opentelemetry"]
