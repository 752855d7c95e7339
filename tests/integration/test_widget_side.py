"""Issue 19, the widget side, driven as each frontend version drives the backend (same requests, headers, socket
auth and events): a reloaded widget gets its conversation back and keeps receiving, photos keep their name and
type everywhere, every agent reply reaches the ticket room once, closing says goodbye."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.integration.test_first_hour import VERSIONS, request_agent, shown, wait_shown, widget
from tests.integration.test_newest_frontend import png_bytes
from tests.samples import pdf
from tests.support import NodeClient, Server, SocketRecorder, Tenant, login, node_available, seed_tenant, signed


def need_node() -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)


async def open_widget(
    server: Server, tenant: Tenant, version: str, key: str, *, response: dict[str, Any] | None = None
) -> NodeClient:
    """A page load of the widget: bot socket, `initial_greeting` when no answer is given, the room if it says so."""
    spec: dict[str, Any] = {
        "url": server.url,
        "version": version,
        "entityToken": tenant.token,
        "sessionId": key,
        "tipo": "municipio",
    }
    spec.update({"response": response} if response is not None else {"greet": True})
    node = await NodeClient.start(spec, script="widget.mjs")
    assert node.events[-1]["ack"]["ok"] is True
    if node.events[-1]["room"]:
        room = await node._read_until(lambda e: e.get("type") == "room", 10)
        assert room["ack"]["ok"] is True
    return node


async def wait_replayed(node: NodeClient, last: str, timeout: float = 10) -> list[tuple[bool, str]]:
    """The room's replay of the conversation up to a text: (shown on the entity's side, text) in order."""

    def replayed() -> list[tuple[bool, str]]:
        return [(bool(e.get("es_admin")), e["text"]) for e in shown(node) if e["via"] == "new_chat_message"]

    while last not in [t for _, t in replayed()]:
        await node._read_until(lambda e: e.get("type") == "shown", timeout)
    return replayed()


def greeting_of(node: NodeClient) -> dict[str, Any]:
    return next(e for e in node.events if e.get("type") == "greeting")


async def citizen_writes(
    client: httpx.AsyncClient, tenant: Tenant, key: str, version: str, ticket_id: int, text: str, **extra: Any
) -> dict[str, Any]:
    """A widget message during a live chat: the newest widget names the ticket, the reference one does not."""
    body: dict[str, Any] = {"pregunta": text, "tipo_chat": "municipio", **extra}
    if version == "985c1f40":
        body.update({"ticket_id": ticket_id, "tipo_ticket": "municipio"})
    r = await client.post("/ask/municipio", json=body, headers=widget(tenant, key))
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_reloaded_widget_shows_the_conversation_and_keeps_receiving(server: Server, version: str) -> None:
    need_node()
    tenant = await seed_tenant(server.ctx)
    agent_name = tenant.agents[0]["name"]
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        handoff = await request_agent(citizen, tenant, key)
        tid = handoff["ticket_id"]
        first = await open_widget(server, tenant, version, key, response=handoff)
        try:
            await citizen_writes(citizen, tenant, key, version, tid, "Se inundó la vereda de casa")
            r = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Hola, te leo."})
            assert r.status_code == 200
            await wait_shown(first, 2)  # "se unió" and the reply
            await first.drain(0.3)
            assert len(shown(first)) == 2, shown(first)  # a first hand-off replays nothing (it is all on screen)
        finally:
            await first.close()  # the citizen reloads the page: this widget is gone
        missed = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "¿Sigue saliendo agua?"})
        assert missed.status_code == 200

        again = await open_widget(server, tenant, version, key)
        try:
            greeting = greeting_of(again)
            assert greeting["status"] == 200
            body = greeting["body"]
            # What makes each version rejoin: a numeric ticket_id (reference), a live estado (newest).
            assert body["ticket_id"] == tid and body["estado"] == "en_vivo" and body["live_chat"] is True
            texts = [e["text"] for e in shown(again) if e["via"] == "greeting"]
            assert texts == [f"Seguís conectado con {agent_name}. Escribí acá y te responde."]
            assert not body["botones"] and "messages" not in body
            assert any(e.get("type") == "room" for e in again.events)  # rejoined without a new message
            # The conversation comes again in the room, the citizen's own lines on the citizen's side (issue 19c).
            history = await wait_replayed(again, signed(tenant.agents[0], "¿Sigue saliendo agua?"))
            assert (False, "Se inundó la vereda de casa") in history
            said = (
                (True, signed(tenant.agents[0], "Hola, te leo.")),
                (True, signed(tenant.agents[0], "¿Sigue saliendo agua?")),
            )
            assert said[0] in history and said[1] in history  # the missed one
            assert any(admin and "se unió" in t for admin, t in history)

            before = len(shown(again))
            r = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Ya mandamos a alguien."})
            assert r.status_code == 200
            await wait_shown(again, before + 1)
            await again.drain(0.5)
            later = shown(again)[before:]
            assert [e["text"] for e in later] == [signed(tenant.agents[0], "Ya mandamos a alguien.")], later  # once
            assert later[0]["via"] == "new_chat_message"
            # And the citizen's next message still goes to the same conversation.
            answer = await citizen_writes(citizen, tenant, key, version, tid, "Gracias")
            assert answer["ticket_id"] == tid and answer["live_chat"] is True
        finally:
            await again.close()


# How both versions draw a bot-socket item's `attachment_info`: ChatMessageBase keeps it when it has `url` and `name`,
# and deriveAttachmentInfo (src/utils/attachment.ts, the same table at both commits) types it by `mimeType`.
DRAWN_AS = {"image/png": "picture", "image/jpeg": "picture", "application/pdf": "file card"}


def drawn_as(event: dict[str, Any]) -> str:
    """What a widget draws for a shown item: its attachment as a picture or a file card, else text alone."""
    attachment = event.get("attachment") or {}
    if event["via"] == "new_chat_message" or not (attachment.get("url") and attachment.get("name")):
        return "text"
    return DRAWN_AS.get(str(attachment.get("mimeType")), "other")


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_reloaded_live_chat_draws_its_photos_and_files(server: Server, version: str) -> None:
    need_node()
    tenant = await seed_tenant(server.ctx)
    agent_of = tenant.agents[0]
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, agent_of["email"])
        handoff = await request_agent(citizen, tenant, key)
        tid = handoff["ticket_id"]
        url = f"/tickets/municipio/{tid}/responder"
        first = await open_widget(server, tenant, version, key, response=handoff)
        try:
            await citizen_writes(citizen, tenant, key, version, tid, "Hay un microbasural en la esquina")
            assert (await agent.post(url, json={"comentario": "Hola, te leo."})).status_code == 200
            photo = await upload_photo(citizen, tenant, key, "galeria_hoy.png")
            extra = {"attachment_info": photo, "archivo_url": photo["url"], "es_foto": True}
            await citizen_writes(citizen, tenant, key, version, tid, "Mirá cómo estaba hoy", **extra)
            files = {"archivos": ("limpieza_ok.png", png_bytes(), "image/png")}
            assert (await agent.post(url, data={"comentario": "Así quedó."}, files=files)).status_code == 200
            files = {"archivos": ("factura.pdf", pdf(), "application/pdf")}
            assert (await agent.post(url, data={"comentario": "Te paso la factura."}, files=files)).status_code == 200
            assert (await agent.post(url, json={"comentario": "¿Algo más?"})).status_code == 200
            await citizen_writes(citizen, tenant, key, version, tid, "No, gracias")
            await wait_shown(first, 5)  # "se unió", the greeting, the photo, the invoice, the question
        finally:
            await first.close()  # the citizen reloads the page
        stored = [m["id"] for m in (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]]

        again = await open_widget(server, tenant, version, key)
        try:

            def replayed() -> list[dict[str, Any]]:
                return [e for e in shown(again) if e["via"] in ("new_chat_message", "message")]

            while len(replayed()) < len(stored):
                await again._read_until(lambda e: e.get("type") == "shown", 10)
            await again.drain(0.5)
            replay = replayed()
            # Nothing lost, nothing twice, in the conversation's order (the room's share first, then the bot socket's).
            assert [e["id"] for e in replay] == sorted(stored), replay
            drawn = [(e["via"], e["text"], drawn_as(e), (e.get("attachment") or {}).get("name")) for e in replay]
            # Before the first photo, the room: each line on its side.
            room = [(e["es_admin"], e["text"]) for e in replay if e["via"] == "new_chat_message"]
            assert (False, "Hay un microbasural en la esquina") in room, room
            assert (True, signed(agent_of, "Hola, te leo.")) in room, room
            # From it on, the bot socket: pictures and a file card, the citizen's own lines saying so.
            assert drawn[len(room) :] == [
                ("message", "Vos: Mirá cómo estaba hoy", "picture", "galeria_hoy.png"),
                ("message", signed(agent_of, "Así quedó."), "picture", "limpieza_ok.png"),
                ("message", signed(agent_of, "Te paso la factura."), "file card", "factura.pdf"),
                ("message", signed(agent_of, "¿Algo más?"), "text", None),
                ("message", "Vos: No, gracias", "text", None),
            ], drawn
            for e in replay[len(room) : len(room) + 3]:
                assert e["attachment"]["url"].endswith("/" + e["attachment"]["name"]), e
            assert not [e for e in replay if "/archivos/" in e["text"]], replay  # no raw link lines any more
        finally:
            await again.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_reloaded_widget_keeps_a_filed_complaint_and_its_news(server: Server, version: str) -> None:
    need_node()
    from tests.support import file_complaint

    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        created = await file_complaint(citizen, tenant, key)
        tid = created["ticket_id"]
        r = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Vamos el lunes."})
        assert r.status_code == 200
        node = await open_widget(server, tenant, version, key)
        try:
            body = greeting_of(node)["body"]
            assert body["ticket_id"] == tid and body["estado"] == "en_proceso" and body["live_chat"] is False
            texts = [e["text"] for e in shown(node) if e["via"] == "greeting"]
            assert signed(tenant.agents[0], "Vamos el lunes.") in texts
            assert not any(t.startswith("Vos:") for t in texts)  # the entity's side only (issue 19c)
            assert texts[-1].startswith("Seguís conectado con ") and f"N.º {created['nro_ticket']}" in texts[-1]
            assert body["messages"][0]["botones"]  # a filed complaint keeps the menu
            before = len(shown(node))
            r = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Ya está la cuadrilla."})
            assert r.status_code == 200
            await wait_shown(node, before + 1)
            await node.drain(0.5)
            assert [e["text"] for e in shown(node)[before:]] == [signed(tenant.agents[0], "Ya está la cuadrilla.")]
        finally:
            await node.close()


async def test_a_fresh_session_gets_only_the_greeting(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as citizen:
        r = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "", "action": "initial_greeting"},
            headers=widget(tenant, str(uuid.uuid4())),
        )
        assert r.status_code == 200
        body = r.json()
        assert "messages" not in body and "ticket_id" not in body and body["botones"]


async def test_every_agent_reply_reaches_the_ticket_room_and_closing_says_goodbye(server: Server) -> None:
    from tests.support import file_complaint

    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        live_key = str(uuid.uuid4())
        created = await file_complaint(citizen, tenant, key)
        handoff = await request_agent(citizen, tenant, live_key)
        filed_room = SocketRecorder()
        live_room = SocketRecorder()
        # Each browser's bot socket is in its chat session's room: what lets its room socket (no auth) in.
        bot = await SocketRecorder().connect(server.url, auth={"entityToken": tenant.token})
        await filed_room.connect(server.url, transports=["polling"])  # the room socket has no auth
        await live_room.connect(server.url, transports=["polling"])
        try:
            assert (await bot.join(key))["ok"] is True and (await bot.join(live_key))["ok"] is True
            assert (await filed_room.join(f"ticket_municipio_{created['ticket_id']}"))["ok"] is True
            assert (await live_room.join(f"ticket_municipio_{handoff['ticket_id']}"))["ok"] is True
            for tid in (created["ticket_id"], handoff["ticket_id"]):
                r = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": f"Hola {tid}"})
                assert r.status_code == 200
            got = await filed_room.wait_for("new_chat_message", where=lambda d: "Hola" in d["comentario"])
            assert (
                got[0]["comentario"] == signed(tenant.agents[0], f"Hola {created['ticket_id']}")
                and got[0]["es_admin"] is True
            )
            assert isinstance(got[0]["id"], int) and got[0]["fecha"]
            await live_room.wait_for(
                "new_chat_message",
                where=lambda d: d["comentario"] == signed(tenant.agents[0], f"Hola {handoff['ticket_id']}"),
            )
            r = await agent.put(f"/tickets/municipio/{handoff['ticket_id']}/estado", json={"estado": "cerrado"})
            assert r.status_code == 200
            bye = await live_room.wait_for("new_chat_message", where=lambda d: "fue cerrada" in d["comentario"])
            assert bye[0]["es_admin"] is True and bye[0]["estado"] == "cerrado"
        finally:
            await filed_room.close()
            await live_room.close()
            await bot.close()


async def test_perfil_of_an_unknown_slug_without_a_token_is_404(server: Server) -> None:
    await seed_tenant(server.ctx)
    async with server.client() as anyone:
        for params in ({"tenant": "no-existe-esta"}, {"tenant_slug": "no-existe-esta"}):
            r = await anyone.get("/perfil", params=params)
            assert r.status_code == 404 and "error" in r.json(), r.text
        r = await anyone.get("/perfil", headers={"X-Tenant": "no-existe-esta"})
        assert r.status_code == 404 and "error" in r.json()


async def upload_photo(client: httpx.AsyncClient, tenant: Tenant, key: str, name: str) -> dict[str, Any]:
    """The widget's ChatInput: multipart `file` to the upload route, then attachment_info from the answer."""
    r = await client.post(
        "/archivos/upload/chat_attachment",
        files={"file": (name, png_bytes(), "image/png")},
        headers=widget(tenant, key),
    )
    assert r.status_code == 200, r.text
    data = r.json()
    return {"name": data["name"], "url": data["url"], "mimeType": data["mimeType"], "size": data["size"]}


def assert_photo(item: dict[str, Any], name: str) -> None:
    """An attachment as the panels and the lookup page read it (TicketAttachments: filename, mime_type, url)."""
    assert item["filename"] == name and item["mime_type"] == "image/png", item
    assert item["size"] == len(png_bytes()) and item["url"].endswith(f"/{name}")


async def test_a_photo_sent_during_the_intake_keeps_its_name_and_type(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        headers = widget(tenant, key)
        r = await citizen.post("/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
        context: dict[str, Any] = {"estado_conversacion": "inicio"}
        r = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "Hay un pozo enorme en la calle", "contexto_previo": context},
            headers=headers,
        )
        context = r.json()["contexto_actualizado"]
        photo = await upload_photo(citizen, tenant, key, "pozo.png")
        # The newest widget's send: attachment_info plus the legacy archivo_url and es_foto.
        r = await citizen.post(
            "/ask/municipio",
            json={
                "pregunta": "",
                "contexto_previo": context,
                "attachment_info": photo,
                "archivo_url": photo["url"],
                "es_foto": True,
            },
            headers=headers,
        )
        assert r.status_code == 200, r.text
        context = r.json()["contexto_actualizado"]
        r = await citizen.post(
            "/ask/municipio", json={"pregunta": "Av. San Martín 1234", "contexto_previo": context}, headers=headers
        )
        context = r.json()["contexto_actualizado"]
        r = await citizen.post(
            "/ask/municipio",
            json={
                "pregunta": "",
                "action": "confirmar_reclamo",
                "contexto_previo": context,
                "datos_personales": {"nombre": "Ana Gómez", "email": "ana@example.org", "telefono": "", "dni": ""},
                "idempotency_key": str(uuid.uuid4()),
            },
            headers=headers,
        )
        created = r.json()
        assert isinstance(created.get("ticket_id"), int), created
        detail = (await agent.get(f"/tickets/municipio/{created['ticket_id']}")).json()
        assert_photo(detail["attachments"][0], "pozo.png")
        assert detail["attachment_info"]["mimeType"] == "image/png"
        lookup = await citizen.get(
            f"/tickets/municipio/por_numero/{created['nro_ticket']}", params={"pin": created["pin"]}
        )
        assert lookup.status_code == 200
        assert_photo(lookup.json()["attachments"][0], "pozo.png")


def test_a_bare_link_is_described_by_its_name() -> None:
    from ventanilla.tickets.schemas import attachments_wire

    # Rows stored before the intake kept the description: name and type come from the link.
    [item] = attachments_wire({"url": "http://127.0.0.1/archivos/" + "a" * 32 + "/vereda_rota.jpg"}, 7)
    assert item["filename"] == "vereda_rota.jpg" and item["mime_type"] == "image/jpeg"


@pytest.mark.parametrize("version", VERSIONS)
async def test_photos_both_ways_in_a_live_chat(server: Server, version: str) -> None:
    need_node()
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        handoff = await request_agent(citizen, tenant, key)
        tid = handoff["ticket_id"]
        node = await open_widget(server, tenant, version, key, response=handoff)
        try:
            # Citizen -> agent: a photo with a caption.
            photo = await upload_photo(citizen, tenant, key, "vereda.png")
            extra = {"attachment_info": photo, "archivo_url": photo["url"], "es_foto": True}
            await citizen_writes(citizen, tenant, key, version, tid, "Así está la vereda", **extra)
            detail = (await agent.get(f"/tickets/municipio/{tid}")).json()
            mine = [m for m in detail["mensajes"] if m["attachments"]]
            assert mine[-1]["texto"] == "Así está la vereda" and mine[-1]["content"] == "Así está la vereda"
            assert_photo(mine[-1]["attachments"][0], "vereda.png")
            polled = (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]
            assert_photo([m for m in polled if m["attachments"]][-1]["attachments"][0], "vereda.png")

            # Agent -> citizen: the newest panel's multipart reply, with and without a caption.
            before = len(shown(node))
            url = f"/tickets/municipio/{tid}/responder"
            files = {"archivos": ("arreglo.png", png_bytes(), "image/png")}
            r = await agent.post(url, data={"comentario": "Mirá el arreglo"}, files=files)
            assert r.status_code == 200, r.text
            sent = r.json()["mensaje"]
            assert sent["texto"] == "Mirá el arreglo" and sent["attachments"][0]["filename"] == "arreglo.png"
            r = await agent.post(
                url, data={"comentario": " "}, files={"archivos": ("otra.png", png_bytes(), "image/png")}
            )
            assert r.status_code == 200, r.text
            await wait_shown(node, before + 3)  # the agent's first reply also takes the chat: "se unió"
            await node.drain(0.5)
            got = [e for e in shown(node)[before:] if "se unió" not in e["text"]]
            assert len(got) == 2, got
            # The widget's live-chat handler shows `comentario` only (the photo would be a link): its bot socket gets
            # the photo as a bot answer with `attachment_info`, which both widgets draw as a picture (issue 19c).
            assert [e["via"] for e in got] == ["message", "message"], got
            assert (
                got[0]["text"] == signed(tenant.agents[0], "Mirá el arreglo")
                and got[0]["attachment"]["name"] == "arreglo.png"
            )
            assert got[0]["attachment"]["mimeType"] == "image/png" and got[0]["attachment"]["url"].endswith(
                "/arreglo.png"
            )
            assert got[1]["text"] == signed(tenant.agents[0]) and got[1]["attachment"]["name"] == "otra.png", got[1]
            polled = (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]
            captioned = next(m for m in polled if m["attachments"] and m["es_admin"])
            assert captioned["texto"] == "Mirá el arreglo"
            assert_photo(captioned["attachments"][0], "arreglo.png")
        finally:
            await node.close()


async def test_the_closed_hours_answer_names_the_entitys_time_zone(server: Server) -> None:
    """Both widgets compare `horario` with the browser's own clock: the answer says whose 9:00 it is."""
    import datetime as dt

    tenant = await seed_tenant(server.ctx, always_open=False)  # Mon-Fri 9-17, Buenos Aires
    server.clock.now = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)  # Sunday, midnight in Buenos Aires
    try:
        async with server.client() as citizen:
            r = await citizen.post(
                "/ask/municipio",
                json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
                headers=widget(tenant, str(uuid.uuid4())),
            )
            assert r.status_code == 200
            text = r.json()["respuesta"]
            assert "Volvemos a atender mañana a las 9:00 (hora de Argentina)." in text, text
            assert "ticket_id" not in r.json()
    finally:
        server.clock.now = None


async def test_the_summary_renders_as_one_bullet_per_line_in_the_widget(server: Server) -> None:
    """The widget's simple view puts "• " before every sentence: the summary lines bring no dash of their own."""
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen:
        headers = widget(tenant, key)
        await citizen.post("/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
        context: dict[str, Any] = {"estado_conversacion": "inicio"}
        texts: list[str] = []
        for text in ("Hay una luminaria apagada hace una semana", "Av. San Martín 1234"):
            r = await citizen.post(
                "/ask/municipio", json={"pregunta": text, "contexto_previo": context}, headers=headers
            )
            context = r.json()["contexto_actualizado"]
            texts.append(r.json()["respuesta"])
        summary = next(t for t in texts if "resumen" in t)
        lines = summary.split("\n")
        assert any(line.startswith("Categoría: ") for line in lines), summary
        assert not any(line.lstrip().startswith(("-", "•")) for line in lines), summary


async def test_widget_room_members_are_shared_through_redis_and_lapse_with_their_process() -> None:
    """The skip of a bot socket already in the ticket room works across processes, and a crashed process's sockets
    stop counting (they would otherwise make a live widget miss its news)."""
    import asyncio

    from tests.conftest import REDIS_URL, redis_unavailable
    from ventanilla.realtime.presence import LocalPresence, RedisPresence

    reason = await redis_unavailable()
    if reason:
        pytest.skip(reason)
    prefix = f"test-{uuid.uuid4().hex}"
    one, two = RedisPresence(REDIS_URL, prefix=prefix), RedisPresence(REDIS_URL, prefix=prefix)
    crashed = RedisPresence(REDIS_URL, prefix=prefix)
    crashed.TTL_SECONDS = 1  # type: ignore[misc]
    try:
        await one.attend("ticket_municipio_9", "sid-room", "203.0.113.5")
        await two.attend("session:1:abc", "sid-bot", "203.0.113.5")
        await crashed.attend("ticket_municipio_9", "sid-gone", "198.51.100.1")
        assert await two.attendees("ticket_municipio_9") == {"sid-room": "203.0.113.5", "sid-gone": "198.51.100.1"}
        assert await one.attendees("session:1:abc") == {"sid-bot": "203.0.113.5"}
        await asyncio.sleep(1.3)  # the crashed process never refreshes its sockets
        await one.heartbeat()
        assert await two.attendees("ticket_municipio_9") == {"sid-room": "203.0.113.5"}
        await one.absent("ticket_municipio_9", "sid-room")
        assert await two.attendees("ticket_municipio_9") == {}
        local = LocalPresence()
        await local.attend("r", "s", "b")
        assert await local.attendees("r") == {"s": "b"}
        await local.absent("r", "s")
        assert await local.attendees("r") == {}
    finally:
        for presence in (one, two, crashed):
            await presence.close()


async def test_the_panel_list_carries_the_files_of_a_chat_and_only_those(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        tid = (await request_agent(citizen, tenant, key))["ticket_id"]
        url = f"/tickets/municipio/{tid}/responder"
        assert (await agent.post(url, json={"comentario": "Hola, ¿cómo te ayudo?"})).status_code == 200
        files = {"archivos": ("arreglo.png", png_bytes(), "image/png")}
        assert (await agent.post(url, data={"comentario": "Mirá"}, files=files)).status_code == 200
        assert (await agent.post(url, json={"comentario": "¿Algo más?"})).status_code == 200
        listed = (await agent.get("/tickets")).json()["tickets"]
        [item] = [t for t in listed if t["id"] == tid]
        # Messages without a file (stored as JSON null) add nothing; the one with a file adds it, once.
        [photo] = item["attachments"]
        assert_photo(photo, "arreglo.png")
        assert item["archivos_adjuntos"] == item["attachments"]
        assert item["lastMessage"] == "¿Algo más?"
