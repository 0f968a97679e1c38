"""A throwaway PostgreSQL server in a temporary folder, for tests, benchmarks and trying the store:
:class:`TemporaryPostgres`.

It needs the PostgreSQL server programs (``initdb``, ``pg_ctl``; found on ``PATH`` or in the usual
``/usr/lib/postgresql/*/bin``), creates a cluster with trust authentication, listens only on a Unix socket in
its folder (no TCP port is opened; the port number names the socket) and removes everything when stopped.
PostgreSQL refuses to run as root: under root the server runs as the ``postgres`` user (or ``nobody``).

>>> server = TemporaryPostgres()
>>> server.url is None
True

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Final

from fenxiao.errors import FenxiaoError

__all__ = ["PostgresUnavailableError", "TemporaryPostgres", "find_postgres"]

_USER: Final = "fenxiao"
_FAST: Final = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")


class PostgresUnavailableError(FenxiaoError, RuntimeError):
    """The PostgreSQL server programs are missing, or the server would not start (the message says which)."""


def find_postgres() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (``PATH`` first, then ``/usr/lib/postgresql/*/bin``), or
    ``None``."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _server_user() -> pwd.struct_passwd | None:
    """Whom to run the server as: ``None`` (ourselves) unless we are root, whom PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailableError("running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL")


class TemporaryPostgres:
    """A PostgreSQL server of its own in a temporary folder; :meth:`start` returns its URL, :meth:`stop` removes it.

    Args:
        bin_dir: The folder of ``initdb`` and ``pg_ctl`` (found by :func:`find_postgres` when ``None``).
        durable: Keep PostgreSQL's fsync on (off by default: a test server need not survive a power cut, and
            a client killed mid-transaction loses nothing committed either way).

    Use it as a context manager (``with TemporaryPostgres() as url: ...``) or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, bin_dir: Path | None = None, *, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.durable = durable
        self.folder: Path | None = None
        self.url: str | None = None
        self._user = _server_user()

    def _run(self, *args: str) -> None:
        user = self._user
        result = subprocess.run(
            args,
            capture_output=True,
            text=True,
            check=False,
            user=user.pw_uid if user is not None else None,
            group=user.pw_gid if user is not None else None,
            extra_groups=[] if user is not None else None,
        )
        if result.returncode != 0:
            raise PostgresUnavailableError(f"{Path(args[0]).name} failed: {(result.stderr or result.stdout).strip()}")

    def start(self) -> str:
        """Create the cluster, start the server and return its URL (``postgresql+psycopg://...``).

        Raises:
            PostgresUnavailableError: The server programs are missing, or initdb or the server failed.
        """
        if self.url is not None:
            return self.url
        bin_dir = self.bin_dir if self.bin_dir is not None else find_postgres()
        if bin_dir is None:
            raise PostgresUnavailableError("initdb and pg_ctl (the PostgreSQL server programs) were not found")
        folder = Path(tempfile.mkdtemp(prefix="fenxiao-pg-"))
        self.folder = folder
        data, sockets = folder / "data", folder / "s"
        sockets.mkdir()
        if self._user is not None:
            for path in (folder, sockets):
                os.chown(path, self._user.pw_uid, self._user.pw_gid)
        port = _free_port()
        try:
            self._run(
                str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", _USER, "-E", "UTF8",
                "--locale=C", "--no-sync",
            )  # fmt: skip
            # pg_ctl hands -o to a shell: the socket folder is ours (no spaces), the empty value is quoted.
            options = f"-p {port} -k {sockets} -c listen_addresses='' -c max_connections=60"
            if not self.durable:
                options += " " + " ".join(_FAST)
            self._run(
                str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
                "-o", options, "start",
            )  # fmt: skip
        except BaseException:
            self.stop()
            raise
        self.url = f"postgresql+psycopg://{_USER}@/postgres?host={sockets}&port={port}"
        return self.url

    def stop(self) -> None:
        """Stop the server (if it runs) and remove its folder."""
        folder, self.folder, self.url = self.folder, None, None
        if folder is None:
            return
        bin_dir = self.bin_dir if self.bin_dir is not None else find_postgres()
        if bin_dir is not None and (folder / "data" / "postmaster.pid").exists():
            with contextlib.suppress(PostgresUnavailableError):
                self._run(str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
