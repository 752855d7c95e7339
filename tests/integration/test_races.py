"""Parallel requests on one chat session, one draft and one ticket's PIN: exactly once, never a 500."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from tests.integration.test_limits import first_window, wrong
from tests.integration.test_scale_out import two_servers  # noqa: F401 (fixture)
from tests.support import Server, Tenant, next_client_address, seed_tenant, widget_headers
from ventanilla.chat import keys
from ventanilla.settings import Settings
from ventanilla.tickets.models import Ticket


async def _draft_ready(client: httpx.AsyncClient, tenant: Tenant, session_key: str) -> dict[str, Any]:
    """Walk the intake up to the summary; the confirmation body (without idempotency key) is returned."""
    headers = widget_headers(tenant, session_key)
    ask = f"/ask/{tenant.tipo}"
    r = await client.post(ask, json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
    assert r.status_code == 200, r.text
    context: dict[str, Any] = {"estado_conversacion": "inicio"}
    for text in ("Hay una luminaria apagada hace una semana", "Av. San Martín 1234"):
        r = await client.post(ask, json={"pregunta": text, "contexto_previo": context}, headers=headers)
        assert r.status_code == 200, r.text
        context = r.json()["contexto_actualizado"]
    return {
        "pregunta": "",
        "action": "confirmar_reclamo",
        "contexto_previo": context,
        "datos_personales": {"nombre": "Ana Gómez", "email": "ana@example.org", "telefono": "2615551234"},
    }


async def _tickets_of(server: Server, session_key: str) -> list[tuple[Any, ...]]:
    async with server.ctx.uow() as uow:
        stmt = select(Ticket.nro_ticket, Ticket.idempotency_key).where(Ticket.chat_session_key == keys.web(session_key))
        return [tuple(row) for row in (await uow.session.execute(stmt)).all()]


async def test_parallel_confirmations_of_one_draft_file_one_ticket(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen:
        body = await _draft_ready(citizen, tenant, session_key)
        headers = widget_headers(tenant, session_key)
        answers = await asyncio.gather(
            *(citizen.post(f"/ask/{tenant.tipo}", json=body, headers=headers) for _ in range(10))
        )
    assert [r.status_code for r in answers] == [200] * 10, [r.text for r in answers if r.status_code != 200]
    filed = await _tickets_of(server, session_key)
    assert len(filed) == 1, filed
    numbers = {r.json().get("nro_ticket") for r in answers} - {None}
    assert len(numbers) == 1, numbers  # whoever answers with a ticket names the same one

    # A second complaint in the same session, identical, is a new draft: it files its own ticket.
    async with server.client() as citizen:
        again = await _draft_ready(citizen, tenant, session_key)
        r = await citizen.post(f"/ask/{tenant.tipo}", json=again, headers=widget_headers(tenant, session_key))
        assert r.status_code == 200 and r.json()["nro_ticket"] not in numbers, r.text
    assert len(await _tickets_of(server, session_key)) == 2


async def test_parallel_first_turns_of_a_new_session_are_all_answered(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    for _ in range(3):
        session_key = str(uuid.uuid4())
        headers = widget_headers(tenant, session_key)
        async with server.client() as citizen:
            answers = await asyncio.gather(
                *(
                    citizen.post(f"/ask/{tenant.tipo}", json={"pregunta": "Hay un bache en mi calle"}, headers=headers)
                    for _ in range(8)
                )
            )
        assert [r.status_code for r in answers] == [200] * 8, [r.text for r in answers if r.status_code != 200]
        assert all(r.json()["respuesta"] for r in answers)


async def test_pin_guesses_over_two_processes_stop_at_the_ticket_limit(
    two_servers: tuple[str, str, Tenant],  # noqa: F811 (the fixture)
) -> None:
    url_a, url_b, tenant = two_servers
    session_key = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=url_a, timeout=30) as citizen:
        body = await _draft_ready(citizen, tenant, session_key)
        body["idempotency_key"] = str(uuid.uuid4())
        filed = (await citizen.post(f"/ask/{tenant.tipo}", json=body, headers=widget_headers(tenant, session_key))).json()
    tid, pin = filed["ticket_id"], filed["pin"]
    allowed = first_window(Settings().pin_failures_per_ticket)

    async def guess(url: str) -> int:
        # Each guess from its own address, so only the ticket's own limit stands in the way.
        async with httpx.AsyncClient(base_url=url, timeout=30, headers={"X-Forwarded-For": next_client_address()}) as c:
            return (await c.get(f"/tickets/municipio/{tid}", params={"pin": wrong(pin)})).status_code

    statuses = await asyncio.gather(*(guess(url_a if n % 2 else url_b) for n in range(2 * allowed + 5)))
    assert statuses.count(403) == allowed, statuses  # checked wrong PINs: exactly the limit
    assert statuses.count(429) == allowed + 5, statuses
    async with httpx.AsyncClient(base_url=url_b, timeout=30) as owner:
        locked = await owner.get(f"/tickets/municipio/{tid}", params={"pin": pin})
        assert locked.status_code == 429 and "bloqueamos" in locked.json()["error"]


async def test_a_right_pin_gives_its_try_back(server: Server) -> None:
    """The ticket page polls with the PIN every 5 s: right PINs never add up to a lock."""
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen:
        body = await _draft_ready(citizen, tenant, session_key)
        filed = (await citizen.post(f"/ask/{tenant.tipo}", json=body, headers=widget_headers(tenant, session_key))).json()
        tid, pin = filed["ticket_id"], filed["pin"]
        per_client = first_window(server.settings.pin_failures_per_client)
        for _ in range(per_client + 2):
            r = await citizen.get(f"/tickets/municipio/{tid}", params={"pin": pin})
            assert r.status_code == 200, r.text

