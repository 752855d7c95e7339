"""Live chat end to end: hours, handoff, queue, assignment, rooms, with real sockets (Python and Node)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx
import pytest

from tests.support import (
    NodeClient,
    Server,
    SocketRecorder,
    Tenant,
    login,
    node_available,
    seed_tenant,
    session_cookie_header,
    signed,
)
from ventanilla.entities import hours
from ventanilla.entities import service as entities

ASK = "/ask/municipio"


def widget(tenant: Tenant, session_key: str) -> dict[str, str]:
    """Headers of the widget."""
    return {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": session_key}


async def request_agent(client: httpx.AsyncClient, tenant: Tenant, session_key: str) -> dict[str, Any]:
    """Press the widget's 'Hablar con un representante' button."""
    r = await client.post(
        ASK,
        json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
        headers=widget(tenant, session_key),
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def panel_socket(server: Server, client: httpx.AsyncClient) -> SocketRecorder:
    """An agent's panel socket identified by the login cookie, like the frontend's."""
    return await SocketRecorder().connect(server.url, headers=session_cookie_header(client))


async def test_handoff_with_real_sockets(server: Server) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx, agents=1)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as admin_c, server.client() as agent_c:
        await login(admin_c, tenant.admin["email"])
        agent_login = await login(agent_c, tenant.agents[0]["email"])
        observer = await panel_socket(server, admin_c)
        bot_socket = await NodeClient.start(
            {"url": server.url, "auth": {"entityToken": tenant.token}, "join": session_key, "transports": ["websocket"]}
        )
        room: NodeClient | None = None
        agent_socket: SocketRecorder | None = None
        try:
            greeting = (
                await citizen.post(
                    ASK, json={"pregunta": "", "action": "initial_greeting"}, headers=widget(tenant, session_key)
                )
            ).json()
            assert {"texto": "Hablar con un representante", "action": "request_agent"} in greeting["botones"]
            handoff = await request_agent(citizen, tenant, session_key)
            tid = handoff["ticket_id"]
            assert isinstance(tid, int) and handoff["nro_ticket"] >= 1
            assert handoff["estado"] == "esperando_agente_en_vivo" and "1" in handoff["respuesta"]
            (new_ticket,) = await observer.wait_for("new_ticket")
            assert new_ticket["id"] == tid and new_ticket["estado"] == "esperando_agente_en_vivo"

            again = await request_agent(citizen, tenant, session_key)
            assert again["ticket_id"] == tid

            # The widget's live-chat room socket: no auth, starts on polling and upgrades, like the frontend's.
            room = await NodeClient.start(
                {"url": server.url, "join": f"ticket_municipio_{tid}", "transports": ["polling", "websocket"]}
            )
            agent_socket = await panel_socket(server, agent_c)
            # An open live chat speaks in its ticket room (both widgets have joined it), not also in the session room.
            (joined,) = await room.wait_for("new_chat_message")
            assert joined["es_admin"] is True and agent_login["name"] in joined["comentario"]
            assert {"id", "comentario", "es_admin", "fecha", "origen", "ticket_id"} <= joined.keys()
            comment = (await observer.wait_for("new_comment", where=lambda c: c["estado"] == "en_vivo"))[0]
            assert comment["ticketId"] == tid

            sent = await citizen.post(
                ASK,
                json={
                    "pregunta": "Hola, se me inundó el sótano de a poco",
                    "contexto_previo": {"id_ticket_creado": tid},
                },
                headers=widget(tenant, session_key),
            )
            assert sent.status_code == 200 and sent.json()["ticket_id"] == tid and sent.json()["respuesta"]
            await agent_socket.wait_for("new_comment", where=lambda c: "sótano" in c["comment"]["comentario"])

            reply = await agent_c.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "¿En qué dirección?"})
            assert reply.status_code == 200
            messages = await room.wait_for("new_chat_message", count=2)
            assert (
                messages[-1]["comentario"] == signed(tenant.agents[0], "¿En qué dirección?")
                and messages[-1]["es_admin"] is True
            )
            assert not any("sótano" in m["comentario"] for m in room.named("new_chat_message")), "citizen echoed"

            closed = await agent_c.put(f"/tickets/municipio/{tid}/estado", json={"estado": "resuelto"})
            assert closed.status_code == 200
            # Closing posts a goodbye to the room; this browser's bot socket, already in the room, does not get it again.
            goodbye = (await room.wait_for("new_chat_message", count=3))[-1]
            assert "cerrada" in goodbye["comentario"] and goodbye["estado"] == "resuelto" and goodbye["es_admin"]
            polled = (await citizen.get(f"/tickets/chat/{tid}/mensajes", headers=widget(tenant, session_key))).json()
            assert polled["estado_chat"] == "resuelto"
            await bot_socket.drain(0.2)
            assert not bot_socket.named("new_comment") and not bot_socket.named("new_ticket")
            assert not bot_socket.named("message") and len(room.named("new_chat_message")) == 3
        finally:
            for closer in (observer, agent_socket, room, bot_socket):
                if closer is not None:
                    await closer.close()


def _set_hours(server: Server, tenant: Tenant, schedule: hours.Schedule) -> Any:
    async def apply() -> None:
        async with server.ctx.uow() as uow:
            entity = await entities.require(uow.session, tenant.id)
            entities.set_schedule(entity, schedule)
            await uow.commit()
        server.ctx.entity_cache.forget(tenant.token)

    return apply()


@pytest.mark.parametrize(
    ("utc_now", "is_open"),
    [
        ("2026-11-27T13:00:00+00:00", True),  # Friday 10:00 in Buenos Aires
        ("2026-11-27T21:30:00+00:00", False),  # Friday 18:30: closed between ranges
        ("2026-11-28T04:30:00+00:00", True),  # Saturday 01:30: Friday's 22:00-02:00 range past midnight
        ("2026-11-28T05:30:00+00:00", False),  # Saturday 02:30
        ("2026-12-08T13:00:00+00:00", False),  # Tuesday 10:00 but a holiday
        ("2026-11-27T11:30:00+00:00", False),  # 11:30 UTC is 08:30 local: the entity's zone decides, not UTC
    ],
)
async def test_business_hours_decide_the_button_and_request_agent(server: Server, utc_now: str, is_open: bool) -> None:
    tenant = await seed_tenant(server.ctx, agents=1)
    weekly = hours.parse_cli("lun-vie", ["09:00-17:00"], "America/Argentina/Buenos_Aires", []).weekly
    friday = weekly[4] + (hours.TimeRange(dt.time(22, 0), dt.time(2, 0)),)
    schedule = hours.Schedule(
        weekly=(*weekly[:4], friday, *weekly[5:]),
        timezone="America/Argentina/Buenos_Aires",
        closed_dates=frozenset({dt.date(2026, 12, 8)}),
    )
    await _set_hours(server, tenant, schedule)
    server.clock.now = dt.datetime.fromisoformat(utc_now)
    try:
        async with server.client() as citizen:
            key = str(uuid.uuid4())
            greeting = (
                await citizen.post(
                    ASK, json={"pregunta": "", "action": "initial_greeting"}, headers=widget(tenant, key)
                )
            ).json()
            has_button = any(b.get("action") == "request_agent" for b in greeting["botones"])
            assert has_button is is_open
            profile = (await citizen.get("/perfil", headers={"X-Entity-Token": tenant.token})).json()
            assert isinstance(profile["horario"]["start_hour"], int) and isinstance(profile["horario"]["end_hour"], int)
            schedule_info = (await citizen.get(f"/live-chat/schedule?entityToken={tenant.token}")).json()
            assert (
                schedule_info["available"] is is_open and schedule_info["timezone"] == "America/Argentina/Buenos_Aires"
            )
            answer = await request_agent(citizen, tenant, key)
            if is_open:
                assert isinstance(answer.get("ticket_id"), int)
            else:
                assert "ticket_id" not in answer and answer["respuesta"]
                assert not any(b.get("action") == "request_agent" for b in answer["botones"])
    finally:
        server.clock.now = None


async def test_queue_order_with_one_agent_of_capacity_one(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1, capacity=1)
    async with server.client() as c1, server.client() as c2, server.client() as c3, server.client() as agent_c:
        await login(agent_c, tenant.agents[0]["email"])
        agent_socket = await panel_socket(server, agent_c)
        try:
            first = await request_agent(c1, tenant, k1 := str(uuid.uuid4()))
            second = await request_agent(c2, tenant, k2 := str(uuid.uuid4()))
            third = await request_agent(c3, tenant, str(uuid.uuid4()))
            assert first["estado"] == "en_vivo"
            assert second["estado"] == "esperando_agente_en_vivo" and second["posicion_en_fila"] == 1
            assert third["posicion_en_fila"] == 2
            await agent_c.put(f"/tickets/municipio/{first['ticket_id']}/estado", json={"estado": "cerrado"})
            status2 = (await c2.get(f"/tickets/chat/{second['ticket_id']}/mensajes", headers=widget(tenant, k2))).json()
            status3 = (await agent_c.get(f"/tickets/municipio/{third['ticket_id']}")).json()
            assert status2["estado_chat"] == "en_vivo" and status3["estado"] == "esperando_agente_en_vivo"
            closed = await c1.post(
                f"/tickets/chat/{first['ticket_id']}/responder_ciudadano",
                json={"comentario": "hola?"},
                headers=widget(tenant, k1),
            )
            assert closed.status_code == 409
        finally:
            await agent_socket.close()


async def test_least_loaded_agent_gets_the_chat(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=3, capacity=3)
    clients = [httpx.AsyncClient(base_url=server.url, timeout=15) for _ in range(3)]
    sockets = []
    try:
        for client, agent in zip(clients, tenant.agents, strict=True):
            await login(client, agent["email"])
            sockets.append(await panel_socket(server, client))
        owners = []
        async with server.client() as citizen:
            for _ in range(3):
                answer = await request_agent(citizen, tenant, str(uuid.uuid4()))
                ticket = (await clients[0].get(f"/tickets/municipio/{answer['ticket_id']}")).json()
                owners.append((answer["ticket_id"], ticket["assigned_agent_id"]))
            assert sorted(o for _, o in owners) == sorted(a["id"] for a in tenant.agents)
            freed_ticket, freed_agent = owners[1]
            index = [a["id"] for a in tenant.agents].index(freed_agent)
            await clients[index].put(f"/tickets/municipio/{freed_ticket}/estado", json={"estado": "resuelto"})
            answer = await request_agent(citizen, tenant, str(uuid.uuid4()))
            ticket = (await clients[0].get(f"/tickets/municipio/{answer['ticket_id']}")).json()
            assert ticket["assigned_agent_id"] == freed_agent
    finally:
        for sock in sockets:
            await sock.close()
        for client in clients:
            await client.aclose()


async def test_live_chat_bad_input_changes_nothing(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1)
    stranger = await seed_tenant(server.ctx, agents=1)
    async with server.client() as citizen, server.client() as admin_c, server.client() as other_c:
        await login(admin_c, tenant.admin["email"])
        await login(other_c, stranger.agents[0]["email"])
        handoff = await request_agent(citizen, tenant, str(uuid.uuid4()))
        tid = handoff["ticket_id"]
        assert (await other_c.post(f"/tickets/municipio/{tid}/asignar")).status_code == 404
        assert (await admin_c.post("/tickets/municipio/42/asignar")).status_code == 404
        before = (await admin_c.get("/live-chat/hours")).json()
        bad_hours = [
            {"timezone": "America/Argentina/Buenos_Aires", "days": {"lunes": [{"start": "09:00", "end": "25:00"}]}},
            {"timezone": "America/Argentina/Buenos_Aires", "days": {"lunes": [{"start": "18:00", "end": "09:00"}]}},
            {"timezone": "Marte/Olympus", "days": {"lunes": [{"start": "09:00", "end": "17:00"}]}},
        ]
        for body in bad_hours:
            r = await admin_c.put("/live-chat/hours", json=body)
            assert r.status_code == 400 and r.json()["error"], r.text
        r = await admin_c.put("/perfil", json={"horario_json": '[{"dia": "Lunes", "abre": "9", "cierra": "x"}]'})
        assert r.status_code == 400 and r.json()["error"]
        assert (await admin_c.get("/live-chat/hours")).json() == before
        ok = await admin_c.put(
            "/live-chat/hours",
            json={
                "timezone": "America/Argentina/Cordoba",
                "days": {"viernes": [{"start": "22:00", "end": "02:00", "overnight": True}]},
                "closed_dates": ["2026-12-25"],
            },
        )
        assert ok.status_code == 200, ok.text
        frontend_week = [
            {"dia": d, "abre": "08:00", "cierra": "16:00", "cerrado": False}
            for d in ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes")
        ]
        frontend_week += [{"dia": d, "abre": "", "cierra": "", "cerrado": True} for d in ("Sábado", "Domingo")]
        saved = await admin_c.put("/perfil", json={"horario_json": json.dumps(frontend_week)})
        assert saved.status_code == 200, saved.text
        me = (await admin_c.get("/me")).json()
        assert me["horario_json"][0]["abre"] == "08:00" and me["horario_json"][6]["cerrado"] is True
