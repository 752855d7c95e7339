"""Two server processes sharing Redis (Socket.IO manager and presence) and one database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    REDIS_URL,
    create_postgres_database,
    drop_postgres_database,
    postgres_unavailable,
    redis_unavailable,
)
from tests.support import (
    PASSWORD,
    SocketRecorder,
    Tenant,
    free_port,
    login,
    next_client_address,
    seed_tenant,
    session_cookie_header,
    signed,
    spawn_server,
)
from ventanilla.app import create_app
from ventanilla.cli import upgrade_database
from ventanilla.settings import Settings


@pytest.fixture
async def two_servers(tmp_root: Path) -> AsyncIterator[tuple[str, str, Tenant]]:
    """Two `ventanilla serve` processes on one database (PostgreSQL when reachable) and one Redis."""
    reason = await redis_unavailable()
    if reason:
        pytest.skip(reason)
    pg_name = None
    if await postgres_unavailable() is None:
        database_url, pg_name = await create_postgres_database()
    else:
        database_url = f"sqlite+aiosqlite:///{tmp_root / f'two-{uuid.uuid4().hex[:6]}.db'}"
    env = {
        "VENTANILLA_DATABASE_URL": database_url,
        "VENTANILLA_REDIS_URL": REDIS_URL,
        "VENTANILLA_REDIS_CHANNEL": f"ventanilla-test-{uuid.uuid4().hex[:8]}",
        "VENTANILLA_SECRET_KEY": f"shared-{uuid.uuid4().hex}",
        "VENTANILLA_MAIL_DIR": str(tmp_root / "two-mail"),
    }
    settings = Settings(
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_channel=env["VENTANILLA_REDIS_CHANNEL"],
        secret_key=env["VENTANILLA_SECRET_KEY"],  # type: ignore[arg-type]
    )
    await asyncio.to_thread(upgrade_database, settings)
    seeder = create_app(settings)
    tenant = await seed_tenant(seeder.ctx, agents=1)
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
                    try:
                        if (await probe.get(f"{url}/health")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)
        yield urls[0], urls[1], tenant
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


async def test_citizen_and_agent_on_different_processes_see_each_other(two_servers: tuple[str, str, Tenant]) -> None:
    url_a, url_b, tenant = two_servers
    session_key = str(uuid.uuid4())
    headers = {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": session_key}
    async with (
        httpx.AsyncClient(base_url=url_a, timeout=15) as citizen,
        httpx.AsyncClient(base_url=url_b, timeout=15) as agent,
    ):
        await login(agent, tenant.agents[0]["email"])
        panel_b = await SocketRecorder().connect(url_b, headers=session_cookie_header(agent))
        anonymous_a = await SocketRecorder().connect(url_a, auth={"entityToken": tenant.token})
        room_a = None
        try:
            assert (await anonymous_a.join(session_key))["ok"] is True
            await asyncio.sleep(0.3)
            r = await citizen.post("/ask/municipio", json={"pregunta": "", "action": "request_agent"}, headers=headers)
            handoff = r.json()
            tid = handoff["ticket_id"]
            assert handoff["estado"] == "en_vivo", handoff  # the agent online on B was found through Redis
            (created,) = await panel_b.wait_for("new_ticket")
            assert created["id"] == tid
            room_a = await SocketRecorder().connect(url_a, transports=["polling", "websocket"])
            assert (await room_a.join(f"ticket_municipio_{tid}"))["ok"] is True
            for n in range(5):
                reply = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": f"respuesta {n}"})
                assert reply.status_code == 200
            # The open live chat speaks in its ticket room on A: once each, in order.
            got = await room_a.wait_for("new_chat_message", count=5)
            assert [m["comentario"] for m in got] == [signed(tenant.agents[0], f"respuesta {n}") for n in range(5)]
            sent = await citizen.post(
                "/ask/municipio",
                json={"pregunta": "gracias, sigo esperando", "contexto_previo": {"id_ticket_creado": tid}},
                headers=headers,
            )
            assert sent.status_code == 200
            await panel_b.wait_for(
                "new_comment", where=lambda c: c["comment"]["comentario"] == "gracias, sigo esperando"
            )
            await asyncio.sleep(0.3)
            assert len(room_a.named("new_chat_message")) == 5
            assert not [m for m in anonymous_a.named("message") if "respuesta " in m["respuesta"]]  # no copy
            assert not anonymous_a.named("new_comment") and not anonymous_a.named("new_ticket")
        finally:
            for sock in (panel_b, anonymous_a, room_a):
                if sock is not None:
                    await sock.close()


async def test_rate_limits_are_shared_by_every_process_through_redis(two_servers: tuple[str, str, Tenant]) -> None:
    url_a, url_b, tenant = two_servers
    email = tenant.agents[0]["email"]
    per_minute = Settings().login_rate_limit_per_minute
    same_client = {"X-Forwarded-For": next_client_address()}
    async with (
        httpx.AsyncClient(base_url=url_a, timeout=15, headers=same_client) as on_a,
        httpx.AsyncClient(base_url=url_b, timeout=15, headers=same_client) as on_b,
    ):
        for n in range(per_minute):
            bad = await (on_a if n % 2 else on_b).post("/login", json={"email": email, "password": "otra-clave"})
            assert bad.status_code == 401, bad.text
        # Each process saw only half of the attempts; the counter they share says the limit is reached.
        for client in (on_a, on_b):
            refused = await client.post("/login", json={"email": email, "password": PASSWORD})
            assert refused.status_code == 429 and refused.json()["error"]
