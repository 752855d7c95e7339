"""The real default limits: PIN guesses per ticket and per client, a ticket's PIN lockout, logins."""

from __future__ import annotations

import uuid
from typing import Any

from limits import parse_many

from tests.support import PASSWORD, Server, Tenant, file_complaint, login, seed_tenant, widget_headers


def first_window(spec: str) -> int:
    """How many hits the shortest window of a rule allows."""
    return parse_many(spec)[0].amount


async def complaint(server: Server, tenant: Tenant) -> dict[str, Any]:
    """A ticket filed through the widget: its id, number, PIN and the session that owns it."""
    session_key = str(uuid.uuid4())
    async with server.client() as citizen:
        created = await file_complaint(citizen, tenant, session_key)
    async with server.ctx.uow() as uow:
        from ventanilla.tickets import repository

        ticket = await repository.get(uow.session, created["ticket_id"])
        assert ticket is not None
        return {"id": ticket.id, "nro": ticket.nro_ticket, "pin": ticket.pin, "session_key": session_key}


def wrong(pin: str) -> str:
    return str((int(pin) + 1) % 1_000_000).zfill(len(pin))


async def test_repeated_wrong_pins_lock_the_ticket_for_every_pin_route(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    ticket = await complaint(server, tenant)
    allowed = first_window(server.settings.pin_failures_per_ticket)
    tid, pin = ticket["id"], ticket["pin"]
    # Guessers from several addresses: the lock is the ticket's, whoever guesses.
    for _ in range(allowed // 5 + 1):
        async with server.client() as guesser:
            for _ in range(5):
                r = await guesser.get(f"/tickets/municipio/{tid}", params={"pin": wrong(pin)})
                if r.status_code == 429:
                    break
                assert r.status_code == 403, r.text
    async with server.client() as owner_with_pin, server.client() as owner:
        routes = [
            f"/tickets/municipio/{tid}",
            f"/tickets/municipio/{tid}/timeline",
            f"/tickets/chat/{tid}/mensajes",
            f"/tickets/municipio/por_numero/{ticket['nro']}",
        ]
        for route in routes:
            r = await owner_with_pin.get(route, params={"pin": pin}, headers={"X-Entity-Token": tenant.token})
            assert r.status_code == 429, (route, r.text)
            assert "bloqueamos" in r.json()["error"]
            assert int(r.headers["retry-after"]) > 60  # locked for a while, not a minute
        # The citizen's own chat session still sees the ticket.
        mine = await owner.get(f"/tickets/chat/{tid}/mensajes", headers=widget_headers(tenant, ticket["session_key"]))
        assert mine.status_code == 200


async def test_wrong_pins_are_limited_per_client_across_tickets(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    per_ticket = first_window(server.settings.pin_failures_per_ticket)
    per_client = first_window(server.settings.pin_failures_per_client)
    tickets = [await complaint(server, tenant) for _ in range(per_client // (per_ticket - 1) + 2)]
    async with server.client() as guesser, server.client() as other:
        failures = 0
        for ticket in tickets:
            for _ in range(per_ticket - 1):  # under each ticket's lock
                if failures == per_client:
                    break
                r = await guesser.get(f"/tickets/municipio/{ticket['id']}/timeline", params={"pin": wrong(ticket["pin"])})
                assert r.status_code == 403, r.text
                failures += 1
        last = tickets[-1]
        refused = await guesser.get(f"/tickets/municipio/{last['id']}", params={"pin": last["pin"]})
        assert refused.status_code == 429 and "PIN incorrectos" in refused.json()["error"]
        assert int(refused.headers["retry-after"]) > 60
        assert (await other.get(f"/tickets/municipio/{last['id']}", params={"pin": last["pin"]})).status_code == 200


async def test_pin_viewers_see_no_dni_and_odd_pins_get_clean_answers(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    ticket = await complaint(server, tenant)
    tid, pin = ticket["id"], ticket["pin"]
    async with server.client() as viewer, server.client() as owner, server.client() as agent:
        by_pin = (await viewer.get(f"/tickets/municipio/{tid}", params={"pin": pin})).json()
        assert by_pin["id"] == tid and by_pin["dni"] is None and by_pin["informacion_personal_vecino"]["dni"] is None
        lookup = await viewer.get(f"/tickets/municipio/por_numero/{ticket['nro']}", params={"pin": pin})
        assert lookup.status_code == 200 and lookup.json()["dni"] is None
        for route in (f"/tickets/municipio/{tid}", f"/tickets/municipio/{tid}/timeline", f"/tickets/chat/{tid}/mensajes"):
            seen = await viewer.get(route, params={"pin": pin})
            assert seen.status_code == 200 and "30123456" not in seen.text, route
        assert "30123456" not in lookup.text
        mine = await owner.get(f"/tickets/municipio/{tid}", headers=widget_headers(tenant, ticket["session_key"]))
        assert mine.json()["dni"] == "30123456"
        await login(agent, tenant.agents[0]["email"])
        assert (await agent.get(f"/tickets/municipio/{tid}")).json()["dni"] == "30123456"
        full_width = "".join(chr(0xFF10 + int(d)) for d in pin)
        assert (await viewer.get(f"/tickets/municipio/{tid}", params={"pin": full_width})).status_code == 200
        for odd in ("ñandú", "١٢٣٤٥٦", "\u00a0", "😀😀😀"):
            r = await viewer.get(f"/tickets/municipio/{tid}", params={"pin": odd})
            assert r.status_code == 403 and r.json()["error"], odd
            r = await viewer.get(f"/tickets/municipio/por_numero/{ticket['nro']}", params={"pin": odd})
            assert r.status_code == 404 and r.json()["error"], odd


async def test_logins_are_limited_per_client(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    email = tenant.agents[0]["email"]
    async with server.client() as client, server.client() as colleague:
        for _ in range(server.settings.login_rate_limit_per_minute):
            bad = await client.post("/login", json={"email": email, "password": "no-es-la-clave"})
            assert bad.status_code == 401
        refused = await client.post("/login", json={"email": email, "password": PASSWORD})
        assert refused.status_code == 429 and refused.json()["error"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        await login(colleague, email)
