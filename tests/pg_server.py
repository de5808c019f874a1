"""A private PostgreSQL server for tests and benchmarks: initdb, pg_ctl, a unix socket.

The server's files and socket live in a new temporary folder; it listens on no TCP port. As root
the server runs as the ``postgres`` user (``runuser -u postgres --``: PostgreSQL refuses root).
The binaries come from Debian's ``postgresql`` package (/usr/lib/postgresql/<version>/bin);
``scripts/test.sh`` installs it when they are missing.

>>> server = PgServer.start()            # doctest: +SKIP
>>> url = server.new_database("t1")      # doctest: +SKIP
>>> server.stop()                        # doctest: +SKIP
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PgServer", "find_bin"]


def find_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(found[-1]).parent if found else None


def _as_server_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class PgServer:
    """A running server: its folder, socket folder and binaries."""

    root: Path
    bin: Path
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's unix socket."""
        return self.root / "sock"

    @classmethod
    def start(cls, *, durable: bool = False) -> PgServer:
        """initdb and start a server in a new temporary folder (``durable``: keep fsync on; off
        otherwise, since tests kill clients, never the server)."""
        binaries = find_bin()
        if binaries is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): "
                "apt-get install -y postgresql (scripts/test.sh does it)"
            )
        root = Path(tempfile.mkdtemp(prefix="pwpg-"))
        (root / "sock").mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(root / "sock", "postgres", "postgres")
        run = _as_server_user()
        subprocess.run(
            [*run, str(binaries / "initdb"), "-D", str(root / "data"), "-U", "postgres",
             "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = f"-k {root / 'sock'} -c listen_addresses='' -c max_connections=60"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [*run, str(binaries / "pg_ctl"), "-D", str(root / "data"), "-o", options,
             "-l", str(root / "log"), "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        return cls(root, binaries)

    def url(self, database: str = "postgres") -> str:
        """A connection URL to ``database`` over the unix socket, as user postgres."""
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def new_database(self, prefix: str = "t") -> str:
        """Create an empty database and return its URL."""
        import psycopg

        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.url(name)

    def new_schema(self, prefix: str = "s") -> str:
        """Create an empty schema in the database ``ledgers`` and return a URL whose
        ``search_path`` is that schema (much cheaper than a database per test)."""
        import psycopg

        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            if (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = 'ledgers'").fetchone()
                is None
            ):
                conn.execute(b"CREATE DATABASE ledgers")
        with psycopg.connect(self.url("ledgers"), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"'.encode())
        return f"{self.url('ledgers')}&options=-csearch_path%3D{name}"

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        subprocess.run(
            [*_as_server_user(), str(self.bin / "pg_ctl"), "-D", str(self.root / "data"),
             "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
