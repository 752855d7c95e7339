"""Issue 19, panel side, driven as each panel version drives the backend: the citizen's live messages stay on the
newest panel's screen, both panels follow every status change, urgent live chats never wait, and the newest panel's
statistics, categories, employees and the portal's "Mis reclamos" answer with real data."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import base_settings, fresh_database
from tests.integration.test_newest_frontend import admin_login, slug_of
from tests.support import (
    SELF_HARM,
    Clock,
    NodeClient,
    Server,
    SocketRecorder,
    Tenant,
    file_complaint,
    login,
    node_available,
    running_server,
    seed_tenant,
    session_cookie_header,
    widget_headers,
)
from ventanilla.entities import repository as entities_repo
from ventanilla.notifications.models import EmailOutbox
from ventanilla.stats.service import STATUS_LABELS
from ventanilla.tickets import service as tickets

pytestmark = pytest.mark.skipif(node_available() is not None, reason=str(node_available()))


def newest_panel(server: Server, token: str, http: httpx.AsyncClient, slug: str, room: str | None) -> dict[str, Any]:
    """985c1f40's SocketContext: websocket then polling, cookie, auth {token}, query {tenant, tenant_slug}, then
    `subscribe_ticket_updates {token}` and, with a conversation open, `join {room: ticket-{tipo}-{id}}`."""
    emits: list[dict[str, Any]] = [{"name": "subscribe_ticket_updates", "data": {"token": token}}]
    if room:
        emits.append({"name": "join", "data": {"room": room}})
    return {
        "url": server.url,
        "transports": ["websocket", "polling"],
        "auth": {"token": token},
        "query": {"tenant": slug, "tenant_slug": slug},
        "headers": session_cookie_header(http),
        "emits": emits,
    }


def reference_panel(server: Server, http: httpx.AsyncClient) -> dict[str, Any]:
    """63f867f1's useTicketUpdates: websocket only, the login cookie, no auth object, no join."""
    return {"url": server.url, "transports": ["websocket"], "headers": session_cookie_header(http)}


async def test_newest_panel_keeps_live_messages_and_both_panels_follow_every_status(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=2)
    slug = await slug_of(server, tenant)
    session_key = str(uuid.uuid4())
    async with server.client() as newest_http, server.client() as ref_http, server.client() as citizen:
        token = (await admin_login(newest_http, tenant.agents[0]["email"], slug))["token"]
        await login(ref_http, tenant.agents[1]["email"])
        created = await file_complaint(citizen, tenant, session_key)
        ticket_id = created["ticket_id"]

        # The list item the newest panel selects: `history` and no `messages`, so neither the details pane nor the
        # conversation keeps a copy of the messages; the conversation re-reads /mensajes whenever the ticket changes.
        listed = (await newest_http.get("/tickets", headers={"Authorization": f"Bearer {token}"})).json()["tickets"]
        item = next(t for t in listed if t["id"] == ticket_id)
        assert isinstance(item["history"], list) and item["history"][0]["tipo"] == "ticket_creado"
        assert "messages" not in item and "mensajes" not in item

        viewer = await NodeClient.start(newest_panel(server, token, newest_http, slug, f"ticket-municipio-{ticket_id}"))
        reference = await NodeClient.start(reference_panel(server, ref_http))
        try:
            assert viewer.events[-1]["acks"] == [{"ok": True}, {"ok": True}]
            said = await citizen.post(
                f"/tickets/chat/{ticket_id}/responder_ciudadano",
                json={"comentario": "Sigue apagada, ¿vienen hoy?"},
                headers=widget_headers(tenant, session_key),
            )
            assert said.status_code == 200, said.text
            (live,) = await viewer.wait_for("new_comment")
            # What ConversationPanel appends (`data.ticket_id === selectedTicket.id && data.comment`), with no
            # `estado`: an `estado` makes TicketContext update the ticket and the conversation redraw.
            assert live["ticket_id"] == ticket_id and isinstance(live["ticket_id"], int)
            assert (
                live["comment"]["comentario"] == "Sigue apagada, ¿vienen hoy?" and live["comment"]["es_admin"] is False
            )
            assert "estado" not in live
            (ref_live,) = await reference.wait_for("new_comment")
            assert ref_live["ticketId"] == ticket_id and ref_live["estado"] == "nuevo"  # the reference needs it

            # The first agent reply moves the ticket to en_proceso: both panels hear the change as `new_comment`.
            reply = await ref_http.post(
                f"/tickets/municipio/{ticket_id}/responder", json={"comentario": "Hoy pasamos."}
            )
            assert reply.status_code == 200, reply.text
            newest_events = await viewer.wait_for("new_comment", 3)
            status, answer = newest_events[1], newest_events[2]
            assert status["ticket_id"] == ticket_id and status["estado"] == "en_proceso"
            assert status["comment"]["comentario"] == "Estado: En proceso"
            assert answer["comment"]["comentario"] == "Hoy pasamos." and "estado" not in answer
            ref_events = await reference.wait_for("new_comment", 3)
            assert [e["estado"] for e in ref_events] == ["nuevo", "en_proceso", "en_proceso"]
            assert all(e["comment"]["comentario"] for e in ref_events)

            # A manual change reaches both, and the re-read conversation holds everything said.
            changed = await ref_http.put(f"/tickets/municipio/{ticket_id}/estado", json={"estado": "resuelto"})
            assert changed.status_code == 200, changed.text
            resolved = (await viewer.wait_for("new_comment", 4))[3]
            assert resolved["estado"] == "resuelto" and resolved["ticket_id"] == ticket_id
            assert (await reference.wait_for("new_comment", 4))[3]["estado"] == "resuelto"
            mensajes = (
                await newest_http.get(
                    f"/tickets/chat/{ticket_id}/mensajes", headers={"Authorization": f"Bearer {token}"}
                )
            ).json()["mensajes"]
            texts = [m["content"] for m in mensajes]
            assert "Sigue apagada, ¿vienen hoy?" in texts and "Hoy pasamos." in texts
        finally:
            await viewer.close()
            await reference.close()


@pytest.fixture
async def watch_server(backend_url: str, tmp_root: Path) -> Any:
    """A server whose urgent chats are watched for 3 s instead of 60, on a database of its own (the shared
    server's job runners would otherwise take its jobs and emit on their own Socket.IO server)."""
    kind = "sqlite" if backend_url.startswith("sqlite") else "postgresql"
    async with fresh_database(kind, tmp_root) as url:
        settings = base_settings(tmp_root / uuid.uuid4().hex[:6], url, urgent_unanswered_seconds=3.0)
        async with running_server(settings, Clock()) as srv:
            yield srv


async def _timeline(client: httpx.AsyncClient, ticket_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/tickets/municipio/{ticket_id}/timeline")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["timeline"]
    return items


async def test_an_urgent_chat_is_taken_at_once_over_capacity_and_nobody_answering_tells_the_truth(
    watch_server: Server,
) -> None:
    server = watch_server
    tenant = await seed_tenant(server.ctx, agents=1, capacity=1)
    slug = await slug_of(server, tenant)
    agent_name = tenant.agents[0]["name"]
    async with (
        server.client() as agent_http,
        server.client() as admin_http,
        server.client() as calm,
        server.client() as urgent,
        server.client() as urgent2,
    ):
        token = (await admin_login(agent_http, tenant.agents[0]["email"], slug))["token"]
        await login(admin_http, tenant.admin["email"])
        panel = await NodeClient.start(newest_panel(server, token, agent_http, slug, None))
        admin_panel = await NodeClient.start(reference_panel(server, admin_http))
        citizen_room = SocketRecorder()
        citizen_bot = SocketRecorder()
        try:
            # The only agent is at capacity (1 live chat).
            first = await calm.post(
                "/ask/municipio",
                json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
                headers=widget_headers(tenant, str(uuid.uuid4())),
            )
            assert first.json()["estado"] == "en_vivo", first.text

            key = str(uuid.uuid4())
            answer = (
                await urgent.post("/ask/municipio", json={"pregunta": SELF_HARM}, headers=widget_headers(tenant, key))
            ).json()
            ticket_id = answer["ticket_id"]
            # The widget joins the live chat's room at once (both versions, estado en_vivo); its bot socket, in the
            # chat session's room, is what proves the browser owns the ticket.
            await citizen_bot.connect(server.url, auth={"entityToken": tenant.token})
            assert (await citizen_bot.join(key))["ok"] is True
            await citizen_room.connect(server.url, transports=["polling", "websocket"])
            assert (await citizen_room.join(f"ticket_municipio_{ticket_id}"))["ok"] is True
            # Taken at once, over capacity, and the citizen is told who has it (not "we are connecting you").
            assert answer["prioridad"] == "urgente" and answer["estado"] == "en_vivo"
            assert (
                agent_name.split(" ")[0] in answer["respuesta"]
                and "Ya te estamos conectando" not in answer["respuesta"]
            )
            timeline = await _timeline(agent_http, ticket_id)
            over = [e for e in timeline if e["tipo"] == "sobre_capacidad"]
            assert over and over[0]["valor"] == "2" and agent_name in over[0]["detalle"]

            # Every online staff socket is alerted, in each panel's own shape and urgency display.
            for socket in (panel, admin_panel):
                alert = (await socket.wait_for("urgent_ticket"))[0]
                assert alert["ticket_id"] == ticket_id and alert["urgente"] is True and alert["motivo"] == "nuevo"
                news = [e for e in await socket.wait_for("new_ticket", 2) if e["id"] == ticket_id]
                assert news and news[0]["asunto"].startswith("⚠ URGENTE")
            listed = (await agent_http.get("/tickets", headers={"Authorization": f"Bearer {token}"})).json()["tickets"]
            assert listed[0]["id"] == ticket_id and listed[0]["display_name"].startswith("⚠ URGENTE")
            # Both lists group by `categoria` into collapsed sections: the urgent one gets its own, first.
            assert listed[0]["categoria"] == "⚠ URGENTE" and "categoria_principal" in listed[0]
            assert listed[0]["urgente"] is True and listed[0]["prioridad"] == "urgente"
            detail = (await agent_http.get(f"/tickets/municipio/{ticket_id}")).json()
            assert (
                detail["display_name"].startswith("⚠ URGENTE") and detail["assigned_agent_id"] == tenant.agents[0]["id"]
            )

            # Nobody answers within the watch: the citizen (in the ticket room) hears the truth and the lines again,
            # on-call is paged by email and the agents are alerted again.
            told = await citizen_room.wait_for(
                "new_chat_message", where=lambda m: "Todavía no pudimos conectarte" in m["comentario"], timeout=15
            )
            assert "135" in told[0]["comentario"] and told[0]["es_admin"] is True
            again = await panel.wait_for("urgent_ticket", 2, timeout=10)
            assert again[1]["motivo"] == "sin_respuesta"
            assert any(e["tipo"] == "sin_respuesta" for e in await _timeline(agent_http, ticket_id))
            async with server.ctx.sessions() as session:
                entity = await entities_repo.get(session, tenant.id)
                assert entity is not None
                pages = (
                    (
                        await session.execute(
                            select(EmailOutbox).where(
                                EmailOutbox.ticket_id == ticket_id, EmailOutbox.kind == "urgent_unanswered"
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
                assert [p.recipient for p in pages] == [entity.oncall_email]

            # An urgent chat the agent answers in time is left alone by its watch.
            answered = (
                await urgent2.post(
                    "/ask/municipio", json={"pregunta": SELF_HARM}, headers=widget_headers(tenant, str(uuid.uuid4()))
                )
            ).json()
            reply = await agent_http.post(
                f"/tickets/municipio/{answered['ticket_id']}/responder", data={"comentario": "Hola, acá estoy con vos."}
            )
            assert reply.status_code == 200, reply.text
            await asyncio.sleep(4.5)
            assert not any(e["tipo"] == "sin_respuesta" for e in await _timeline(agent_http, answered["ticket_id"]))
        finally:
            await panel.close()
            await admin_panel.close()
            await citizen_room.close()
            await citizen_bot.close()


async def _seed_mapped(server: Server, tenant: Tenant) -> None:
    """Two tickets with coordinates (one resolved), as a WhatsApp and a web complaint would leave them."""
    async with server.ctx.uow() as uow:
        entity = await entities_repo.get(uow.session, tenant.id)
        assert entity is not None
        await tickets.create_ticket(
            uow,
            entity,
            tickets.NewTicket(
                asunto="Bache", categoria="Calles", channel="whatsapp", latitud=-32.89, longitud=-68.84, direccion="A 1"
            ),
        )
        closed, _ = await tickets.create_ticket(
            uow, entity, tickets.NewTicket(asunto="Poda", categoria="Arbolado", latitud=-32.9, longitud=-68.85)
        )
        await tickets.change_status(uow, entity, closed, "resuelto", None)
        await uow.commit()


async def test_statistics_heat_map_categories_employees_and_the_portal_answer_with_real_data(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1)
    other = await seed_tenant(server.ctx, agents=1)
    slug = await slug_of(server, tenant)
    async with server.client() as admin, server.client() as agent, server.client() as citizen:
        token = (await admin_login(admin, tenant.admin["email"], slug))["token"]
        await login(agent, tenant.agents[0]["email"])
        for _ in range(2):
            filed = await file_complaint(citizen, tenant, str(uuid.uuid4()))
        await agent.post(f"/tickets/municipio/{filed['ticket_id']}/responder", json={"comentario": "En camino."})
        await _seed_mapped(server, tenant)
        await _seed_mapped(server, other)  # never counted for this entity

        bearer = {"Authorization": f"Bearer {token}", "X-Tenant": "127"}  # the newest frontend at 127.0.0.1
        today = dt.date.today()
        query = (
            f"tipo=municipio&fecha_inicio={(today - dt.timedelta(days=30)).isoformat()}&fecha_fin={today.isoformat()}"
        )
        mine = (await admin.get("/tickets", headers=bearer)).json()["tickets"]
        assert len(mine) == 4
        for prefix in ("/api", "", "/api/municipal", "/municipal"):
            response = await admin.get(f"{prefix}/estadisticas/tickets?{query}", headers=bearer)
            assert response.status_code == 200, (prefix, response.text)
            charts = {c["title"]: c["data"] for c in response.json()["charts"]}
            # Named as the newest page sorts them into its cards (issue 19c: a live chat reads as in progress).
            assert charts["Tickets por estado"] == dict(Counter(STATUS_LABELS[t["estado"]] for t in mine))
            assert charts["Tickets por categoría"] == dict(Counter(t["categoria"] or "Sin categoría" for t in mine))
            assert charts["Tickets por canal"] == {"Web": 3, "WhatsApp": 1}
            assert sum(charts["Tickets por día"].values()) == 4
        resumen = response.json()["resumen"]
        assert resumen["total"] == 4 and resumen["respondidos"] == 1 and resumen["resueltos"] == 1
        assert resumen["primera_respuesta_promedio_minutos"] is not None and resumen["resolucion_promedio_horas"] >= 0
        filtered = (await admin.get(f"/api/estadisticas/tickets?{query}&estado=resuelto", headers=bearer)).json()
        assert {c["title"]: c["data"] for c in filtered["charts"]}["Tickets por estado"] == {"Resuelto": 1}
        by_name = (await admin.get(f"/api/estadisticas/tickets?{query}&estado=Resuelto", headers=bearer)).json()
        assert by_name["charts"] == filtered["charts"]  # the page filters by the names the chart showed

        heat = await admin.get(f"/api/estadisticas/mapa_calor/datos?{query}", headers=bearer)
        assert heat.status_code == 200, heat.text
        points = heat.json()  # a bare array: the reference's getHeatmapPoints reads nothing else
        # The reference profile's map reads the stats' `heatmap`: the same points, then every other ticket weighing 0
        # (the reference statistics page counts its cards from it, issue 19c).
        counted = response.json()["heatmap"]
        assert counted[: len(points)] == points and len(counted) == 4
        assert all(p["weight"] == 0 for p in counted[len(points) :])
        assert [(p["lat"], p["lng"], p["categoria"], p["estado"]) for p in points] == [
            (-32.89, -68.84, "Calles", "nuevo")
        ]
        assert (await citizen.get(f"/api/estadisticas/tickets?{query}")).status_code == 401
        bad = await admin.get("/api/estadisticas/tickets?fecha_inicio=ayer", headers=bearer)
        assert bad.status_code == 400 and "error" in bad.json()

        for prefix in ("/api", ""):
            named = await admin.get(f"{prefix}/municipal/categorias", headers=bearer)
            assert named.status_code == 200 and named.json()["categorias"][0]["nombre"], named.text
        for path_slug in (slug, "127"):
            cats = await admin.get(f"/api/admin/tenants/{path_slug}/ticket-categories", headers=bearer)
            assert cats.status_code == 200, cats.text
            assert cats.json() and {"id", "nombre"} <= cats.json()[0].keys()
        employees = (await admin.get(f"/api/admin/tenants/{slug}/employees", headers=bearer)).json()
        emails = {e["email"] for e in employees["employees"]}
        assert emails == {tenant.admin["email"], tenant.agents[0]["email"]} and employees["ticket_categories"]
        other_slug = await slug_of(server, other)
        assert (await admin.get(f"/api/admin/tenants/{other_slug}/employees", headers=bearer)).status_code == 403
        assert (await agent.get(f"/api/admin/tenants/{slug}/employees")).status_code == 403

        for path in ("/api/v1/portal/municipio/orders", "/api/pedidos", "/api/carrito", "/api/encuestas"):
            gone = await admin.get(path, headers=bearer)
            assert gone.status_code == 404 and "error" in gone.json(), path


async def test_the_portal_lists_the_citizens_complaints_by_tipo(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    slug = await slug_of(server, tenant)
    email = f"vecina-{uuid.uuid4().hex[:6]}@example.org"
    async with server.client() as citizen:
        signup = await citizen.post(
            "/auth/register",
            json={
                "name": "Vecina",
                "email": email,
                "password": "clave-segura-1",
                "acepto_terminos": True,
                "empresa_token": tenant.token,
                "tenant_slug": slug,
            },
        )
        assert signup.status_code in (200, 201), signup.text
        bearer = {"Authorization": f"Bearer {signup.json()['token']}", "X-Tenant": slug}
        filed = await citizen.post(
            "/api/app/tickets",
            json={
                "categoria": "Alumbrado",
                "descripcion": "Luminaria apagada en la esquina",
                "lat": -32.9,
                "lng": -68.8,
            },
            headers=bearer,
        )
        assert filed.status_code in (200, 201), filed.text
        for path_slug in ("municipio", slug):
            listed = await citizen.get(f"/api/v1/portal/{path_slug}/tickets", headers=bearer)
            assert listed.status_code == 200, listed.text
            (item,) = listed.json()
            assert item["id"] == filed.json()["ticket_id"] and item["status"] == "open"
            assert item["subject"] and dt.datetime.fromisoformat(item["created_at"])
