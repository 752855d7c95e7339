"""Fixtures: a real server per storage backend (SQLite always; PostgreSQL when reachable)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import Clock, Server, running_server
from ventanilla.settings import Settings

POSTGRES_ADMIN_DSN = os.environ.get("VENTANILLA_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VENTANILLA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Databases this run creates are named <prefix><random> (several people may share one PostgreSQL server).
POSTGRES_DB_PREFIX = os.environ.get("VENTANILLA_TEST_POSTGRES_PREFIX", "ventanilla_test_")


async def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None."""
    try:
        import asyncpg

        conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
        await conn.close()
    except Exception as exc:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_DSN}: {exc!r}"
    return None


async def redis_unavailable() -> str | None:
    """Why Redis cannot be used, or None."""
    try:
        import redis.asyncio as aioredis

        client = aioredis.from_url(REDIS_URL, socket_connect_timeout=3)
        await client.ping()
        await client.aclose()
    except Exception as exc:
        return f"Redis not reachable at {REDIS_URL}: {exc!r}"
    return None


async def create_postgres_database() -> tuple[str, str]:
    """A fresh database for this run: (SQLAlchemy URL, name)."""
    import asyncpg

    name = f"{POSTGRES_DB_PREFIX}{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}", name


async def drop_postgres_database(name: str) -> None:
    """Remove a test database."""
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def base_settings(tmp: Path, database_url: str, **extra: object) -> Settings:
    """Settings for a test server: its own DB, mail folder and secrets."""
    return Settings(
        database_url=database_url,
        secret_key=f"test-secret-{uuid.uuid4().hex}",  # type: ignore[arg-type]
        mail_dir=tmp / "mail",
        data_dir=tmp / "data",
        public_url="http://127.0.0.1",
        panel_url="http://panel.test",
        cors_origins=["http://localhost:5173"],
        # Clients pose as distinct addresses through X-Forwarded-For from loopback; sockets all come from loopback.
        **({"trusted_proxies": ["127.0.0.1"], "max_sockets_per_address": 1000} | extra),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    """A temporary folder for the whole run."""
    return Path(tempfile.mkdtemp(prefix="ventanilla-tests-"))


@contextlib.asynccontextmanager
async def fresh_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """A new, empty database of one backend (a SQLite file, or a PostgreSQL database dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'ventanilla-{uuid.uuid4().hex[:8]}.db'}"
        return
    reason = await postgres_unavailable()
    if reason:
        pytest.skip(reason)
    url, name = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(name)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def backend_url(request: pytest.FixtureRequest, tmp_root: Path) -> AsyncIterator[str]:
    """The database URL of each storage backend."""
    async with fresh_database(request.param, tmp_root) as url:
        yield url


@pytest.fixture(scope="session")
async def server(backend_url: str, tmp_root: Path) -> AsyncIterator[Server]:
    """One real server per backend, shared by the tests (each test seeds its own tenant)."""
    settings = base_settings(tmp_root / uuid.uuid4().hex[:6], backend_url)
    async with running_server(settings, Clock()) as srv:
        yield srv
