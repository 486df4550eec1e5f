"""Timeouts for the backing services, in seconds (factor IX: disposability).

A database or Redis that is down or unreachable must not hang a request, a
readiness probe or a job for longer than this; the process answers 503 or
retries instead.
"""

# Connecting to PostgreSQL, unless DATABASE_URL sets its own `?connect_timeout=`.
DATABASE_CONNECT_TIMEOUT = 5
# Waiting for another process's write to SQLite to end, before "database is locked".
DATABASE_BUSY_TIMEOUT = 5
# Connecting to Redis, and waiting for its answer, from a request or a probe.
REDIS_TIMEOUT = 1
# Each wait on the mail server (connecting, each answer): a dead one fails the
# send, and the job retries later, instead of holding a worker thread.
EMAIL_TIMEOUT = 5
