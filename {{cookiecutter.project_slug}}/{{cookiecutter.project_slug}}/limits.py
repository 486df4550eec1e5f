"""Timeouts for the backing services, in seconds (factor IX: disposability).

A database or Redis that is down or unreachable must not hang a request, a
readiness probe or a job for longer than this; the process answers 503 or
retries instead.
"""

import sys

# Connecting to PostgreSQL, unless DATABASE_URL sets its own `?connect_timeout=`.
DATABASE_CONNECT_TIMEOUT = 5
# Waiting for another process's write to SQLite to end, before "database is locked".
DATABASE_BUSY_TIMEOUT = 5
# Connecting to Redis, and waiting for its answer, from a request or a probe.
REDIS_TIMEOUT = 1
# Each wait on the mail server (connecting, each answer): a dead one fails the
# send, and the job retries later, instead of holding a worker thread.
EMAIL_TIMEOUT = 5


def redis_errors() -> tuple[type[Exception], ...]:
    """Return what a failed call to Redis raises, for an `except` clause.

    Nothing while redis-py is not imported: it is, only with REDIS_URL (see
    `config.redis_url`), and without it no call goes to Redis.
    """
    redis = sys.modules.get("redis")
    return (redis.RedisError,) if redis else ()
