"""A ticket's live-chat room (`ticket_{tipo}_{id}`) only for who owns the ticket, as on REST (issue 22).

Both widgets open that room's socket with nothing (`io(url)`): it stands on what the same browser's bot socket
proved (its chat session's UUID, or the citizen's login). Browsers are told apart by their address, which the test
server takes from `X-Forwarded-For` (it trusts loopback, as behind a reverse proxy).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
import socketio
from sqlalchemy import select

from tests.support import (
    NodeClient,
    Server,
    SocketRecorder,
    Tenant,
    login,
    next_client_address,
    node_available,
    seed_tenant,
    session_cookie_header,
    widget_headers,
)
from ventanilla.tickets.models import Ticket

VERSIONS = ("63f867f1", "985c1f40")
NO_ACCESS = "No tenés acceso a esa conversación."


def at(address: str) -> dict[str, str]:
    """Headers of a socket coming from this browser address (through the test's trusted proxy)."""
    return {"X-Forwarded-For": address}


async def live_chat(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """The widget's "Hablar con un representante": opens a live chat, answered with its `ticket_id`."""
    r = await client.post(
        "/ask/municipio",
        json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert isinstance(r.json().get("ticket_id"), int), r.json()
    return dict(r.json())


async def reply(agent: httpx.AsyncClient, ticket_id: int, text: str) -> None:
    r = await agent.post(f"/tickets/municipio/{ticket_id}/responder", json={"comentario": text})
    assert r.status_code == 200, r.text


async def widget(server: Server, tenant: Tenant, version: str, key: str, address: str, response: dict[str, Any]) -> Any:
    """A citizen's widget of one frontend version in a browser at `address`, right after the answer that opened the
    live chat; returns the Node client and its room join's acknowledgement."""
    node = await NodeClient.start(
        {
            "url": server.url,
            "version": version,
            "entityToken": tenant.token,
            "sessionId": key,
            "tipo": "municipio",
            "response": response,
            "headers": at(address),
        },
        script="widget.mjs",
    )
    assert node.events[-1]["ack"]["ok"] is True  # its own chat session's room
    room = await node._read_until(lambda e: e.get("type") == "room", 10)
    return node, room["ack"]


def shown_text(node: NodeClient, text: str) -> bool:
    return any(e.get("type") == "shown" and text in str(e.get("text")) for e in node.events)


@pytest.mark.parametrize("version", VERSIONS)
async def test_only_the_owners_widget_hears_the_agent_in_both_versions(server: Server, version: str) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx)
    elsewhere = await seed_tenant(server.ctx)
    owner_key, owner_address = str(uuid.uuid4()), next_client_address()
    async with server.client() as citizen, server.client() as agent, server.client() as foreign_agent:
        await login(agent, tenant.agents[0]["email"])
        await login(foreign_agent, elsewhere.agents[0]["email"])
        opened = await live_chat(citizen, widget_headers(tenant, owner_key))
        tid = opened["ticket_id"]
        owner, owner_ack = await widget(server, tenant, version, owner_key, owner_address, opened)
        # A stranger who learned the ticket id: the same widget, its own chat session, another browser.
        stranger, stranger_ack = await widget(server, tenant, version, str(uuid.uuid4()), next_client_address(), opened)
        # A bare socket from yet another address, and another entity's agent in the owner's very browser.
        anonymous = await NodeClient.start(
            {"url": server.url, "join": f"ticket_municipio_{tid}", "transports": ["polling", "websocket"]}
            | {"headers": at(next_client_address())}
        )
        foreign = await NodeClient.start(
            {
                "url": server.url,
                "join": f"ticket_municipio_{tid}",
                "headers": session_cookie_header(foreign_agent) | at(owner_address),
            }
        )
        try:
            assert owner_ack == {"ok": True}
            assert stranger_ack == {"ok": False, "error": NO_ACCESS}
            assert anonymous.events[-1]["ack"] == {"ok": False, "error": NO_ACCESS}
            assert foreign.events[-1]["ack"] == {"ok": False, "error": NO_ACCESS}
            # Neither widget asks for an acknowledgement: a refused room socket is told in an event.
            refusal = next((e for e in stranger.events if e.get("type") == "join_error"), None)
            refusal = refusal or await stranger._read_until(lambda e: e.get("type") == "join_error", 10)
            assert refusal["data"] == {"room": f"ticket_municipio_{tid}", "error": NO_ACCESS}
            assert (await anonymous.wait_for("join_error"))[0]["error"] == NO_ACCESS

            await reply(agent, tid, "Hola, soy del municipio: ¿en qué calle es?")
            while not shown_text(owner, "¿en qué calle es?"):
                await owner._read_until(lambda e: e.get("type") == "shown", 10)
            (heard,) = [e for e in owner.events if e.get("type") == "shown" and "¿en qué calle es?" in e["text"]]
            assert heard["via"] == "new_chat_message" and heard["es_admin"] is True
            # The agent's next line reaches the owner: by then the earlier one would have reached anybody else.
            await reply(agent, tid, "Gracias, ya lo vemos.")
            while not shown_text(owner, "ya lo vemos"):
                await owner._read_until(lambda e: e.get("type") == "shown", 10)
            await asyncio.gather(stranger.drain(0.3), anonymous.drain(0.3), foreign.drain(0.3))
            assert not shown_text(stranger, "calle") and not shown_text(stranger, "ya lo vemos"), stranger.events
            for outsider in (anonymous, foreign):
                assert not outsider.named("new_chat_message"), outsider.events
        finally:
            for node in (owner, stranger, anonymous, foreign):
                await node.close()


async def test_what_lets_a_socket_into_a_ticket_room(server: Server) -> None:
    """Staff of the entity, the session's own socket, a PIN lookup's cookie, the logged-in citizen's browser; never a
    stranger, another entity's staff, or a socket of the owner's browser when nothing there proved the ticket."""
    tenant = await seed_tenant(server.ctx)
    elsewhere = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    sockets: list[SocketRecorder] = []

    async def socket(address: str, **kwargs: Any) -> SocketRecorder:
        headers = at(address) | kwargs.pop("headers", {})
        connected = await SocketRecorder().connect(server.url, headers=headers, **kwargs)
        sockets.append(connected)
        return connected

    async with server.client() as citizen, server.client() as agent, server.client() as foreign_agent:
        await login(agent, tenant.agents[0]["email"])
        await login(foreign_agent, elsewhere.agents[0]["email"])
        opened = await live_chat(citizen, widget_headers(tenant, key))
        room = f"ticket_municipio_{opened['ticket_id']}"
        try:
            owner_address = next_client_address()
            # Nothing of the owner's browser proved the ticket yet: its address alone is nothing.
            early = await socket(owner_address)
            assert await early.join(room) == {"ok": False, "error": NO_ACCESS}
            assert early.named("join_error") == [{"room": room, "error": NO_ACCESS}]

            staff = await socket(next_client_address(), headers=session_cookie_header(agent))
            assert await staff.join(room) == {"ok": True}
            foreign = await socket(next_client_address(), headers=session_cookie_header(foreign_agent))
            assert await foreign.join(room) == {"ok": False, "error": NO_ACCESS}

            # The session's own socket, anywhere: it proves the UUID by joining its room first.
            own = await socket(next_client_address(), auth={"entityToken": tenant.token})
            assert await own.join(room) == {"ok": False, "error": NO_ACCESS}
            assert await own.join(key) == {"ok": True}
            assert await own.join(room) == {"ok": True}
            # The same UUID in another entity's widget names another conversation.
            wrong_entity = await socket(next_client_address(), auth={"entityToken": elsewhere.token})
            assert await wrong_entity.join(key) == {"ok": True}
            assert await wrong_entity.join(room) == {"ok": False, "error": NO_ACCESS}

            # The room socket joining while its bot socket's join is still on its way waits for it a moment.
            bot = await socket(owner_address, auth={"entityToken": tenant.token})
            room_socket = await socket(owner_address, transports=["polling", "websocket"])
            room_join = asyncio.create_task(room_socket.join(room))
            await asyncio.sleep(0.2)  # the order under test: the room socket asks first
            assert await bot.join(key) == {"ok": True}
            assert await room_join == {"ok": True}

            # A PIN lookup's cookie (the lookup page's browser), from an address nothing else proved.
            lookup = await citizen.get(
                f"/tickets/municipio/por_numero/{opened['nro_ticket']}", params={"pin": await pin_of(server, opened)}
            )
            assert lookup.status_code == 200, lookup.text
            name = f"ventanilla_pin_{opened['ticket_id']}"
            cookie = f"{name}={citizen.cookies.get(name)}"
            by_pin = await socket(next_client_address(), headers={"Cookie": cookie})
            assert await by_pin.join(room) == {"ok": True}
            forged = await socket(next_client_address(), headers={"Cookie": cookie[:-4] + "AAAA"})
            assert await forged.join(room) == {"ok": False, "error": NO_ACCESS}

            await reply(agent, opened["ticket_id"], "Te escucho.")
            for inside in (staff, own, room_socket, by_pin):
                (message,) = await inside.wait_for(
                    "new_chat_message", where=lambda m: m["comentario"].endswith("\nTe escucho.")
                )
                assert message["es_admin"] is True
            for outside in (early, foreign, wrong_entity, forged):
                assert not outside.named("new_chat_message"), outside.events
        finally:
            for s in sockets:
                await s.close()


async def test_a_logged_in_citizens_browser_hears_their_ticket(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as browser, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        r = await browser.post(
            "/chatuserregisterpanel",
            json={
                "email": f"vecina-{uuid.uuid4().hex[:8]}@example.org",
                "password": "una-clave-larga",
                "nombre": "Eva",
            },
            headers={"X-Entity-Token": tenant.token},
        )
        assert r.status_code in (200, 201), r.text
        token = r.json()["token"]
        headers = widget_headers(tenant, str(uuid.uuid4())) | {"Authorization": f"Bearer {token}"}
        opened = await live_chat(browser, headers)
        async with server.ctx.sessions() as db:
            ticket = (await db.execute(select(Ticket).where(Ticket.id == opened["ticket_id"]))).scalar_one()
        assert ticket.citizen_id is not None
        room = f"ticket_municipio_{opened['ticket_id']}"
        address = next_client_address()
        # The widget's bot socket logged in (auth.token), not in any chat-session room: the account is the proof.
        bot = await SocketRecorder().connect(
            server.url, auth={"token": token, "entityToken": tenant.token}, headers=at(address)
        )
        mine = await SocketRecorder().connect(server.url, headers=at(address), transports=["polling", "websocket"])
        other = await SocketRecorder().connect(server.url, headers=at(next_client_address()))
        try:
            assert await mine.join(room) == {"ok": True}
            assert await other.join(room) == {"ok": False, "error": NO_ACCESS}
            await bot.close()  # once the logged-in socket is gone, its address proves nothing more
            later = await SocketRecorder().connect(server.url, headers=at(address))
            try:
                assert await later.join(room) == {"ok": False, "error": NO_ACCESS}
            finally:
                await later.close()
        finally:
            for s in (bot, mine, other):
                await s.close()


async def pin_of(server: Server, opened: dict[str, Any]) -> str:
    async with server.ctx.sessions() as db:
        ticket = (await db.execute(select(Ticket).where(Ticket.id == opened["ticket_id"]))).scalar_one()
    return str(ticket.pin)


async def test_a_socket_naming_two_entities_is_refused(server: Server) -> None:
    """A socket whose entity token and tenant slug name two different entities is refused, as the same pair is on
    REST (409): the one tenancy rule (`entities.service.named`) serves both."""
    from ventanilla.entities.models import Entity

    first = await seed_tenant(server.ctx)
    second = await seed_tenant(server.ctx)
    async with server.ctx.sessions() as db:
        slugs = dict(
            (await db.execute(select(Entity.id, Entity.slug).where(Entity.id.in_([first.id, second.id])))).all()
        )
    refused = SocketRecorder()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.connect(server.url, auth={"entityToken": first.token, "tenantSlug": slugs[second.id]})
    accepted = await SocketRecorder().connect(
        server.url, auth={"entityToken": first.token, "tenantSlug": slugs[first.id]}
    )
    assert accepted.sio.connected
    await accepted.sio.disconnect()
