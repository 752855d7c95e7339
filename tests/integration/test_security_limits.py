"""Limits an attacker meets: forwarded headers from strangers, sockets per address and uploads per entity
(two processes over Redis), suggestions and profile changes that must not reveal what exists."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests import samples
from tests.conftest import (
    REDIS_URL,
    base_settings,
    create_postgres_database,
    drop_postgres_database,
    postgres_unavailable,
    redis_unavailable,
)
from tests.support import PASSWORD, Tenant, free_port, next_client_address, running_server, seed_tenant, spawn_server
from ventanilla.app import create_app
from ventanilla.cli import upgrade_database
from ventanilla.settings import Settings


async def test_forwarded_for_from_an_unconfigured_peer_is_not_believed(tmp_root: Path) -> None:
    """Rotating X-Forwarded-For from a peer that is no configured proxy does not escape the login limit."""
    url = f"sqlite+aiosqlite:///{tmp_root / f'xff-{uuid.uuid4().hex[:6]}.db'}"
    settings = base_settings(tmp_root / uuid.uuid4().hex[:6], url, trusted_proxies=[])
    async with running_server(settings) as server:
        tenant = await seed_tenant(server.ctx)
        email = tenant.agents[0]["email"]
        async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
            statuses = []
            for _ in range(settings.login_rate_limit_per_minute + 1):
                spoofed = {"X-Forwarded-For": next_client_address()}
                r = await client.post("/login", json={"email": email, "password": "no-es"}, headers=spoofed)
                statuses.append(r.status_code)
            assert statuses[:-1] == [401] * settings.login_rate_limit_per_minute
            assert statuses[-1] == 429
            r = await client.post(
                "/login",
                json={"email": email, "password": PASSWORD},
                headers={"X-Forwarded-For": next_client_address()},
            )
            assert r.status_code == 429  # still the one address it really is


@contextlib.asynccontextmanager
async def two_processes(tmp_root: Path, **extra_env: str) -> AsyncIterator[tuple[list[str], list[Tenant]]]:
    """Two `ventanilla serve` processes on one database (PostgreSQL when reachable) and one Redis."""
    reason = await redis_unavailable()
    if reason:
        pytest.skip(reason)
    pg_name = None
    if await postgres_unavailable() is None:
        database_url, pg_name = await create_postgres_database()
    else:
        database_url = f"sqlite+aiosqlite:///{tmp_root / f'pair-{uuid.uuid4().hex[:6]}.db'}"
    env = {
        "VENTANILLA_DATABASE_URL": database_url,
        "VENTANILLA_REDIS_URL": REDIS_URL,
        "VENTANILLA_REDIS_CHANNEL": f"ventanilla-test-{uuid.uuid4().hex[:8]}",
        "VENTANILLA_SECRET_KEY": f"shared-{uuid.uuid4().hex}",
        "VENTANILLA_MAIL_DIR": str(tmp_root / "pair-mail"),
        "VENTANILLA_DATA_DIR": str(tmp_root / f"pair-data-{uuid.uuid4().hex[:6]}"),
        **extra_env,
    }
    settings = Settings(database_url=database_url, secret_key=env["VENTANILLA_SECRET_KEY"])  # type: ignore[arg-type]
    await asyncio.to_thread(upgrade_database, settings)
    seeder = create_app(settings)
    tenants = [await seed_tenant(seeder.ctx, agents=1), await seed_tenant(seeder.ctx, agents=1)]
    await seeder.ctx.engine.dispose()
    ports = [free_port(), free_port()]
    procs = [spawn_server(env, port) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        async with httpx.AsyncClient(timeout=2) as probe:
            for url, proc in zip(urls, procs, strict=True):
                for _ in range(150):
                    if proc.poll() is not None:
                        raise AssertionError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
                    with contextlib.suppress(httpx.HTTPError):
                        if (await probe.get(f"{url}/health")).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
        yield urls, tenants
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except Exception:
                proc.kill()
        if pg_name:
            await drop_postgres_database(pg_name)


async def _handshake(url: str, address: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=15, headers={"X-Forwarded-For": address}) as client:
        return await client.get("/socket.io/", params={"EIO": "4", "transport": "polling"})


async def test_open_sockets_per_address_are_capped_across_processes(tmp_root: Path) -> None:
    cap = 6
    async with two_processes(tmp_root, VENTANILLA_MAX_SOCKETS_PER_ADDRESS=str(cap)) as (urls, _):
        office = next_client_address()
        answers = await asyncio.gather(*(_handshake(urls[n % 2], office) for n in range(3 * cap)))
        opened = [r for r in answers if r.status_code == 200]
        refused = [r for r in answers if r.status_code != 200]
        assert len(opened) == cap, [r.status_code for r in answers]
        assert {r.status_code for r in refused} == {401} and all("Demasiadas" in r.text for r in refused)
        assert (await _handshake(urls[0], next_client_address())).status_code == 200  # another address
        # Closing one socket makes room for one more, on either process.
        sid = opened[0].text.split('"sid":"', 1)[1].split('"', 1)[0]
        owner = urls[answers.index(opened[0]) % 2]
        async with httpx.AsyncClient(base_url=owner, timeout=15, headers={"X-Forwarded-For": office}) as client:
            close = await client.post(
                "/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid}, content=b"1"
            )
            assert close.status_code == 200, close.text
        for _ in range(50):
            again = await _handshake(urls[1], office)
            if again.status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert again.status_code == 200
        assert (await _handshake(urls[0], office)).status_code == 401


async def _upload(url: str, tenant: Tenant, size: int) -> httpx.Response:
    headers = {"X-Entity-Token": tenant.token, "X-Forwarded-For": next_client_address()}
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers) as client:
        return await client.post(
            "/archivos/upload/chat_attachment", files={"file": ("foto.jpg", samples.jpeg(size), "image/jpeg")}
        )


async def test_uploads_of_an_entity_stop_at_its_daily_quota_across_processes(tmp_root: Path) -> None:
    quota = 350_000
    async with two_processes(tmp_root, VENTANILLA_UPLOAD_BYTES_PER_ENTITY_PER_DAY=str(quota)) as (urls, tenants):
        tenant, other = tenants
        # From many addresses at once (the per-address limit does not help), over both processes.
        answers = await asyncio.gather(*(_upload(urls[n % 2], tenant, 100_000) for n in range(8)))
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200, 200, 200, 429, 429, 429, 429, 429], statuses
        refused = next(r for r in answers if r.status_code == 429)
        assert "máximo" in refused.json()["error"] and int(refused.headers["retry-after"]) <= 86400
        # A file that was refused for its type gives its bytes back.
        async with httpx.AsyncClient(base_url=urls[0], timeout=30) as client:
            bad = await client.post(
                "/archivos/upload/chat_attachment",
                files={"file": ("a.exe", b"MZ" * 10, "application/x-msdownload")},
                headers={"X-Entity-Token": tenant.token, "X-Forwarded-For": next_client_address()},
            )
            assert bad.status_code in (400, 415), bad.text
        assert (await _upload(urls[1], tenant, 20_000)).status_code == 200  # what is left still fits
        assert (await _upload(urls[0], other, 100_000)).status_code == 200  # another entity's own quota

