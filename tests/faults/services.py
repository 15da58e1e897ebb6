"""Private servers for the fault tests: each test starts its own, so it may stop, kill and restart it at will.

Never the machine's shared PostgreSQL or Redis: other test runs use them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# PostgreSQL ---------------------------------------------------------------------------------------------------

#: How long pg_ctl waits for a start or a stop.
POSTGRES_TIMEOUT = 30
#: The account the server runs as when the tests run as root (PostgreSQL refuses to run as root).
POSTGRES_ACCOUNT = "postgres"


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's server programs (Debian's /usr/lib/postgresql/N/bin), else PATH's."""
    installed = [path for path in Path("/usr/lib/postgresql").glob("*/bin") if (path / "pg_ctl").exists()]
    if installed:
        return max(installed, key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def postgres_missing() -> str | None:
    """Why a private PostgreSQL cannot be started here, or None when it can."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None or not all((bin_dir / name).exists() for name in ("initdb", "pg_ctl", "createdb")):
        return "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root, and runuser (to start PostgreSQL as postgres) is missing"
        try:
            pwd.getpwnam(POSTGRES_ACCOUNT)
        except KeyError:
            return f"running as root, and there is no {POSTGRES_ACCOUNT} account to run PostgreSQL as"
    return None


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own in a temporary directory, on its own port, trusting local connections."""

    bin_dir: Path
    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and return once it accepts connections (after crash recovery, if it needs one)."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.log_path), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server and return once it is down.

        ``fast`` rolls back open transactions and disconnects every client, as a service restart does;
        ``immediate`` quits at once, as a crash does, and the next start recovers from the WAL.
        """
        self._pg_ctl("-m", mode, "-w", "stop")

    def is_running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data_dir), "status").returncode == 0

    def create_database(self, name: str) -> None:
        result = self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        if result.returncode != 0:
            raise RuntimeError(f"createdb {name} failed: {result.stderr}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def destroy(self) -> None:
        """Stop the server however it is (immediately; by its pid file as a last resort) and remove its files."""
        try:
            if self.data_dir.exists() and self.is_running():
                self.stop("immediate")
        except (RuntimeError, subprocess.TimeoutExpired):
            self._kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        return ["runuser", "-u", POSTGRES_ACCOUNT, "--", *command] if os.geteuid() == 0 else command

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._command(program, *args), cwd=self.root, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=POSTGRES_TIMEOUT + 15, check=False)

    def _pg_ctl(self, *args: str) -> None:
        result = self._run("pg_ctl", "-D", str(self.data_dir), "-t", str(POSTGRES_TIMEOUT), *args)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed ({result.returncode}): {result.stdout}"
                               f"{result.stderr}\n{self.log()}")


def postgres_start_private(*, attempts: int = 3) -> PrivatePostgres:
    """initdb a new cluster in a temporary directory and start it on a free port; call ``destroy()`` after."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError(postgres_missing())
    # Not pytest's tmp_path: the postgres account must be able to reach the directory.
    root = Path(tempfile.mkdtemp(prefix="sellerops-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(POSTGRES_ACCOUNT)
        os.chown(root, account.pw_uid, account.pw_gid)
    server = PrivatePostgres(bin_dir=bin_dir, root=root, port=free_port())
    try:
        initdb = server._run("initdb", "-D", str(server.data_dir), "--auth=trust", "--username=postgres",
                             "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions")
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed: {initdb.stdout}{initdb.stderr}")
        for _ in range(attempts - 1):
            try:
                server.start()
                return server
            except RuntimeError:
                # Another process may have taken the port in the meantime.
                server.port = free_port()
        server.start()
        return server
    except BaseException:
        server.destroy()
        raise


# Redis --------------------------------------------------------------------------------------------------------

#: How long a private Redis may take to answer PING after it is started.
REDIS_TIMEOUT = 15


def redis_missing() -> str | None:
    """Why a private Redis cannot be started here, or None when it can."""
    return None if shutil.which("redis-server") else "redis-server is not installed"


@dataclass
class PrivateRedis:
    """A redis-server of its own on its own port, in memory only: killing it loses every key, as a crash does."""

    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.root / "redis.log"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        """Start the server (again, on the same port) and return once it answers PING."""
        import redis

        if self.is_running():
            raise RuntimeError(f"Redis on port {self.port} is already running")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                 "no", "--daemonize", "no", "--dir", str(self.root)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + REDIS_TIMEOUT
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.process.returncode}:\n{self.log()}")
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer within {REDIS_TIMEOUT} s:\n{self.log()}")
                time.sleep(0.05)
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL the server, as a crash does, and return once it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=REDIS_TIMEOUT)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5, socket_connect_timeout=5)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def redis_start_private(*, attempts: int = 3) -> PrivateRedis:
    """Start a redis-server on a free port in a temporary directory; call ``destroy()`` after."""
    server = PrivateRedis(root=Path(tempfile.mkdtemp(prefix="sellerops-redis-")), port=free_port())
    try:
        for _ in range(attempts - 1):
            try:
                server.start()
                return server
            except RuntimeError:
                # Another process may have taken the port in the meantime.
                server.kill()
                server.port = free_port()
        server.start()
        return server
    except BaseException:
        server.destroy()
        raise


@contextlib.contextmanager
def private_redis_for_test() -> Iterator[PrivateRedis]:
    """A private Redis for one test, destroyed after it; the test is skipped where none can be started."""
    import pytest

    missing = redis_missing()
    if missing:
        pytest.skip(f"This fault test needs a private Redis: {missing}.")
    server = redis_start_private()
    try:
        yield server
    finally:
        server.destroy()
