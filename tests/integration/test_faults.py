"""Faults of what we depend on and values no column holds: clean JSON answers, never a 500 or a cut response."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import REDIS_URL, base_settings, fresh_database, redis_unavailable
from tests.support import Server, file_complaint, free_port, login, running_server, seed_tenant, widget_headers
from ventanilla.tickets.models import TicketMessage


async def _messages(server: Server, ticket_id: int) -> list[str]:
    async with server.ctx.uow() as uow:
        stmt = select(TicketMessage.text).where(TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id)
        return list((await uow.session.execute(stmt)).scalars().all())


async def test_ids_beyond_their_columns_are_refused_cleanly(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as citizen, server.client() as admin:
        created = await file_complaint(citizen, tenant, str(uuid.uuid4()))
        await login(admin, tenant.admin["email"])
        for method in ("DELETE", "PUT"):
            for entry in (2**31, 2**31 - 1 + 2**32, 2**63 - 1):
                r = await admin.request(method, f"/knowledge-base/{entry}", json={"titulo": "x", "contenido": "y"})
                assert r.status_code in (404, 422) and r.json()["error"], (method, entry, r.text)
        assign = f"/tickets/municipio/{created['ticket_id']}/assign"
        for field in ("user_id", "assigned_user_id", "assigned_to"):
            for value in (-(2**31) - 1, 2**31, -1, 0, str(2**31), "-2147483649"):
                r = await admin.post(assign, json={field: value})
                assert r.status_code in (400, 404, 422) and r.json()["error"], (field, value, r.text)
        for path in (f"/municipal/usuarios/{2**31}/categorias", f"/tickets/municipio/{2**53 + 1}"):
            r = await admin.request("PUT" if "usuarios" in path else "GET", path, json={"categorias": []})
            assert r.status_code in (404, 422) and r.json()["error"], (path, r.text)


class RedisDoor:
    """A TCP door to the real Redis that the test closes (refusing connections) and opens again, on one port."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._pipes.update({writer, up_writer})

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))


@pytest.fixture
async def redis_door_server(backend_url: str, tmp_root: Path) -> AsyncIterator[tuple[Server, RedisDoor]]:
    reason = await redis_unavailable()
    if reason:
        pytest.skip(reason)
    door = RedisDoor(int(REDIS_URL.rsplit(":", 1)[1].split("/")[0]))
    await door.open()
    settings = base_settings(
        tmp_root / uuid.uuid4().hex[:6],
        backend_url,
        redis_url=f"redis://127.0.0.1:{door.port}/0",
        redis_channel=f"ventanilla-door-{uuid.uuid4().hex[:8]}",
    )
    try:
        async with running_server(settings) as srv:
            yield srv, door
    finally:
        await door.close()


async def test_replies_with_redis_gone_answer_503_and_store_nothing(
    redis_door_server: tuple[Server, RedisDoor],
) -> None:
    server, door = redis_door_server
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        r = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "", "action": "request_agent"},
            headers=widget_headers(tenant, session_key),
        )
        tid = r.json()["ticket_id"]
        before = await _messages(server, tid)
        await door.close()
        calls: list[tuple[httpx.AsyncClient, str, dict[str, Any], dict[str, str]]] = [
            (agent, f"/tickets/municipio/{tid}/responder", {"comentario": "Hola, soy el agente"}, {}),
            (
                citizen,
                f"/tickets/chat/{tid}/responder_ciudadano",
                {"comentario": "Hola, sigo acá"},
                widget_headers(tenant, session_key),
            ),
            (citizen, "/ask/municipio", {"pregunta": "sigo acá"}, widget_headers(tenant, session_key)),
        ]
        for client, path, body, headers in calls:
            r = await client.post(path, json=body, headers=headers)
            assert r.status_code == 503, (path, r.status_code, r.text)
            assert r.json()["error"] and r.headers["retry-after"]
        assert await _messages(server, tid) == before  # nothing half-stored
        await door.open()
        for client, path, body, headers in calls[:2]:
            r = await client.post(path, json=body, headers=headers)
            assert r.status_code == 200, (path, r.text)
        after = await _messages(server, tid)
        assert after.count("Hola, soy el agente") == 1 and after.count("Hola, sigo acá") == 1, after


async def test_killed_database_connections_get_503_never_a_500_or_a_cut_response(tmp_root: Path) -> None:
    async with fresh_database("postgresql", tmp_root) as url:
        settings = base_settings(tmp_root / uuid.uuid4().hex[:6], url, db_pool_size=4)
        async with running_server(settings) as server:
            await _kill_connections_under_load(server, url)


async def _kill_connections_under_load(server: Server, url: str) -> None:
    import asyncpg

    tenant = await seed_tenant(server.ctx)
    database = url.rsplit("/", 1)[1]
    owner = str(uuid.uuid4())
    async with server.client() as citizen:
        created = await file_complaint(citizen, tenant, owner)
    tid = created["ticket_id"]
    stop = asyncio.Event()
    kills = 0

    async def killer() -> None:
        nonlocal kills
        side = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            while not stop.is_set():
                killed = await side.fetch(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid()",
                    database,
                )
                kills += len(killed)
                await asyncio.sleep(0.3)
        finally:
            await side.close()

    outcomes: list[tuple[str, int, str]] = []

    async def one(n: int) -> None:
        async with server.client() as client:
            session_key = str(uuid.uuid4())
            kind = n % 3
            try:
                if kind == 0:
                    r = await client.post(
                        "/ask/municipio", json={"pregunta": "Hay un bache"}, headers=widget_headers(tenant, session_key)
                    )
                elif kind == 1:
                    r = await client.get(f"/tickets/municipio/{tid}", headers=widget_headers(tenant, owner))
                else:
                    r = await client.get("/public/tenants/nadie/widget-config")
                outcomes.append((f"kind{kind}", r.status_code, r.text))
            except httpx.HTTPError as exc:
                outcomes.append((f"kind{kind}", 0, repr(exc)))

    task = asyncio.create_task(killer())
    try:
        for start in range(0, 150, 15):
            await asyncio.gather(*(one(n) for n in range(start, start + 15)))
    finally:
        stop.set()
        await task
    assert kills > 0
    broken = [o for o in outcomes if o[1] == 0]
    assert broken == [], broken[:5]  # every request got a whole HTTP answer
    failed = [o for o in outcomes if o[1] >= 500 and o[1] != 503]
    assert failed == [], failed[:5]
    for _, status, text in outcomes:
        if status == 503:
            assert '"error"' in text
    assert any(status == 200 for _, status, _ in outcomes)


async def test_a_database_that_refuses_new_connections_gets_503_not_500(tmp_root: Path) -> None:
    # "too many clients" (SQLSTATE 53300): the server's role may open no more connections. asyncpg raises it on
    # connect and SQLAlchemy's adapter wraps it in its own Error: a 503 with {"error"}, never a 500.
    import asyncpg

    from tests.conftest import POSTGRES_ADMIN_DSN, postgres_unavailable

    if reason := await postgres_unavailable():
        pytest.skip(reason)
    role = f"vt_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE ROLE "{role}" LOGIN')
        async with fresh_database("postgresql", tmp_root) as url:
            await admin.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" OWNER TO "{role}"')
            limited_url = url.replace("postgresql+asyncpg://postgres@", f"postgresql+asyncpg://{role}@", 1)
            assert limited_url != url
            settings = base_settings(tmp_root / uuid.uuid4().hex[:6], limited_url)
            async with running_server(settings) as server, server.client() as client:
                tenant = await seed_tenant(server.ctx)
                ask = {"pregunta": "Hay un bache"}
                ok = await client.post("/ask/municipio", json=ask, headers=widget_headers(tenant))
                assert ok.status_code == 200, ok.text
                await admin.execute(f'ALTER ROLE "{role}" CONNECTION LIMIT 0')
                await server.ctx.engine.dispose()  # the pool must open a new connection, which is refused
                refused = await client.post("/ask/municipio", json=ask, headers=widget_headers(tenant))
                assert refused.status_code == 503, refused.text
                assert "error" in refused.json()
                await admin.execute(f'ALTER ROLE "{role}" CONNECTION LIMIT -1')
                again = await client.post("/ask/municipio", json=ask, headers=widget_headers(tenant))
                assert again.status_code == 200, again.text
    finally:
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')  # its database went with fresh_database
        await admin.close()
