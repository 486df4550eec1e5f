"""The machine's backing services, as the tests use them: fresh PostgreSQL databases,
a Redis database of the tests' own, a table lock held from outside, and a gate that
cuts a service off and restores it without touching the service itself.
"""

import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from conftest import WORKER, WORKER_INDEX, free_port, need

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
# The tests' own Redis database, one for each xdist worker: they empty it, so no one
# else may use it. (Not 10 to 13, which the suite used before it ran in workers.)
REDIS_DATABASES = (15, 14, 9, 8, 7, 6)
assert len(REDIS_DATABASES) > WORKER_INDEX, f"no Redis database left for {WORKER}"
REDIS_DATABASE = REDIS_DATABASES[WORKER_INDEX]


def reachable(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError:
        return False
    return True


def need_postgres() -> None:
    need(
        reachable(POSTGRES) and shutil.which("createdb") is not None,
        "PostgreSQL is not running on 127.0.0.1:5432 (or its client tools are missing)",
    )


def need_redis() -> None:
    need(reachable(REDIS), "Redis is not running on 127.0.0.1:6379")


@contextmanager
def postgres_database() -> Iterator[str]:
    """Create an empty database; yield its name; drop it afterwards."""
    need_postgres()
    name = f"twelve_{uuid.uuid4().hex[:12]}"
    subprocess.run(["createdb", "-h", POSTGRES[0], "-U", "postgres", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(
            ["dropdb", "-h", POSTGRES[0], "-U", "postgres", "--force", name], check=False
        )


def postgres_url(name: str, host: str = POSTGRES[0], port: int = POSTGRES[1]) -> str:
    return f"postgres://postgres@{host}:{port}/{name}"


def fresh_redis_url(
    host: str = REDIS[0], port: int = REDIS[1], database: int = REDIS_DATABASE
) -> str:
    """Empty one of the tests' Redis databases and return its URL."""
    need_redis()
    request = f"SELECT {database}\r\nFLUSHDB\r\n"
    with socket.create_connection(REDIS, timeout=5) as connection:
        connection.sendall(request.encode())
        replies = connection.makefile("rb")
        assert [replies.readline().rstrip() for _ in range(2)] == [b"+OK", b"+OK"]
    return f"redis://{host}:{port}/{database}"


def psql(database: str, *options: str) -> list[str]:
    """Return the psql command line for a database of the machine's PostgreSQL."""
    return ["psql", "-h", POSTGRES[0], "-U", "postgres", "-X", "-d", database, *options]


def query(database: str, sql: str) -> str:
    """Run one query; return its result, unaligned."""
    result = subprocess.run(
        psql(database, "-At", "-c", sql), capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


class TableLock:
    """An ACCESS EXCLUSIVE lock on a table, held by a psql session until released.

    Whatever reads or writes the table waits meanwhile, as behind a slow query.
    """

    def __init__(self, database: str, table: str) -> None:
        self.database = database
        self.psql = subprocess.Popen(
            psql(database, "-q", "-v", "ON_ERROR_STOP=1"),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.send(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE;")
        held = (
            "SELECT count(*) FROM pg_locks WHERE granted AND mode = 'AccessExclusiveLock'"
            f" AND relation = '{table}'::regclass"
        )
        deadline = time.monotonic() + 10
        while query(database, held) != "1":
            assert time.monotonic() < deadline, f"psql did not lock {table}"
            time.sleep(0.05)

    def send(self, sql: str) -> None:
        assert self.psql.stdin is not None
        self.psql.stdin.write(sql + "\n")
        self.psql.stdin.flush()

    def waiting(self) -> int:
        """Return how many sessions wait for a lock in the database."""
        return int(query(self.database, "SELECT count(*) FROM pg_locks WHERE NOT granted"))

    def release(self) -> None:
        self.send("COMMIT;")
        assert self.psql.stdin is not None
        self.psql.stdin.close()
        assert self.psql.wait(timeout=10) == 0


class Gate:
    """A TCP forwarder to a service that can be cut off and opened again.

    Cutting closes every forwarded connection and stops listening, which a client
    sees as the service going away; opening listens on the same port again.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.port = free_port()
        self.open()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        # shutdown() wakes the thread blocked in accept(); close() alone does not.
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.listener = None
        with self.lock:
            for connection in self.connections:
                with suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
