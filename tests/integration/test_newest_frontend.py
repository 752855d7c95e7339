"""The newest frontend (985c1f40) end to end: its auth routes, tenant slugs, panel socket, replies, assignment,
profile, portal and send-history shapes, against a real server; the reference shapes keep working beside them."""

from __future__ import annotations

import struct
import uuid
import zlib
from typing import Any

import httpx
import pytest

from tests.support import (
    PASSWORD,
    NodeClient,
    Server,
    SocketRecorder,
    Tenant,
    file_complaint,
    node_available,
    seed_tenant,
    session_cookie_header,
    signed,
    widget_headers,
)
from ventanilla.chat import service as livechat
from ventanilla.entities import repository as entities_repo
from ventanilla.notifications import repository as outbox
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import service as tickets


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


async def slug_of(server: Server, tenant: Tenant) -> str:
    async with server.ctx.sessions() as session:
        entity = await entities_repo.get(session, tenant.id)
        assert entity is not None
        return entity.slug


async def admin_login(client: httpx.AsyncClient, email: str, slug: str | None = None) -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD, **({"tenant_slug": slug} if slug else {})}
    response = await client.post("/auth/admin/login", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def count_messages(server: Server, ticket_id: int) -> int:
    async with server.ctx.sessions() as session:
        return len(await tickets_repo.messages(session, ticket_id))


async def test_staff_and_citizen_accounts_with_the_newest_routes(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    slug = await slug_of(server, tenant)
    session_key = str(uuid.uuid4())
    anon_key, anon_id = str(uuid.uuid4()), f"anon-{uuid.uuid4().hex[:12]}"
    async with server.client() as panel, server.client() as widget:
        data = await admin_login(panel, tenant.agents[0]["email"], slug)
        assert data["token"] and panel.cookies.get("ventanilla_session")
        assert data["user"] == {**data["user"], "id": tenant.agents[0]["id"], "rol": "empleado", "tenant_slug": slug}
        assert (await panel.get("/me", headers={"Authorization": f"Bearer {data['token']}"})).status_code == 200
        wrong = await panel.post("/auth/admin/login", json={"email": tenant.agents[0]["email"], "password": "nope1234"})
        assert wrong.status_code == 401 and "error" in wrong.json()

        # Filed anonymously before signing up: one by this chat session, one by the same visitor in another session.
        first = await file_complaint(widget, tenant, session_key)
        headers = {**widget_headers(tenant, anon_key), "X-Anon-Id": anon_id}
        r = await widget.post("/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
        r = await widget.post(
            "/ask/municipio",
            json={"pregunta": "Quiero hablar con un representante", "action": "request_agent"},
            headers=headers,
        )
        assert r.status_code == 200 and r.json().get("ticket_id"), r.text
        second = r.json()["ticket_id"]

        info = await widget.get("/auth/token-info", headers={"X-Entity-Token": tenant.token, "X-Tenant": "127"})
        assert info.status_code == 200 and info.json()["tipo_chat"] == "municipio"
        register = {
            "name": "Vecina Nueva",
            "email": f"vecina-{uuid.uuid4().hex[:6]}@example.org",
            "password": PASSWORD,
            "acepto_terminos": True,
            "telefono": "261 555-1234",
            "empresa_token": tenant.token,
            "anon_id": anon_id,
            "tenant_slug": "127",  # derived from a host name: names no entity, so the token decides
        }
        headers = {"X-Chat-Session-Id": session_key, "X-Tenant": "127", "X-Entity-Token": tenant.token}
        created = await widget.post("/auth/register", json=register, headers=headers)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["token"] and body["rol"] == "vecino" and body["user"]["rol"] == "vecino"
        assert body["user"]["tenant_slug"] == slug and body["tenantSlug"] == slug
        assert body["user"]["entityToken"] == tenant.token and body["user"]["email"] == register["email"]
        again = await widget.post("/auth/register", json=register, headers=headers)
        assert again.status_code == 409 and "error" in again.json()

        bearer = {"Authorization": f"Bearer {body['token']}", "X-Entity-Token": tenant.token}
        mine = (await widget.get("/tickets/mis", headers=bearer)).json()
        assert isinstance(mine, list)
        assert {t["id"] for t in mine} == {first["ticket_id"], second}

        login_body = {"email": register["email"], "password": PASSWORD, "empresa_token": tenant.token}
        logged = await widget.post("/auth/login", json={**login_body, "tenant_slug": slug})
        assert logged.status_code == 200 and logged.json()["user"]["id"] == body["user"]["id"]
        other = await seed_tenant(server.ctx)
        mismatch = await widget.post("/auth/login", json={**login_body, "tenant_slug": await slug_of(server, other)})
        assert mismatch.status_code == 409 and "error" in mismatch.json()
        unknown = await widget.post(
            "/auth/login", json={"email": register["email"], "password": PASSWORD, "tenant_slug": "no-existe-x"}
        )
        assert unknown.status_code == 404 and "error" in unknown.json()


async def test_tenant_slugs_and_public_lookups(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    other = await seed_tenant(server.ctx)
    slug, other_slug = await slug_of(server, tenant), await slug_of(server, other)
    assert slug != other_slug and slug.startswith("municipio-")
    async with server.client() as client:
        for r in (
            await client.get("/public/tenant", headers={"X-Tenant": slug}),
            await client.get(f"/api/pwa/tenant-info?tenant={slug}"),
            await client.get(f"/api/public/tenants/{slug}/widget-config"),
            await client.get(f"/perfil?tenant_slug={slug}"),
            await client.get("/pwa/tenant-info", params={"widget_token": tenant.token}),
        ):
            assert r.status_code == 200, r.text
            data = r.json()
            assert data.get("id") == tenant.id
            if "entity_token" in data:
                assert data["entity_token"] == tenant.token and data["slug"] == slug
                assert isinstance(data["horario"]["start_hour"], int)
                assert not {"inbox_email", "oncall_email", "config", "ticket_seq"} & set(data)
        for r in (
            await client.get("/public/tenant", headers={"X-Tenant": "no-existe"}),
            await client.get("/api/public/tenants/no-existe/widget-config"),
            await client.get("/live-chat/schedule", headers={"X-Tenant": "no-existe"}),
        ):
            assert r.status_code == 404 and "error" in r.json()
        # The widget puts its endpoint where the slug goes; its token decides.
        endpoint = await client.get(
            "/api/public/tenants/municipio/widget-config?tenant=municipio", headers={"X-Entity-Token": tenant.token}
        )
        assert endpoint.status_code == 200 and endpoint.json()["slug"] == slug
        anon = await client.get("/api/pwa/anon-id?tenant=municipio", headers={"X-Anon-Id": "visitante-123"})
        assert anon.json() == {"anon_id": "visitante-123"}
        assert len((await client.get("/pwa/anon-id")).json()["anon_id"]) == 32
        both = await client.get("/perfil", headers={"X-Entity-Token": tenant.token, "X-Tenant": other_slug})
        assert both.status_code == 409 and "error" in both.json()
        ignored = await client.get("/perfil", headers={"X-Entity-Token": tenant.token, "X-Tenant": "127"})
        assert ignored.status_code == 200 and ignored.json()["id"] == tenant.id
        preflight = await client.options(
            "/tickets",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-tenant,x-widget-token,authorization",
            },
        )
        assert preflight.status_code == 200
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "x-tenant" in allowed and "x-widget-token" in allowed
        # A complaint filed with the slug alone, through the bot.
        r = await client.post(
            "/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers={"X-Tenant": slug}
        )
        assert r.status_code == 200 and r.json()["respuesta"]


async def test_panel_socket_of_the_newest_frontend(server: Server) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx, agents=2)
    stranger = await seed_tenant(server.ctx)
    slug = await slug_of(server, tenant)
    session_key = str(uuid.uuid4())
    async with server.client() as a0, server.client() as a1, server.client() as outsider, server.client() as citizen:
        token0 = (await admin_login(a0, tenant.agents[0]["email"]))["token"]
        token1 = (await admin_login(a1, tenant.agents[1]["email"]))["token"]
        outsider_token = (await admin_login(outsider, stranger.agents[0]["email"]))["token"]
        created = await file_complaint(citizen, tenant, session_key)
        ticket_id = created["ticket_id"]
        room = f"ticket-municipio-{ticket_id}"

        def spec(token: str, cookie_client: httpx.AsyncClient, join: bool) -> dict[str, Any]:
            emits = [{"name": "subscribe_ticket_updates", "data": {"token": token}}]
            if join:
                emits.append({"name": "join", "data": {"room": room}})
            return {
                "url": server.url,
                "transports": ["websocket", "polling"],
                "auth": {"token": token},
                "query": {"tenant": slug, "tenant_slug": slug},
                "headers": session_cookie_header(cookie_client),
                "emits": emits,
            }

        viewer = await NodeClient.start(spec(token0, a0, join=True))
        same_agent_elsewhere = await NodeClient.start(spec(token0, a0, join=False))
        colleague = await NodeClient.start(spec(token1, a1, join=True))
        foreign = await NodeClient.start(spec(outsider_token, outsider, join=True))
        clients = [viewer, same_agent_elsewhere, colleague, foreign]
        try:
            assert viewer.events[-1]["acks"] == [{"ok": True}, {"ok": True}]
            assert foreign.events[-1]["acks"][0] == {"ok": True} and foreign.events[-1]["acks"][1]["ok"] is False
            citizen_says = await citizen.post(
                f"/tickets/chat/{ticket_id}/responder_ciudadano",
                json={"comentario": "¿Hay novedades?"},
                headers=widget_headers(tenant, session_key),
            )
            assert citizen_says.status_code == 200, citizen_says.text
            (first,) = await viewer.wait_for("new_comment")
            assert first["ticket_id"] == ticket_id and isinstance(first["ticket_id"], int)
            # No `estado` on a message: the newest panel would redraw the open conversation and lose it.
            assert first["ticketId"] == ticket_id and "estado" not in first
            comment = first["comment"]
            assert {"id", "comentario", "fecha", "es_admin", "autor", "attachments"} <= set(comment)
            assert comment["comentario"] == "¿Hay novedades?" and comment["es_admin"] is False

            reply = await a0.post(f"/tickets/municipio/{ticket_id}/responder", data={"comentario": "Ya vamos"})
            assert reply.status_code == 200, reply.text
            for watcher in (colleague, same_agent_elsewhere):
                got = await watcher.wait_for("new_comment", 3)
                # The automatic status change first, as its own event, then the reply without `estado`.
                assert got[1]["estado"] == "en_proceso" and got[1]["comment"]["es_estado"] is True
                assert got[2]["comment"]["comentario"] == "Ya vamos" and got[2]["comment"]["es_admin"] is True
                assert "estado" not in got[2]
            # A later event on the viewer proves the reply (emitted before it) was skipped, not late.
            await citizen.post(
                f"/tickets/chat/{ticket_id}/responder_ciudadano",
                json={"comentario": "Gracias"},
                headers=widget_headers(tenant, session_key),
            )
            seen = await viewer.wait_for("new_comment", 3)
            assert [e["comment"]["comentario"] for e in seen] == ["¿Hay novedades?", "Estado: En proceso", "Gracias"]
            assert not foreign.named("new_comment")
            # After leaving the conversation the same socket gets the agent's own replies again.
            assert await viewer.emit("leave", {"room": room}) == {"ok": True}
            await a0.post(f"/tickets/municipio/{ticket_id}/responder", data={"comentario": "Otra"})
            fourth = await viewer.wait_for("new_comment", 4)
            assert fourth[3]["comment"]["comentario"] == "Otra"
        finally:
            for client in clients:
                await client.close()


async def test_replies_multipart_interactive_and_reference_json(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as agent, server.client() as citizen:
        await admin_login(agent, tenant.agents[0]["email"])
        created = await file_complaint(citizen, tenant, session_key)
        ticket_id = created["ticket_id"]
        # A complaint filed from the widget hears its news on the widget's own chat-session room.
        room = SocketRecorder()
        await room.connect(server.url, auth={"entityToken": tenant.token})
        try:
            assert (await room.join(session_key))["ok"] is True
            url = f"/tickets/municipio/{ticket_id}/responder"
            photo = await agent.post(
                url, data={"comentario": "Mirá la foto"}, files={"archivos": ("foto.png", png_bytes(), "image/png")}
            )
            assert photo.status_code == 200, photo.text
            sent = photo.json()["mensaje"]
            assert sent["comentario"] == "Mirá la foto" and sent["attachments"][0]["mime_type"] == "image/png"
            download = await agent.get(sent["attachments"][0]["url"].replace("http://127.0.0.1", ""))
            assert download.status_code == 200 and download.content == png_bytes()
            brackets = await agent.post(
                url, data={"comentario": " "}, files={"archivos[]": ("b.png", png_bytes(), "image/png")}
            )
            assert brackets.status_code == 200 and brackets.json()["mensaje"]["attachments"], brackets.text
            text_only = await agent.post(url, data={"comentario": "Solo texto"})
            assert text_only.status_code == 200 and text_only.json()["mensaje"]["comentario"] == "Solo texto"
            reference = await agent.post(url, json={"comentario": "Como antes"})
            assert reference.status_code == 200 and reference.json()["mensaje"]["comentario"] == "Como antes"
            interactive = {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": "¿Se resolvió?"},
                    "action": {"buttons": [{"type": "reply", "reply": {"id": "si_resuelto", "title": "Sí"}}]},
                },
            }
            buttons = await agent.post(url, json=interactive)
            assert buttons.status_code == 200, buttons.text
            assert buttons.json()["mensaje"]["botones"] == [{"texto": "Sí", "action": "si_resuelto"}]
            live = await room.wait_for("message", 5)
            texts = ["Mirá la foto", "", "Solo texto", "Como antes", "¿Se resolvió?"]
            assert [m["respuesta"] for m in live] == [signed(tenant.agents[0], t) for t in texts]
            assert live[0]["attachment_info"]["url"] == sent["attachments"][0]["url"]
            assert live[4]["botones"] == [{"texto": "Sí", "action": "si_resuelto"}]

            before = await count_messages(server, ticket_id)
            many = [("archivos", (f"f{i}.png", png_bytes(), "image/png")) for i in range(6)]
            too_many = await agent.post(url, data={"comentario": "x"}, files=many)
            assert too_many.status_code == 413 and "error" in too_many.json()
            big = b"\x89PNG\r\n\x1a\n" + b"0" * server.settings.max_upload_bytes
            too_big = await agent.post(url, data={"comentario": "x"}, files={"archivos": ("big.png", big, "image/png")})
            assert too_big.status_code == 413 and "error" in too_big.json()
            html = await agent.post(url, data={"comentario": "x"}, files={"archivos": ("a.html", b"<b>", "text/html")})
            assert html.status_code == 400 and "error" in html.json()
            bad_json = await agent.post(url, content=b"{nope", headers={"Content-Type": "application/json"})
            assert bad_json.status_code == 400
            four = {
                **interactive,
                "interactive": {
                    **interactive["interactive"],
                    "action": {"buttons": [interactive["interactive"]["action"]["buttons"][0]] * 4},
                },
            }  # type: ignore[index]
            assert (await agent.post(url, json=four)).status_code == 400
            assert await count_messages(server, ticket_id) == before
        finally:
            await room.close()


async def test_assignment_agents_and_categories(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=2)
    stranger = await seed_tenant(server.ctx)
    a0, a1 = tenant.agents
    async with server.client() as agent, server.client() as admin, server.client() as citizen:
        await admin_login(agent, a0["email"])
        await admin_login(admin, tenant.admin["email"])
        created = await file_complaint(citizen, tenant, str(uuid.uuid4()))
        ticket_id = created["ticket_id"]
        assigned = await agent.post(
            f"/tickets/municipio/{ticket_id}/assign",
            json={"user_id": a1["id"], "assigned_user_id": a1["id"], "assigned_to": a1["id"]},
        )
        assert assigned.status_code == 200, assigned.text
        assert assigned.json()["assigned_agent_id"] == a1["id"] and assigned.json()["estado"] == "en_proceso"
        back = await agent.post(f"/tickets/municipio/{ticket_id}/asignar", json={"assigned_to": str(a0["id"])})
        assert back.status_code == 200 and back.json()["assigned_agent_id"] == a0["id"]
        foreign = await agent.post(f"/tickets/municipio/{ticket_id}/assign", json={"user_id": stranger.agents[0]["id"]})
        assert foreign.status_code == 404 and "error" in foreign.json()
        async with server.ctx.sessions() as session:
            ticket = await tickets_repo.get(session, ticket_id)
            assert ticket is not None and ticket.assigned_agent_id == a0["id"]

        categorized = await admin.put(f"/municipal/usuarios/{a1['id']}/categorias", json={"categoria_ids": [1]})
        assert categorized.status_code == 200, categorized.text
        assert categorized.json()["categorias"] == [{"id": 1, "nombre": "Alumbrado público"}]
        assert (
            await agent.put(f"/municipal/usuarios/{a1['id']}/categorias", json={"categoria_ids": [2]})
        ).status_code == 403
        assert (
            await admin.put(f"/municipal/usuarios/{a1['id']}/categorias", json={"categoria_ids": [99]})
        ).status_code == 404  # no such category
        assert (
            await admin.put(f"/municipal/usuarios/{stranger.agents[0]['id']}/categorias", json={"categoria_ids": [1]})
        ).status_code == 404
        listed = (await agent.get("/municipal/usuarios")).json()
        by_id = {row["id"]: row for row in listed}
        assert by_id[a1["id"]]["categoria_ids"] == [1] and by_id[a0["id"]]["categoria_ids"] == []
        assert by_id[a0["id"]]["abiertos"] == 1 and by_id[a0["id"]]["atendidos"] == 0
        assert by_id[a0["id"]]["nombre_usuario"] == a0["name"] and stranger.agents[0]["id"] not in by_id
        me = (await admin.get("/me")).json()
        assert me["tenant_slug"] == await slug_of(server, tenant) and me["plan"] and me["categoria_ids"] == []

        # Both online with the same load: the agent of the ticket's category gets it (without it, a0 would).
        sockets = [SocketRecorder(), SocketRecorder()]
        await sockets[0].connect(server.url, headers=session_cookie_header(agent))
        async with server.client() as a1_client:
            await admin_login(a1_client, a1["email"])
            await sockets[1].connect(server.url, headers=session_cookie_header(a1_client))
        try:
            async with server.ctx.uow() as uow:
                entity = await entities_repo.get(uow.session, tenant.id)
                assert entity is not None
                waiting, _ = await tickets.create_ticket(
                    uow,
                    entity,
                    tickets.NewTicket(
                        asunto="Chat", categoria="Alumbrado público", estado=livechat.WAITING, is_live_chat=True
                    ),
                )
                await livechat.assign_waiting(server.ctx, uow, entity)
                assert waiting.assigned_agent_id == a1["id"]
                await uow.commit()
        finally:
            for s in sockets:
                await s.close()


async def test_profile_update_and_portal_complaints(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    slug = await slug_of(server, tenant)
    async with server.client() as citizen, server.client() as other, server.client() as agent:
        await admin_login(agent, tenant.agents[0]["email"])
        panel = SocketRecorder()
        await panel.connect(server.url, headers=session_cookie_header(agent))
        email = f"portal-{uuid.uuid4().hex[:6]}@example.org"
        body = {"name": "Luis", "email": email, "password": PASSWORD, "empresa_token": tenant.token}
        token = (await citizen.post("/auth/register", json=body)).json()["token"]
        other_email = f"otro-{uuid.uuid4().hex[:6]}@example.org"
        await other.post("/auth/register", json={**body, "email": other_email})
        auth = {"Authorization": f"Bearer {token}", "X-Tenant": slug}
        try:
            changed = await citizen.put(
                "/me",
                json={
                    "name": "Luis Pérez",
                    "email": email,
                    "telefono": "2615550000",
                    "whatsapp": "2615550000",
                    "celular": "2615550000",
                    "acepta_marketing": True,
                },
                headers=auth,
            )
            assert changed.status_code == 200, changed.text
            me = (await citizen.get("/me", headers=auth)).json()
            assert me["name"] == "Luis Pérez" and me["telefono"] == "2615550000" and me["acepta_marketing"] is True
            assert me["tenant_slug"] == slug and me["categorias"] == [] and me["plan"]
            # No account oracle: another account's email and a free one get the same answer, and nothing changes.
            clash = await citizen.put("/me", json={"name": "Otro nombre", "email": other_email}, headers=auth)
            free = await citizen.put("/me", json={"name": "Otro nombre", "email": f"libre-{other_email}"}, headers=auth)
            assert clash.status_code == free.status_code == 403 and clash.json() == free.json()
            assert (await citizen.put("/me", json={"email": "no-es-email"}, headers=auth)).status_code == 400
            assert (await citizen.put("/me", json={"telefono": "<script>"}, headers=auth)).status_code == 400
            unchanged = (await citizen.get("/me", headers=auth)).json()
            assert unchanged["name"] == "Luis Pérez" and unchanged["email"] == email
            assert (await server.client().put("/me", json={"name": "x"})).status_code == 401

            filed = await citizen.post(
                "/app/tickets",
                json={
                    "categoria": "alumbrado publico",
                    "descripcion": "Poste caído sin luz",
                    "lat": -34.6,
                    "lng": -58.4,
                    "metadata": {},
                },
                headers=auth,
            )
            assert filed.status_code == 201, filed.text
            ticket_id = filed.json()["ticket_id"]
            assert filed.json()["ok"] is True and isinstance(ticket_id, int)
            (event,) = await panel.wait_for("new_ticket", where=lambda e: e["id"] == ticket_id)
            assert event["categoria"] == "Alumbrado público"
            urgent = await citizen.post(
                "/app/tickets", json={"descripcion": "Hay un incendio en la casa de al lado, sale humo"}, headers=auth
            )
            assert urgent.status_code == 201
            mine = (await citizen.get(f"/api/v1/portal/{slug}/tickets", headers=auth)).json()
            assert isinstance(mine, list) and {t["id"] for t in mine} == {ticket_id, urgent.json()["ticket_id"]}
            assert next(t for t in mine if t["id"] == urgent.json()["ticket_id"])["prioridad"] == "urgente"
            assert (await citizen.get("/api/v1/portal/no-existe/tickets", headers=auth)).status_code == 404
            assert (
                await server.client().post("/app/tickets", json={"descripcion": "x"}, headers={"X-Tenant": "no-existe"})
            ).status_code == 404
            assert (await citizen.post("/app/tickets", json={"descripcion": "  "}, headers=auth)).status_code == 400
            mis = (await citizen.get("/tickets/mis", headers=auth)).json()
            assert isinstance(mis, list) and len(mis) == 2
        finally:
            await panel.close()


async def test_send_history_hints_manual_and_access(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    stranger = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with (
        server.client() as agent,
        server.client() as citizen,
        server.client() as anyone,
        server.client() as outsider,
    ):
        await admin_login(agent, tenant.agents[0]["email"])
        await admin_login(outsider, stranger.agents[0]["email"])
        created = await file_complaint(citizen, tenant, session_key)
        ticket_id, pin = created["ticket_id"], created["pin"]
        url = f"/tickets/municipio/{ticket_id}/send-history"

        async def history_rows() -> list[str]:
            async with server.ctx.sessions() as session:
                return [r.kind for r in await outbox.for_ticket(session, ticket_id) if r.kind.startswith("history")]

        for reason in ("message_update", "status_change", "ticket_created", "auto_completion"):
            r = await agent.post(
                url,
                json={
                    "reason": reason,
                    "actor": "agent",
                    "channels": ["email", "sms"],
                    "notify": {"email": True, "sms": True},
                },
            )
            assert r.status_code == 200 and r.json()["enviado"] is False and r.json()["motivo"], r.text
        assert await history_rows() == []
        assert (await agent.post(url, json={"reason": "otra-cosa"})).status_code == 422
        for denied in (
            await anyone.post(url, json={"reason": "manual"}),
            await anyone.post(f"{url}?pin=000000" if pin != "000000" else f"{url}?pin=111111", json={}),
            await outsider.post(url, json={"reason": "manual"}),
            await anyone.post("/tickets/municipio/123456789/send-history", json={}),
        ):
            assert denied.status_code == 404 and "error" in denied.json()
        manual = await agent.post(url, json={"reason": "manual", "actor": "agent", "channels": ["email"]})
        assert manual.status_code == 200 and manual.json()["enviado"] is True, manual.text
        assert await history_rows() == ["history_staff"]
        by_pin = await anyone.post(f"{url}?pin={pin}", json={"reason": "manual", "actor": "user"})
        assert by_pin.status_code == 200 and by_pin.json()["enviado"] is False  # at most one every ten minutes
        reference = await agent.post(url)  # 63f867f1 sends no body
        assert reference.status_code == 200

        async with server.ctx.uow() as uow:
            entity = await entities_repo.get(uow.session, tenant.id)
            assert entity is not None
            bare, _ = await tickets.create_ticket(uow, entity, tickets.NewTicket(asunto="Sin email"))
            await uow.commit()
        no_email = await agent.post(f"/tickets/municipio/{bare.id}/send-history", json={"reason": "manual"})
        assert no_email.status_code == 200, no_email.text
        assert no_email.json()["enviado"] is False and "email" in no_email.json()["motivo"]
        owner = await citizen.post(
            url, json={"reason": "manual", "actor": "user"}, headers=widget_headers(tenant, session_key)
        )
        assert owner.status_code == 200


async def test_a_logged_in_citizen_confirms_without_typing_contact_data(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as widget:
        email = f"cuenta-{uuid.uuid4().hex[:6]}@example.org"
        body = {"name": "Marta Ríos", "email": email, "password": PASSWORD, "empresa_token": tenant.token}
        body["telefono"] = "2615557777"
        token = (await widget.post("/auth/register", json=body)).json()["token"]
        headers = {**widget_headers(tenant, session_key), "Authorization": f"Bearer {token}"}
        ask = "/ask/municipio"
        await widget.post(ask, json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
        context: dict[str, Any] = {"estado_conversacion": "inicio"}
        for text in ("Quiero hacer un reclamo", "Hay una luminaria apagada hace una semana", "Av. San Martín 1234"):
            r = await widget.post(ask, json={"pregunta": text, "contexto_previo": context}, headers=headers)
            assert r.status_code == 200, r.text
            context = r.json()["contexto_actualizado"]
        empty = {"nombre": None, "email": None, "telefono": None, "dni": None}  # what the newest widget sends
        r = await widget.post(
            ask,
            json={"pregunta": "", "action": "confirmar_reclamo", "contexto_previo": context, "datos_personales": empty},
            headers=headers,
        )
        assert r.status_code == 200 and r.json().get("ticket_id"), r.text
        async with server.ctx.sessions() as session:
            ticket = await tickets_repo.get(session, r.json()["ticket_id"])
            assert ticket is not None
            assert (ticket.email, ticket.nombre_usuario, ticket.telefono) == (email, "Marta Ríos", "2615557777")


async def test_conversation_viewers_are_shared_through_redis() -> None:
    from tests.conftest import REDIS_URL, redis_unavailable
    from ventanilla.realtime.presence import RedisPresence

    reason = await redis_unavailable()
    if reason:
        pytest.skip(reason)
    prefix = f"test-{uuid.uuid4().hex}"
    one, two = RedisPresence(REDIS_URL, prefix=prefix), RedisPresence(REDIS_URL, prefix=prefix)
    try:
        await one.view(42, 7, "sid-a")
        await two.view(42, 7, "sid-b")
        await two.view(42, 8, "sid-c")
        assert await one.viewers(42, 7) == {"sid-a", "sid-b"}
        await two.unview(42, 7, "sid-b")
        assert await one.viewers(42, 7) == {"sid-a"} and await one.viewers(42, 8) == {"sid-c"}
    finally:
        await one.unview(42, 7, "sid-a")
        await two.unview(42, 8, "sid-c")
        await one.close()
        await two.close()


async def test_bad_tenant_input_changes_nothing(server: Server) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx)
    other = await seed_tenant(server.ctx)
    other_slug = await slug_of(server, other)
    email = f"nadie-{uuid.uuid4().hex[:6]}@example.org"
    async with server.client() as client:
        body = {"name": "X", "email": email, "password": PASSWORD, "empresa_token": tenant.token}
        mismatch = await client.post("/auth/register", json={**body, "tenant_slug": other_slug})
        assert mismatch.status_code == 409 and "error" in mismatch.json()
        unknown = await client.post("/auth/register", json={**body, "empresa_token": None, "tenant_slug": "no-existe"})
        assert unknown.status_code == 404 and "error" in unknown.json()
        login_after = await client.post(
            "/auth/login", json={"email": email, "password": PASSWORD, "empresa_token": tenant.token}
        )
        assert login_after.status_code == 401  # no account was created
    with pytest.raises(AssertionError, match="node client failed"):
        await NodeClient.start({"url": server.url, "auth": {"entityToken": tenant.token, "tenantSlug": other_slug}})
    widget = await NodeClient.start({"url": server.url, "auth": {"entityToken": tenant.token, "tenantSlug": "127"}})
    await widget.close()
