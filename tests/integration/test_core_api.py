"""The core service through a real server: accounts, bot intake, tickets, panel events, bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from tests.conftest import base_settings
from tests.support import (
    PASSWORD,
    Clock,
    Server,
    SocketRecorder,
    Tenant,
    file_complaint,
    login,
    running_server,
    seed_tenant,
    session_cookie_header,
    signed,
    widget_headers,
    widget_update,
)
from ventanilla.entities import repository as entities_repo
from ventanilla.tickets import service as tickets_service
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.service import NewTicket


async def test_login_me_and_notifications(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        bad = await client.post("/login", json={"email": tenant.agents[0]["email"], "password": "wrong-password"})
        assert bad.status_code == 401 and "error" in bad.json()
        data = await login(client, tenant.agents[0]["email"])
        assert data["token"] and data["rol"] == "empleado" and data["entityToken"] == tenant.token
        me = (await client.get("/me", headers={"Authorization": f"Bearer {data['token']}"})).json()
        assert me["rol"] == "empleado" and me["rubro"] and me["tipo_chat"] == "municipio"
        assert (await client.get("/notifications")).json() == {"email": True, "sms": False, "ticket": True}
        put = await client.put("/notifications", json={"ticket": False})
        assert put.json()["ticket"] is False
        assert (await client.get("/api/notifications")).json()["ticket"] is False
    async with server.client() as anon:
        assert (await anon.get("/me")).status_code == 401
        assert (await anon.get("/me", headers={"Authorization": "Bearer forged.token"})).status_code == 401


async def test_citizen_register_and_login_from_widget(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        r = await client.post(
            "/chatuserregisterpanel",
            json={
                "email": "vecino@example.org",
                "password": PASSWORD,
                "empresa_token": tenant.token,
                "nombre": "Vecino",
            },
        )
        assert r.status_code == 201 and r.json()["rol"] == "vecino"
        again = await client.post(
            "/chatuserregisterpanel",
            json={"email": "vecino@example.org", "password": PASSWORD, "empresa_token": tenant.token},
        )
        assert again.status_code == 409
        r = await client.post(
            "/chatuserloginpanel",
            json={"email": "vecino@example.org", "password": PASSWORD, "empresa_token": tenant.token},
        )
        assert r.status_code == 200 and r.json()["token"]
        assert (
            await client.get("/tickets", headers={"Authorization": f"Bearer {r.json()['token']}"})
        ).status_code == 403


async def test_greeting_and_complaint_intake_creates_one_ticket(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as client:
        r = await client.post(
            "/ask/municipio",
            json={"pregunta": "", "action": "initial_greeting"},
            headers=widget_headers(tenant, session_key),
        )
        greeting = r.json()
        assert greeting["respuesta"] and greeting["respuesta_usuario"] == greeting["respuesta"]
        assert {"texto": "Hablar con un representante", "action": "request_agent"} in greeting["botones"]
        assert r.headers.get("x-anon-id")
        key = str(uuid.uuid4())
        created = await file_complaint(client, tenant, session_key, key)
        assert isinstance(created["ticket_id"], int) and 0 < created["ticket_id"] < 2**53
        assert created["nro_ticket"] >= 1 and created["estado"] == "nuevo"
        again = await file_complaint(client, tenant, session_key, key)
        assert again["ticket_id"] == created["ticket_id"]
        other = await file_complaint(client, tenant, str(uuid.uuid4()))
        assert other["nro_ticket"] == created["nro_ticket"] + 1
        assert abs(other["ticket_id"] - created["ticket_id"]) > 1000

        agent = await login(client, tenant.agents[0]["email"])
        auth = {"Authorization": f"Bearer {agent['token']}"}
        listed = (await client.get("/tickets", headers=auth)).json()["tickets"]
        assert [t["id"] for t in listed].count(created["ticket_id"]) == 1
        ticket = (await client.get(f"/tickets/municipio/{created['ticket_id']}", headers=auth)).json()
        assert ticket["categoria"] == "Alumbrado público" and ticket["direccion"]
        assert ticket["nombre_usuario"] == "Ana Gómez" and ticket["email"] == "ana@example.org"
        assert ticket["channel"] == "web" and ticket["prioridad"] == "media"
        # The panel components' own field names.
        assert (
            ticket["display_name"] == ticket["name"] == "Ana Gómez" and ticket["description"] == ticket["descripcion"]
        )
        assert ticket["informacion_personal_vecino"]["telefono"] == "2615551234"
        created_at = dt.datetime.fromisoformat(ticket["fecha_utc"])
        assert dt.datetime.fromisoformat(ticket["fecha"]) - created_at == dt.timedelta(
            hours=3
        )  # the panel subtracts 3 h
        assert ticket["historial"][0]["status"] == "nuevo" and ticket["historial"][0]["date"]
        took = await client.post(f"/tickets/municipio/{created['ticket_id']}/asignar", headers=auth)
        assert took.status_code == 200
        ticket = (
            await client.get(f"/tickets/pyme/{created['ticket_id']}", headers=auth)
        ).json()  # any tipo in the path
        assert ticket["assignedAgent"]["nombre_usuario"] == agent["name"] and ticket["estado"] == "en_proceso"
        again = await client.put(
            f"/tickets/municipio/{created['ticket_id']}/estado", json={"estado": "en_proceso"}, headers=auth
        )
        assert again.status_code == 200  # setting the same status twice is not an error
        moved = await client.put(
            f"/tickets/chat/{created['ticket_id']}/ubicacion",
            json={"lat": -32.89, "lon": -68.84},
            headers=widget_headers(tenant, session_key),
        )
        assert moved.status_code == 200 and moved.json()["latitud"] == -32.89


async def test_panel_events_reach_only_the_entity_agents(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    stranger = await seed_tenant(server.ctx)
    async with server.client() as agent_client, server.client() as other_client, server.client() as citizen:
        agent = await login(agent_client, tenant.agents[0]["email"])
        await login(other_client, stranger.agents[0]["email"])
        panel = await SocketRecorder().connect(server.url, headers=session_cookie_header(agent_client))
        panel2 = await SocketRecorder().connect(server.url, auth={"token": agent["token"]})  # auth.token works too
        other = await SocketRecorder().connect(server.url, headers=session_cookie_header(other_client))
        anonymous = await SocketRecorder().connect(server.url, auth={"entityToken": tenant.token})
        try:
            session_key = str(uuid.uuid4())
            await anonymous.join(session_key)
            created = await file_complaint(citizen, tenant, session_key)
            for socket in (panel, panel2):
                (event,) = await socket.wait_for("new_ticket")
                assert event["id"] == created["ticket_id"] and event["nro_ticket"] == created["nro_ticket"]
                assert {"asunto", "estado", "prioridad", "tipo", "categoria", "fecha"} <= event.keys()
            room = f"ticket_municipio_{created['ticket_id']}"
            # A room socket of another browser of the same chat session (the bot socket above is not in the room,
            # so it still hears the news); it proves the session by joining its room first.
            widget_room = await SocketRecorder().connect(
                server.url,
                auth={"entityToken": tenant.token},
                transports=["polling", "websocket"],
                headers={"X-Forwarded-For": "198.51.100.7"},
            )
            assert (await widget_room.join(session_key))["ok"] is True
            assert (await widget_room.join(room))["ok"] is True
            reply = await agent_client.post(
                f"/tickets/municipio/{created['ticket_id']}/responder",
                json={"comentario": "Ya enviamos una cuadrilla."},
            )
            assert reply.status_code == 200, reply.text
            # A complaint filed from the widget hears its news on the chat-session room (the widget's bot socket),
            # and every agent reply reaches the ticket room too.
            (chat,) = await anonymous.wait_for("message")
            assert (
                chat["respuesta"] == signed(tenant.agents[0], "Ya enviamos una cuadrilla.")
                and chat["estado"] == "en_proceso"
            )
            assert chat["ticket_id"] == created["ticket_id"] and chat["origen"] and chat["fecha"] and chat["id"]
            assert chat["nro_ticket"] == created["nro_ticket"]
            status, comment = await panel.wait_for("new_comment", 2)
            # The reference panel reads the status from `new_comment` only: the change first, then the reply.
            assert status["estado"] == "en_proceso" and status["comment"]["comentario"] == "Estado: En proceso"
            assert comment["ticketId"] == created["ticket_id"] and comment["estado"] == "en_proceso"
            assert comment["comment"]["comentario"] == "Ya enviamos una cuadrilla." and comment["comment"]["fecha"]
            await asyncio.sleep(0.3)
            for silent in (other, anonymous):
                assert not silent.named("new_ticket") and not silent.named("new_comment"), silent.events
            (in_room,) = widget_room.named("new_chat_message")
            assert (
                in_room["comentario"] == signed(tenant.agents[0], "Ya enviamos una cuadrilla.")
                and in_room["es_admin"] is True
            )
            assert len(anonymous.named("message")) == 1
            await widget_room.close()
        finally:
            for s in (panel, panel2, other, anonymous):
                await s.close()


async def test_ticket_room_join_rejects_unknown_rooms(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    sock = await SocketRecorder().connect(server.url, auth={"entityToken": tenant.token})
    try:
        assert (await sock.join("ticket_municipio_999999999"))["ok"] is False
        assert (await sock.join(f"panel:{tenant.id}"))["ok"] is False
        assert (await sock.join(""))["ok"] is False
    finally:
        await sock.close()


async def test_citizen_views_status_timeline_and_pin_lookup(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_client:
        created = await file_complaint(citizen, tenant, session_key)
        tid = created["ticket_id"]
        await login(agent_client, tenant.agents[0]["email"])
        await agent_client.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Primera respuesta"})
        mine = await citizen.get(f"/tickets/chat/{tid}/mensajes", headers=widget_headers(tenant, session_key))
        assert mine.status_code == 200
        msgs = mine.json()["mensajes"]
        assert msgs[-1]["comentario"] == "Primera respuesta" and msgs[-1]["es_admin"] is True
        assert {"author", "content", "timestamp", "texto", "fecha"} <= msgs[-1].keys()
        last_id = msgs[-1]["id"]
        r = await citizen.post(
            f"/tickets/chat/{tid}/responder_ciudadano",
            json={"comentario": "Gracias!"},
            headers=widget_headers(tenant, session_key),
        )
        assert r.status_code == 200, r.text
        await agent_client.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "De nada"})
        missed = (
            await citizen.get(
                f"/tickets/chat/{tid}/mensajes?ultimo_mensaje_id={last_id}", headers=widget_headers(tenant, session_key)
            )
        ).json()["mensajes"]
        assert [m["comentario"] for m in missed] == ["De nada"]  # their own chat message is already on screen
        staff_view = (await agent_client.get(f"/tickets/chat/{tid}/mensajes?ultimo_mensaje_id={last_id}")).json()
        assert [m["comentario"] for m in staff_view["mensajes"]] == ["Gracias!", "De nada"]
        intruder = await citizen.get(f"/tickets/chat/{tid}/mensajes", headers=widget_headers(tenant, str(uuid.uuid4())))
        assert intruder.status_code == 403
        status = await agent_client.put(f"/tickets/municipio/{tid}/estado", json={"estado": "resuelto"})
        assert status.status_code == 200
        timeline = (await agent_client.get(f"/tickets/municipio/{tid}/timeline")).json()
        kinds = [item["tipo"] for item in timeline["timeline"]]
        assert kinds[0] == "ticket_creado" and "comentario" in kinds and "estado" in kinds
        assert timeline["estado_chat"] == "resuelto"
        ticket = (await agent_client.get(f"/tickets/municipio/{tid}")).json()
        pin_lookup = await citizen.get(
            f"/tickets/municipio/por_numero/{ticket['nro_ticket']}",
            params={"pin": created["pin"]},
            headers={"X-Entity-Token": tenant.token},
        )
        assert pin_lookup.status_code == 200 and pin_lookup.json()["id"] == tid
        wrong = await citizen.get(f"/tickets/municipio/por_numero/{ticket['nro_ticket']}", params={"pin": "000000x"})
        assert wrong.status_code == 404 and "error" in wrong.json()


async def test_an_agent_opening_a_ticket_marks_it_read_and_leido_does_the_same(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_client:
        created = await file_complaint(citizen, tenant, session_key)
        tid = created["ticket_id"]
        await login(agent_client, tenant.agents[0]["email"])
        await agent_client.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Ya lo vemos"})

        async def citizen_writes(text: str) -> None:
            r = await citizen.post(
                f"/tickets/chat/{tid}/responder_ciudadano",
                json={"comentario": text},
                headers=widget_headers(tenant, session_key),
            )
            assert r.status_code == 200, r.text

        async def unread() -> bool:
            listed = (await agent_client.get("/tickets")).json()["tickets"]
            return bool(next(t for t in listed if t["id"] == tid)["hasUnreadMessages"])

        await citizen_writes("¿Hay novedades?")
        assert await unread()
        # The citizen reading their own ticket clears nothing; the agent opening it does (what both panels rely on).
        assert (await citizen.get(f"/tickets/municipio/{tid}", headers=widget_headers(tenant, session_key))).is_success
        assert await unread()
        assert (await agent_client.get(f"/tickets/municipio/{tid}")).status_code == 200
        assert not await unread()
        # The same write on its own.
        await citizen_writes("¿Y ahora?")
        assert await unread()
        refused = await citizen.post(f"/tickets/municipio/{tid}/leido", headers=widget_headers(tenant, session_key))
        assert refused.status_code in (401, 403) and await unread()
        marked = await agent_client.post(f"/tickets/municipio/{tid}/leido")
        assert marked.status_code == 200 and marked.json() == {"ok": True}
        assert not await unread()


async def test_bad_input_gets_clear_json_errors_and_changes_nothing(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    stranger = await seed_tenant(server.ctx)
    async with server.client() as client, server.client() as agent_client, server.client() as stranger_client:
        created = await file_complaint(client, tenant, str(uuid.uuid4()))
        tid = created["ticket_id"]
        await login(agent_client, tenant.agents[0]["email"])
        await login(stranger_client, stranger.agents[0]["email"])
        headers = widget_headers(tenant)
        cases = [
            (
                await client.post(
                    "/ask/municipio", content=b"{not json", headers={**headers, "Content-Type": "application/json"}
                ),
                400,
            ),
            (
                await client.post(
                    "/ask/municipio", content=b"x" * 70_000, headers={**headers, "Content-Type": "application/json"}
                ),
                413,
            ),
            (await client.post("/ask/municipio", json={"pregunta": "hola"}, headers={"X-Entity-Token": "nope"}), 401),
            (await client.post("/ask/municipio", json={"pregunta": "x" * 4001}, headers=headers), 413),
            (await client.post("/ask/municipio", json={"pregunta": 12, "contexto_previo": "x"}, headers=headers), 422),
            (await client.post("/ask/otro", json={"pregunta": "hola"}, headers=headers), 422),
            (await agent_client.get("/tickets/municipio/123456789"), 404),
            (await stranger_client.get(f"/tickets/municipio/{tid}"), 404),
            (await stranger_client.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "hola"}), 404),
            (await agent_client.put(f"/tickets/municipio/{tid}/estado", json={"estado": "volando"}), 400),
            (await agent_client.put(f"/tickets/municipio/{tid}/estado", json={"estado": "en_vivo"}), 409),
            (await agent_client.put(f"/tickets/municipio/{tid}/estado", json={}), 422),
            (await agent_client.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "   "}), 400),
            (await agent_client.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "y" * 4001}), 413),
            (await client.get("/tickets"), 401),
            (await client.get("/pedidos"), 404),
        ]
        for response, status in cases:
            assert response.status_code == status, (response.request.url, response.status_code, response.text)
            assert isinstance(response.json().get("error"), str) and response.json()["error"]
        ticket = (await agent_client.get(f"/tickets/municipio/{tid}")).json()
        # Nothing stored: the panel's conversation holds only the complaint's own words (not a stored message).
        assert ticket["estado"] == "nuevo" and [m["id"] for m in ticket["mensajes"]] == [f"descripcion-{tid}"]


async def test_cors_preflight_and_api_prefix(server: Server) -> None:
    async with server.client() as client:
        r = await client.options(
            "/api/ask/municipio",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-entity-token,x-chat-session-id,authorization,anon-id",
            },
        )
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert r.headers["access-control-allow-credentials"] == "true"
        r = await client.get("/api/health", headers={"Origin": "http://localhost:5173"})
        assert r.json() == {"status": "ok"} and "X-Anon-Id" in r.headers.get("access-control-expose-headers", "")
        assert (await client.get("/docs")).status_code == 200


async def test_security_edges(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    stranger = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_c, server.client() as other_c:
        created = await file_complaint(citizen, tenant, session_key, key="clave-fija-123")
        tid = created["ticket_id"]
        # Oversized ids are not found, never a 500.
        for url in (
            f"/tickets/chat/{10**30}/mensajes",
            f"/tickets/municipio/{10**30}",
            f"/tickets/chat/{tid}/mensajes?ultimo_mensaje_id={10**30}",
        ):
            r = await citizen.get(url, headers=widget_headers(tenant, session_key))
            assert r.status_code in (404, 422) and r.json()["error"], (url, r.status_code)
        r = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "hola", "ticket_id": 10**30, "contexto_previo": {"id_ticket_creado": -1e300}},
            headers=widget_headers(tenant, session_key),
        )
        assert r.status_code == 400 and r.json()["error"]  # no integer beyond 64 bits gets past the edge
        # Nor a number written with an exponent beyond them (JSON Schema calls -1e300 an integer; the document says so).
        r = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "hola", "contexto_previo": {"id_ticket_creado": -1e300}},
            headers=widget_headers(tenant, session_key),
        )
        assert r.status_code == 400 and r.json()["error"]
        r = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "hola", "ticket_id": 2**62, "contexto_previo": {"id_ticket_creado": -1.5e18}},
            headers=widget_headers(tenant, session_key),
        )
        assert r.status_code == 200
        # Another conversation reusing the idempotency key does not get the ticket (nor its PIN).
        r = await citizen.post(
            "/ask/municipio",
            json={
                "pregunta": "",
                "action": "confirmar_reclamo",
                "idempotency_key": "clave-fija-123",
                "contexto_previo": {
                    "estado_conversacion": "confirmando_reclamo",
                    "datos_reclamo": {"categoria": "Otros", "descripcion": "x", "ubicacion": "y"},
                },
                "datos_personales": {"nombre": "Otro", "email": "otro@example.org"},
            },
            headers=widget_headers(tenant, str(uuid.uuid4())),
        )
        assert r.status_code == 409 and "pin" not in r.text
        # Staff of another entity cannot join this entity's ticket room.
        await login(other_c, stranger.agents[0]["email"])
        other_socket = await SocketRecorder().connect(server.url, headers=session_cookie_header(other_c))
        try:
            assert (await other_socket.join(f"ticket_municipio_{tid}"))["ok"] is False
        finally:
            await other_socket.close()
        # Logout revokes the token everywhere.
        data = await login(agent_c, tenant.agents[0]["email"])
        bearer = {"Authorization": f"Bearer {data['token']}"}
        assert (await agent_c.get("/me", headers=bearer)).status_code == 200
        assert (await agent_c.post("/logout", headers=bearer)).status_code == 200
        assert (await agent_c.get("/me", headers=bearer)).status_code == 401
        # Control characters never reach names (they would break email headers).
        r = await citizen.post(
            "/register",
            json={
                "name": "X",
                "email": f"e{uuid.uuid4().hex[:6]}@example.org",
                "password": "una-clave-larga",
                "nombre_empresa": "Evil\r\nBcc: x@y.z",
                "tipo_chat": "pyme",
                "acepto_terminos": True,
            },
        )
        assert r.status_code == 201 and "\n" not in r.json()["nombre_empresa"]


async def widget_intake(server: Server, tenant: Tenant, turns: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Play turns with the widget's own context handling, confirm, and read the ticket as an agent."""
    headers = widget_headers(tenant)
    context: dict[str, Any] = {"estado_conversacion": "inicio", "datos_reclamo": {}, "id_ticket_creado": None}
    async with server.client() as client:
        for turn in turns:
            r = (await client.post("/ask/municipio", json={**turn, "contexto_previo": context}, headers=headers)).json()
            context = widget_update(context, r)
        assert context["estado_conversacion"] == "confirmando_reclamo", r
        personal = {"nombre": "Ana Gómez", "email": "ana@example.org"}
        confirm = {
            "pregunta": "",
            "action": "confirmar_reclamo",
            "contexto_previo": context,
            "idempotency_key": key,
            "datos_personales": personal,
        }
        created = (await client.post("/ask/municipio", headers=headers, json=confirm)).json()
        assert isinstance(created.get("ticket_id"), int), created
        agent = await login(client, tenant.agents[0]["email"])
        bearer = {"Authorization": f"Bearer {agent['token']}"}
        return dict((await client.get(f"/tickets/municipio/{created['ticket_id']}", headers=bearer)).json())


async def test_intake_works_with_the_widgets_own_context_handling(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    turns = [{"pregunta": "Hay una luminaria apagada hace una semana"}, {"pregunta": "Av. San Martín 1234"}]
    ticket = await widget_intake(server, tenant, turns, "k-1")
    assert ticket["categoria"] == "Alumbrado público" and ticket["direccion"] == "Av. San Martín 1234"


async def test_a_category_chosen_by_button_survives_the_widgets_context(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    turns: list[dict[str, Any]] = [
        {"pregunta": "", "action": "iniciar_reclamo"},
        {"pregunta": "Ruidos molestos", "action": "set_categoria", "payload": {"categoria": "Ruidos molestos"}},
        {"pregunta": "Todas las noches pasa lo mismo en la esquina y nadie hace nada"},
        {"pregunta": "Calle Falsa 123"},
    ]
    ticket = await widget_intake(server, tenant, turns, "k-2")
    assert ticket["categoria"] == "Ruidos molestos"


async def test_a_new_location_is_history_and_reaches_the_panel(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as agent_client, server.client() as citizen:
        await login(agent_client, tenant.agents[0]["email"])
        panel = await SocketRecorder().connect(server.url, headers=session_cookie_header(agent_client))
        try:
            session_key = str(uuid.uuid4())
            created = await file_complaint(citizen, tenant, session_key)
            path = f"/tickets/chat/{created['ticket_id']}/ubicacion"
            body = {"lat": -32.8901, "lon": -68.8402, "direccion": "Belgrano 540"}
            moved = await citizen.put(path, json=body, headers=widget_headers(tenant, session_key))
            assert moved.status_code == 200 and moved.json()["direccion"] == "Belgrano 540"
            (event,) = await panel.wait_for("ticket_updated")
            assert event["ticket_id"] == created["ticket_id"] and event["direccion"] == "Belgrano 540"
            assert event["latitud"] == -32.8901
            again = await citizen.put(path, json=body, headers=widget_headers(tenant, session_key))
            assert again.status_code == 200  # the same place again changes nothing
            timeline = (await agent_client.get(f"/tickets/municipio/{created['ticket_id']}/timeline")).json()[
                "timeline"
            ]
            moves = [item for item in timeline if item["tipo"] == "ubicacion"]
            assert len(moves) == 1 and "Belgrano 540" in moves[0]["detalle"]
        finally:
            await panel.close()


async def test_the_public_lookup_finds_its_ticket_among_more_entities_than_it_reads(tmp_root: Path) -> None:
    # Every entity numbers its tickets from 1: with more entities than the 50 candidates the lookup reads, the
    # one whose PIN matches must still be among them (it was cut off, and a right PIN answered 404).
    tag = uuid.uuid4().hex[:6]
    settings = base_settings(tmp_root / f"many-{tag}", f"sqlite+aiosqlite:///{tmp_root / f'many-{tag}.db'}")
    async with running_server(settings, Clock()) as srv:
        made: list[Ticket] = []
        for _ in range(55):
            tenant = await seed_tenant(srv.ctx)
            async with srv.ctx.uow() as uow:
                entity = await entities_repo.get(uow.session, tenant.id)
                assert entity is not None
                ticket, _ = await tickets_service.create_ticket(uow, entity, NewTicket(asunto="Luminaria apagada"))
                await uow.commit()
            made.append(ticket)
        assert {t.nro_ticket for t in made} == {1}
        async with srv.client() as citizen:
            for ticket in (made[0], made[-1]):
                found = await citizen.get("/tickets/municipio/por_numero/1", params={"pin": ticket.pin})
                assert found.status_code == 200, found.text
                assert found.json()["id"] == ticket.id
