"""A throwaway local PostgreSQL server: initdb in a temporary folder, a free loopback port, a random
password. For the tests, CI and `retention-warehouse pg-server` (trying PostgreSQL serving on one
machine); production points RW_PG_DSN at a server of its own.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user that
Debian's package creates (through runuser); otherwise as the current user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

ADMIN_USER = "warehouse_admin"
DATABASE = "warehouse"
SERVICE_USER = "postgres"
START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class LocalServer:
    port: int
    password: str
    folder: Path

    def dsn(self, user: str = ADMIN_USER, password: str | None = None, database: str = DATABASE) -> str:
        return (f"host=127.0.0.1 port={self.port} dbname={database} user={user} "
                f"password={self.password if password is None else password}")


def bin_dir() -> Path:
    """The newest installed server's programs (Debian keeps them out of PATH)."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if installed:
        return installed[-1].parent
    found = shutil.which("pg_ctl")
    if found is None:
        raise RuntimeError("no PostgreSQL server found: install Debian's `postgresql` package")
    return Path(found).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _runner() -> tuple[list[str], pwd.struct_passwd | None]:
    if os.geteuid() != 0:
        return [], None
    return ["runuser", "-u", SERVICE_USER, "--"], pwd.getpwnam(SERVICE_USER)


def _run(command: list[str], prefix: list[str]) -> None:
    result = subprocess.run(prefix + command, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()}")


@contextlib.contextmanager
def local_server() -> Generator[LocalServer, None, None]:
    """Start a server with database `warehouse` and superuser `warehouse_admin`; stop it and delete
    its folder on exit."""
    programs = bin_dir()
    prefix, owner = _runner()
    folder = Path(tempfile.mkdtemp(prefix="rw-postgres-"))
    password = secrets.token_urlsafe(18)
    port = _free_port()
    data = folder / "data"
    try:
        password_file = folder / "password"
        password_file.write_text(password)
        if owner is not None:
            for path in (folder, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        _run([str(programs / "initdb"), "-D", str(data), "-U", ADMIN_USER, "--auth=scram-sha-256",
              f"--pwfile={password_file}", "-E", "UTF8", "--no-locale"], prefix)
        password_file.unlink()
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder}"
        _run([str(programs / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
              "-w", "-t", str(START_TIMEOUT_SECONDS), "start"], prefix)
        server = LocalServer(port, password, folder)
        try:
            import psycopg

            with psycopg.connect(server.dsn(database="postgres"), autocommit=True) as connection:
                connection.execute(f"create database {DATABASE}")
            yield server
        finally:
            _run([str(programs / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], prefix)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
