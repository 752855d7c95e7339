"""PostgreSQL and Redis for the runs that need them, and a description of the machine."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from harness.procs import HERE, ROOT, loadavg, log
from harness.seeding import REDIS

PG_ADMIN = {"host": "127.0.0.1", "port": "5432", "user": "postgres", "db": "test"}


def psql(sql: str) -> subprocess.CompletedProcess[bytes]:
    """Run one statement as the postgres user against the admin database."""
    return subprocess.run(
        [
            *("psql", "-h", PG_ADMIN["host"], "-p", PG_ADMIN["port"], "-U", PG_ADMIN["user"], "-d", PG_ADMIN["db"]),
            *("-v", "ON_ERROR_STOP=1", "-qAtc", sql),
        ],
        capture_output=True,
        timeout=30,
        check=False,
        env={**os.environ, "PGCONNECT_TIMEOUT": "3"},
    )


@contextlib.contextmanager
def pg_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database (dropped afterwards), or None when PostgreSQL is unreachable."""
    if shutil.which("psql") is None:
        yield None
        return
    name = f"ventanilla_bench_{secrets.token_hex(4)}"
    created = psql(f'CREATE DATABASE "{name}"')
    if created.returncode != 0:
        log(f"PostgreSQL unavailable: {created.stderr.decode(errors='replace').strip()}")
        yield None
        return
    try:
        yield f"postgresql+asyncpg://{PG_ADMIN['user']}@{PG_ADMIN['host']}:{PG_ADMIN['port']}/{name}"
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_reachable() -> bool:
    """Whether Redis answers PING on the loopback."""
    try:
        with socket.create_connection(REDIS, timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def machine() -> dict[str, Any]:
    """CPU, cores, memory, tool versions and the load average at start."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
    node_version = subprocess.run(["node", "--version"], capture_output=True, check=False).stdout.decode().strip()

    def pkg_version(package: str) -> str | None:
        with contextlib.suppress(OSError, ValueError):
            return str(json.loads((HERE / "node_modules" / package / "package.json").read_text())["version"])
        return None

    def py_version(package: str) -> str | None:
        with contextlib.suppress(Exception):
            return version(package)
        return None

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=str(ROOT), capture_output=True, check=False)
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": node_version,
        "socket.io (node)": pkg_version("socket.io"),
        "socket.io-client": pkg_version("socket.io-client"),
        "python-socketio": py_version("python-socketio"),
        "python-engineio": py_version("python-engineio"),
        "uvicorn": py_version("uvicorn"),
        "uvloop": py_version("uvloop"),
        "httptools": py_version("httptools"),
        "git_commit": commit.stdout.decode().strip() or None,
        "loadavg_at_start": loadavg(),
    }
