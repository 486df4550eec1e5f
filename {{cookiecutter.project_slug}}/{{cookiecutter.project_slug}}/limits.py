"""Timeouts for the backing services, in seconds (factor IX: disposability).

A database or Redis that is down or unreachable must not hang a request, a
readiness probe or a job for longer than this; the process answers 503 or
retries instead.
"""

# Connecting to PostgreSQL, unless DATABASE_URL sets its own `?connect_timeout=`.
DATABASE_CONNECT_TIMEOUT = 5
# Connecting to Redis, and waiting for its answer, from a request or a probe.
REDIS_TIMEOUT = 1
