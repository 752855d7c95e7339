"""What a citizen and an agent hit in their first hour with the real frontend, end to end (real server, sockets)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest

from tests.support import (
    NodeClient,
    Server,
    SocketRecorder,
    Tenant,
    agent_online,
    file_complaint,
    login,
    node_available,
    seed_tenant,
    session_cookie_header,
    signed,
)
from ventanilla.chat import repository as chat_repo
from ventanilla.tickets import repository as tickets_repo

GAS = "hay olor a gas muy fuerte en la cocina, tengo miedo"
VERSIONS = ("63f867f1", "985c1f40")
SHIFT = dt.timedelta(hours=3)


def widget(tenant: Tenant, session_key: str) -> dict[str, str]:
    """Headers of the widget."""
    return {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": session_key}


async def request_agent(client: httpx.AsyncClient, tenant: Tenant, session_key: str) -> dict[str, Any]:
    r = await client.post(
        "/ask/municipio",
        json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
        headers=widget(tenant, session_key),
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def shown(node: NodeClient) -> list[dict[str, Any]]:
    return [e for e in node.events if e.get("type") == "shown"]


async def wait_shown(node: NodeClient, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    while len(shown(node)) < count:
        await node._read_until(lambda e: e.get("type") == "shown", timeout)
    return shown(node)


async def start_widget(server: Server, tenant: Tenant, version: str, key: str, response: dict[str, Any]) -> NodeClient:
    """The citizen's widget of one frontend version, right after the /ask answer that filed its ticket."""
    node = await NodeClient.start(
        {
            "url": server.url,
            "version": version,
            "entityToken": tenant.token,
            "sessionId": key,
            "tipo": "municipio",
            "response": response,
        },
        script="widget.mjs",
    )
    assert node.events[-1]["ack"]["ok"] is True
    if node.events[-1]["room"]:
        room = await node._read_until(lambda e: e.get("type") == "room", 10)
        assert room["ack"]["ok"] is True
    return node


@pytest.mark.parametrize("version", VERSIONS)
async def test_each_widget_version_shows_every_reply_and_status_change_once(server: Server, version: str) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        created = await file_complaint(citizen, tenant, key)
        assert created["estado"] == "nuevo" and isinstance(created["ticket_id"], int)
        node = await start_widget(server, tenant, version, key, created)
        try:
            # The reference widget joins the ticket room for any ticket; the newest only for live chats.
            opened_room = any(e.get("type") == "room" for e in node.events)
            assert opened_room is (version == "63f867f1")
            tid = created["ticket_id"]
            assert (
                await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Vamos mañana."})
            ).is_success
            assert (await agent.put(f"/tickets/municipio/{tid}/estado", json={"estado": "resuelto"})).is_success
            assert (await agent.put(f"/tickets/municipio/{tid}/estado", json={"estado": "cerrado"})).is_success
            got = await wait_shown(node, 3)
            await node.drain(0.5)
            got = shown(node)
            assert got[0]["text"] == signed(tenant.agents[0], "Vamos mañana.")
            assert "resuelto" in got[1]["text"] and "cerrado" in got[2]["text"]
            assert len(got) == 3 and len({g["id"] for g in got}) == 3, got  # each message exactly once
        finally:
            await node.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_each_widget_version_shows_a_live_chat_once(server: Server, version: str) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        handoff = await request_agent(citizen, tenant, key)
        assert handoff["estado"] == "esperando_agente_en_vivo"
        node = await start_widget(server, tenant, version, key, handoff)
        try:
            assert any(e.get("type") == "room" for e in node.events)  # both versions join a live chat's room
            tid = handoff["ticket_id"]
            reply = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Hola, te leo."})
            assert reply.status_code == 200
            await wait_shown(node, 2)
            await node.drain(0.5)
            got = shown(node)
            assert "se unió" in got[0]["text"] and got[1]["text"] == signed(tenant.agents[0], "Hola, te leo.")
            assert len(got) == 2 and len({g["id"] for g in got}) == 2, got
        finally:
            await node.close()


async def test_agent_at_capacity_answers_and_takes_urgent_and_waiting_chats(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1, capacity=1, config={"auto_open_live_chat": True})
    async with server.client() as c1, server.client() as c2, server.client() as c3, server.client() as agent_c:
        await login(agent_c, tenant.agents[0]["email"])
        panel = await SocketRecorder().connect(server.url, headers=session_cookie_header(agent_c))
        try:
            await agent_online(server, tenant)
            first = await request_agent(c1, tenant, str(uuid.uuid4()))
            calm = await request_agent(c2, tenant, str(uuid.uuid4()))
            r = await c3.post("/ask/municipio", json={"pregunta": GAS}, headers=widget(tenant, str(uuid.uuid4())))
            urgent = r.json()
            assert first["estado"] == "en_vivo" and calm["estado"] == "esperando_agente_en_vivo"
            # An urgent chat never waits on capacity: the only agent online gets it at once, over capacity.
            assert urgent["prioridad"] == "urgente" and urgent["estado"] == "en_vivo"
            async with server.ctx.sessions() as session:
                queue = [t.id for t in await chat_repo.queue(session, tenant.id)]
            assert queue == [calm["ticket_id"]]

            # The agent answers the urgent chat: it is theirs, and the overload was recorded once, when assigned.
            tid = urgent["ticket_id"]
            reply = await agent_c.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Salí ya de ahí."})
            assert reply.status_code == 200, reply.text
            detail = (await agent_c.get(f"/tickets/municipio/{tid}")).json()
            assert detail["estado"] == "en_vivo" and detail["assigned_agent_id"] == tenant.agents[0]["id"]
            over = [h for h in detail["historial"] if h["tipo"] == "sobre_capacidad"]
            assert len(over) == 1 and "capacidad" in over[0]["detalle"] and over[0]["autor"]
            took = await agent_c.post(f"/tickets/municipio/{calm['ticket_id']}/asignar")
            assert took.status_code == 200 and took.json()["estado"] == "en_vivo"
            again = await agent_c.post(f"/tickets/municipio/{calm['ticket_id']}/asignar")
            assert again.status_code == 200  # taking one's own ticket again is a no-op, not an error
        finally:
            await panel.close()


async def test_status_changes_reach_the_session_once_and_a_repeat_is_a_no_op(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_c:
        await login(agent_c, tenant.agents[0]["email"])
        bot = await SocketRecorder().connect(server.url, auth={"entityToken": tenant.token})
        room = await SocketRecorder().connect(server.url, transports=["polling", "websocket"])
        panel = await SocketRecorder().connect(server.url, headers=session_cookie_header(agent_c))
        try:
            assert (await bot.join(key))["ok"] is True
            created = await file_complaint(citizen, tenant, key)
            tid = created["ticket_id"]
            assert (await room.join(f"ticket_municipio_{tid}"))["ok"] is True
            await agent_c.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Lo vemos hoy."})
            # Every agent reply goes to the ticket room; this browser's bot socket, already in it, is skipped.
            (reply,) = await room.wait_for("new_chat_message")
            assert reply["comentario"] == signed(tenant.agents[0], "Lo vemos hoy.") and reply["estado"] == "en_proceso"
            assert isinstance(reply["ticket_id"], int) and reply["es_admin"] is True
            assert {"id", "fecha"} <= reply.keys()
            timeline = (await agent_c.get(f"/tickets/municipio/{tid}/timeline")).json()["timeline"]
            moved = [e for e in timeline if e["tipo"] == "estado"]
            assert [(e["estado_anterior"], e["estado"]) for e in moved] == [("nuevo", "en_proceso")]
            assert moved[0]["autor"]

            same = await agent_c.put(f"/tickets/municipio/{tid}/estado", json={"estado": "en_proceso"})
            assert same.status_code == 200 and same.json()["estado"] == "en_proceso"
            for estado in ("resuelto", "cerrado"):
                r = await agent_c.put(f"/tickets/municipio/{tid}/estado", json={"estado": estado})
                assert r.status_code == 200
            notices = (await room.wait_for("new_chat_message", count=3))[1:]
            assert [n["estado"] for n in notices] == ["resuelto", "cerrado"]
            assert f"N.º {created['nro_ticket']}" in notices[0]["comentario"] and "resuelto" in notices[0]["comentario"]
            await panel.wait_for("ticket_updated", where=lambda e: e["estado"] == "cerrado")
            timeline = (await agent_c.get(f"/tickets/municipio/{tid}/timeline")).json()["timeline"]
            assert [e["estado"] for e in timeline if e["tipo"] == "estado"] == ["en_proceso", "resuelto", "cerrado"]
            await asyncio.sleep(0.3)
            assert len(room.named("new_chat_message")) == 3 and not bot.named("message")  # each once

            # Another browser of the same session that is not in the room (the newest widget, a filed complaint)
            # hears the news on the session room.
            other = await SocketRecorder().connect(
                server.url, auth={"entityToken": tenant.token}, headers={"X-Forwarded-For": "203.0.113.9"}
            )
            try:
                assert (await other.join(key))["ok"] is True
                await agent_c.put(f"/tickets/municipio/{tid}/estado", json={"estado": "en_proceso"})
                (news,) = await other.wait_for("message")
                assert news["estado"] == "en_proceso" and "en proceso" in news["respuesta"]
                await asyncio.sleep(0.3)
                assert not bot.named("message") and len(room.named("new_chat_message")) == 4
            finally:
                await other.close()
        finally:
            for s in (bot, room, panel):
                await s.close()


async def test_public_lookup_authorises_that_browser_for_that_ticket_only(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as c1, server.client() as c2:
        a = await file_complaint(c1, tenant, str(uuid.uuid4()))
        b = await file_complaint(c2, tenant, str(uuid.uuid4()))
    async with server.client() as browser, server.client() as other_browser:
        wrong = await browser.get(f"/tickets/municipio/por_numero/{a['nro_ticket']}", params={"pin": "000000x"})
        assert wrong.status_code == 404 and "error" in wrong.json() and "set-cookie" not in wrong.headers
        found = await browser.get(f"/tickets/municipio/por_numero/{a['nro_ticket']}", params={"pin": a["pin"]})
        assert found.status_code == 200
        body = found.json()
        assert body["nro_ticket"] == str(a["nro_ticket"]) and body["id"] == a["ticket_id"]  # the page calls .trim()
        cookie = found.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "max-age" in cookie.lower() and str(a["ticket_id"]) in cookie
        # The reference lookup page then asks for the timeline and messages without the PIN.
        timeline = await browser.get(f"/tickets/municipio/{a['ticket_id']}/timeline")
        assert timeline.status_code == 200 and timeline.json()["timeline"]
        messages = await browser.get(f"/tickets/chat/{a['ticket_id']}/mensajes")
        assert messages.status_code == 200 and messages.json()["ticket_id"] == a["ticket_id"]
        # Only that ticket, and only that browser.
        assert (await browser.get(f"/tickets/municipio/{b['ticket_id']}/timeline")).status_code == 403
        assert (await other_browser.get(f"/tickets/municipio/{a['ticket_id']}/timeline")).status_code == 403
        forged = {f"ventanilla_pin_{b['ticket_id']}": browser.cookies[f"ventanilla_pin_{a['ticket_id']}"]}
        async with server.client(cookies=forged) as forger:
            assert (await forger.get(f"/tickets/municipio/{b['ticket_id']}/timeline")).status_code == 403
        # The page's refresh (every 30 s) repeats the lookup with the number it got back, as a string.
        again = await browser.get(
            f"/tickets/municipio/por_numero/{body['nro_ticket'].strip()}", params={"pin": a["pin"]}
        )
        assert again.status_code == 200


def _read(value: str, shifted: bool) -> dt.datetime:
    """A date as a view reads it: `new Date(value)`, then minus 3 h in the views that shift."""
    assert value.endswith("+00:00"), value  # an explicit offset: every browser parses it exactly
    parsed = dt.datetime.fromisoformat(value)
    return parsed - SHIFT if shifted else parsed


async def test_dates_read_right_in_every_view(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_c:
        await login(agent_c, tenant.agents[0]["email"])
        bot = await SocketRecorder().connect(server.url, auth={"entityToken": tenant.token})
        panel = await SocketRecorder().connect(server.url, headers=session_cookie_header(agent_c))
        try:
            await bot.join(key)
            created = await file_complaint(citizen, tenant, key)
            tid = created["ticket_id"]
            await agent_c.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Vamos el lunes."})
            (event,) = await bot.wait_for("message")
            (comment,) = await panel.wait_for(
                "new_comment", where=lambda c: c["comment"]["comentario"] == "Vamos el lunes."
            )
            async with server.ctx.sessions() as session:
                ticket = await tickets_repo.get(session, tid)
                assert ticket is not None
                true_ticket = ticket.created_at.replace(tzinfo=dt.UTC)
                (message,) = [m for m in await tickets_repo.messages(session, tid) if m.author_kind == "agent"]
                true_message = message.created_at.replace(tzinfo=dt.UTC)

            def same(value: dt.datetime, truth: dt.datetime) -> None:
                assert abs(value - truth) < dt.timedelta(seconds=1), (value, truth)

            # Ticket list (TicketListItem shifts).
            listed = next(t for t in (await agent_c.get("/tickets")).json()["tickets"] if t["id"] == tid)
            same(_read(listed["fecha"], True), true_ticket)
            # Panel detail: header and history accordion shift; the conversation does not (it wins the conflict).
            detail = (await agent_c.get(f"/tickets/municipio/{tid}")).json()
            same(_read(detail["fecha"], True), true_ticket)
            same(_read(detail["historial"][0]["date"], True), true_ticket)
            (msg,) = [m for m in detail["mensajes"] if m["content"] == "Vamos el lunes."]
            same(_read(msg["timestamp"], False), true_message)
            # The citizen's own detail (ChatPage "Creado el": unshifted).
            own = (await citizen.get(f"/tickets/municipio/{tid}", headers=widget(tenant, key))).json()
            same(_read(own["fecha"], False), true_ticket)
            # Public lookup page: TicketLogisticsSummary and TicketTimeline shift everything they show.
            async with server.client() as browser:
                lookup = (
                    await browser.get(
                        f"/tickets/municipio/por_numero/{created['nro_ticket']}", params={"pin": created["pin"]}
                    )
                ).json()
                same(_read(lookup["fecha"], True), true_ticket)
                same(_read(lookup["historial"][0]["date"], True), true_ticket)
                (msg,) = [m for m in lookup["mensajes"] if m["content"] == "Vamos el lunes."]
                same(_read(msg["timestamp"], True), true_message)
                # Timeline (TicketTimeline: statuses and messages shifted).
                timeline = (await browser.get(f"/tickets/municipio/{tid}/timeline")).json()["timeline"]
                first = timeline[0]
                (entry,) = [e for e in timeline if e.get("comentario") == "Vamos el lunes."]
                same(_read(first["fecha"], True), true_ticket)
                same(_read(entry["fecha"], True), true_message)
                assert _read(entry["fecha"], True) >= _read(first["fecha"], True)
            # Conversation shapes: messages polling, the widget's `message`, the panel's `new_comment`.
            polled = (await citizen.get(f"/tickets/chat/{tid}/mensajes", headers=widget(tenant, key))).json()
            (msg,) = [m for m in polled["mensajes"] if m["texto"] == "Vamos el lunes."]
            same(_read(msg["fecha"], False), true_message)
            same(_read(event["fecha"], False), true_message)
            same(_read(comment["comment"]["fecha"], False), true_message)
            # Read as each view reads it, no message is dated before its ticket.
            assert _read(msg["fecha"], False) >= _read(listed["fecha"], True)
            assert _read(lookup["mensajes"][-1]["timestamp"], True) >= _read(lookup["fecha"], True)
        finally:
            await bot.close()
            await panel.close()


async def test_prioridad_urgente_on_every_shape_the_panel_reads(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_c:
        await login(agent_c, tenant.agents[0]["email"])
        panel = await SocketRecorder().connect(server.url, headers=session_cookie_header(agent_c))
        try:
            answer = (await citizen.post("/ask/municipio", json={"pregunta": GAS}, headers=widget(tenant, key))).json()
            tid = answer["ticket_id"]
            (new_ticket,) = await panel.wait_for("new_ticket")
            assert new_ticket["prioridad"] == "urgente"
            listed = next(t for t in (await agent_c.get("/tickets")).json()["tickets"] if t["id"] == tid)
            detail = (await agent_c.get(f"/tickets/municipio/{tid}")).json()
            polled = (await agent_c.get(f"/tickets/chat/{tid}/mensajes")).json()
            timeline = (await agent_c.get(f"/tickets/municipio/{tid}/timeline")).json()
            assert {listed["prioridad"], detail["prioridad"], polled["prioridad"], timeline["prioridad"]} == {"urgente"}
            await agent_c.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Ya vamos."})
            (comment,) = await panel.wait_for("new_comment", where=lambda c: c["comment"]["comentario"] == "Ya vamos.")
            (updated,) = await panel.wait_for("ticket_updated")
            assert comment["prioridad"] == "urgente" and updated["prioridad"] == "urgente"

            # A calm live chat that turns urgent: the panel hears it at once.
            calm_key = str(uuid.uuid4())
            handoff = await request_agent(citizen, tenant, calm_key)
            await citizen.post(
                "/ask/municipio",
                json={"pregunta": GAS, "contexto_previo": {"id_ticket_creado": handoff["ticket_id"]}},
                headers=widget(tenant, calm_key),
            )
            escalated = await panel.wait_for(
                "ticket_updated", where=lambda e: e["id"] == handoff["ticket_id"] and e["prioridad"] == "urgente"
            )
            assert escalated[0]["ticket_id"] == handoff["ticket_id"]
        finally:
            await panel.close()
