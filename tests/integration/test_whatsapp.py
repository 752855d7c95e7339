"""WhatsApp end to end: signed webhooks into a real server, the bot and live chat, and a local Graph API."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests import samples
from tests.conftest import fresh_database
from tests.support import (
    Clock,
    Server,
    SocketRecorder,
    agent_online,
    login,
    running_server,
    seed_tenant,
    session_cookie_header,
    signed,
)
from tests.whatsapp_support import (
    VERIFY_TOKEN,
    Env,
    Line,
    button,
    delivery,
    eventually,
    inbox_count,
    message,
    new_wa_id,
    post,
    rows,
    say,
    scalar,
    status,
    text,
    ticket_of,
    tune,
    wa_settings,
    whatsapp_tenant,
)
from ventanilla.chat import keys
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users.models import User
from ventanilla.whatsapp import service as wa_service
from ventanilla.whatsapp.models import InboundEvent, OutboundMessage
from ventanilla.whatsapp.schemas import UNSUPPORTED_TEXT, sign

# --- tests ----------------------------------------------------------------------------------------------


async def test_verification_handshake(env: Env) -> None:
    async with env.server.client() as client:
        ok = await client.get(
            "/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
        )
        assert ok.status_code == 200 and ok.text == "1158201444"
        assert ok.headers["content-type"].startswith("text/plain")
        for params in (
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
            {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
            {},
        ):
            bad = await client.get("/webhooks/whatsapp", params=params)
            assert bad.status_code == 403 and "error" in bad.json()
        assert (
            await client.get(
                "/api/webhooks/whatsapp",
                params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "x"},
            )
        ).text == "x"


async def test_signed_webhook_files_a_complaint_through_the_bot(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    (menu,) = await say(env, line, text(wa_id, "Hola"))
    assert menu.type == "interactive" and menu.phone_number_id == line.phone_number_id
    assert menu.authorization == f"Bearer {line.token}"
    assert menu.body["interactive"]["type"] == "list" and "request_agent" in menu.option_ids

    (ask_place,) = await say(env, line, text(wa_id, "Hay una luminaria apagada hace una semana"))
    assert "dirección" in ask_place.text and ask_place.option_ids == ["cancelar_reclamo"]
    (summary,) = await say(env, line, text(wa_id, "Av. San Martín 1234"))
    assert summary.body["interactive"]["type"] == "button"
    assert "Alumbrado público" in summary.text and "Ana Gómez" in summary.text
    assert summary.option_ids[0] == "confirmar_reclamo"

    (created,) = await say(env, line, button(wa_id, "confirmar_reclamo", "Confirmar reclamo"))
    ticket = await ticket_of(env.server, line, wa_id)
    assert str(ticket.nro_ticket) in created.text and ticket.pin in created.text
    assert ticket.channel == "whatsapp" and ticket.categoria == "Alumbrado público"
    assert ticket.direccion == "Av. San Martín 1234" and ticket.nombre_usuario == "Ana Gómez"
    assert ticket.telefono == f"+{wa_id}"
    citizen = await scalar(env.server, select(User).where(User.id == ticket.citizen_id))
    assert citizen.rol == "vecino" and citizen.whatsapp_id == wa_id and citizen.entity_id == line.tenant.id
    for sent in env.graph.accepted(wa_id):
        assert sent.status == 200  # every payload passed the fake API's checks

    # An agent writes on the complaint: it reaches WhatsApp, and the citizen's answer joins the ticket.
    async with env.server.client() as agent_client:
        await login(agent_client, line.tenant.agents[0]["email"])
        before = len(env.graph.accepted(wa_id))
        r = await agent_client.post(f"/tickets/municipio/{ticket.id}/responder", json={"comentario": "¿Qué poste es?"})
        assert r.status_code == 200, r.text
        (question,) = (await env.graph.wait_for(before + 1, to=wa_id))[before:]
        assert "¿Qué poste es?" in question.text
        answer = text(wa_id, "El de la esquina")
        async with env.server.client() as client:
            await post(client, delivery(line.phone_number_id, [answer]))
        joined = await eventually(
            lambda: scalar(env.server, select(TicketMessage).where(TicketMessage.external_id == answer["id"]))
        )
        assert joined.ticket_id == ticket.id and joined.origen == "whatsapp" and joined.author_kind == "citizen"
        (menu_again,) = await say(env, line, text(wa_id, "menú"))
        assert menu_again.type == "interactive"  # menu words still reach the bot

        # A status change reaches the citizen where they are: on WhatsApp, through the outbound queue.
        before = len(env.graph.accepted(wa_id))
        done = await agent_client.put(f"/tickets/municipio/{ticket.id}/estado", json={"estado": "resuelto"})
        assert done.status_code == 200, done.text
        (notice,) = (await env.graph.wait_for(before + 1, to=wa_id))[before:]
        assert f"N.º {ticket.nro_ticket}" in notice.text and "resuelto" in notice.text
        outbound = await scalar(
            env.server,
            select(func.count()).select_from(OutboundMessage).where(OutboundMessage.wa_id == wa_id),
        )
        assert outbound >= len(env.graph.accepted(wa_id))


async def test_agent_chat_reaches_whatsapp_widget_and_panel(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    async with env.server.client() as agent_client:
        await login(agent_client, line.tenant.agents[0]["email"])
        panel = await SocketRecorder().connect(env.server.url, headers=session_cookie_header(agent_client))
        widget = SocketRecorder()
        try:
            await agent_online(env.server, line.tenant)  # before the citizen asks
            (connecting,) = await say(env, line, button(wa_id, "request_agent", "Hablar con un agente"), replies=1)
            ticket = await ticket_of(env.server, line, wa_id)
            assert ticket.channel == "whatsapp" and ticket.is_live_chat and ticket.estado == "en_vivo"
            # Who took it, once: in the answer (the stored "se unió" line is the panels').
            assert f"N.º {ticket.nro_ticket}" in connecting.text and "se sumó" in connecting.text
            # A WhatsApp conversation has no browser: its room is for the entity's staff only.
            stranger = await SocketRecorder().connect(env.server.url, transports=["polling", "websocket"])
            assert (await stranger.join(f"ticket_municipio_{ticket.id}"))["ok"] is False
            await stranger.close()
            await widget.connect(
                env.server.url, transports=["polling", "websocket"], headers=session_cookie_header(agent_client)
            )
            assert (await widget.join(f"ticket_municipio_{ticket.id}"))["ok"] is True

            citizen_wamid = f"wamid.IN{uuid.uuid4().hex}"
            async with env.server.client() as client:
                assert (
                    await post(client, delivery(line.phone_number_id, [text(wa_id, "¿Cuándo vienen?", citizen_wamid)]))
                ).status_code == 200
            (from_citizen,) = await widget.wait_for(
                "new_chat_message", where=lambda e: e["comentario"] == "¿Cuándo vienen?"
            )
            assert from_citizen["origen"] == "whatsapp" and from_citizen["es_admin"] is False
            await panel.wait_for("new_comment", where=lambda e: e["comment"]["comentario"] == "¿Cuándo vienen?")
            stored = await scalar(env.server, select(TicketMessage).where(TicketMessage.external_id == citizen_wamid))
            assert stored is not None and stored.ticket_id == ticket.id and stored.origen == "whatsapp"

            before = len(env.graph.accepted(wa_id))
            reply = await agent_client.post(
                f"/tickets/municipio/{ticket.id}/responder", json={"comentario": "Mañana a la mañana."}
            )
            assert reply.status_code == 200, reply.text
            message_id = reply.json()["mensaje"]["id"]
            (out,) = (await env.graph.wait_for(before + 1, to=wa_id))[before:]
            assert out.type == "text" and "Mañana a la mañana." in out.text and out.text.startswith("*")
            assert not [m for m in env.graph.accepted(wa_id) if "se unió" in (m.text or "")]  # queued before the reply
            (from_agent,) = await widget.wait_for(
                "new_chat_message",
                where=lambda e: e["comentario"] == signed(line.tenant.agents[0], "Mañana a la mañana."),
            )
            assert from_agent["es_admin"] is True
            comment = (
                await panel.wait_for("new_comment", where=lambda e: e["comment"]["comentario"] == "Mañana a la mañana.")
            )[0]
            assert comment["ticketId"] == ticket.id and comment["estado"] == "en_vivo"
            await panel.wait_for(
                "message_status", where=lambda e: e["id"] == message_id and e["delivery_status"] == "sent"
            )
            assert len(env.graph.accepted(wa_id)) == before + 1  # no acknowledgement spam inside a live chat

            # Statuses arrive out of order: read before delivered; the message stays read.
            async with env.server.client() as client:
                statuses = [status(out.wamid, "read", wa_id), status(out.wamid, "delivered", wa_id)]
                assert (await post(client, delivery(line.phone_number_id, statuses=statuses))).status_code == 200
                await post(client, delivery(line.phone_number_id, statuses=[status(out.wamid, "sent", wa_id)]))
            await panel.wait_for(
                "message_status", where=lambda e: e["id"] == message_id and e["delivery_status"] == "read"
            )

            async def settled() -> bool:
                pending = await scalar(
                    env.server,
                    select(func.count())
                    .select_from(InboundEvent)
                    .where(InboundEvent.wamid == out.wamid, InboundEvent.processed_at.is_(None)),
                )
                return pending == 0

            await eventually(settled)
            detail = (await agent_client.get(f"/tickets/municipio/{ticket.id}")).json()
            shown = next(m for m in detail["mensajes"] if m["id"] == message_id)
            assert shown["delivery_status"] == "read"
            assert not [
                e
                for e in panel.named("message_status")
                if e["id"] == message_id and e["delivery_status"] == "delivered"
            ]
        finally:
            await panel.close()
            await widget.close()


async def test_the_same_webhook_twice_yields_one_message(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    hello = text(wa_id, "Hola")
    data = delivery(line.phone_number_id, [hello, hello])
    async with env.server.client() as client:
        for _ in range(3):
            assert (await post(client, data)).status_code == 200
    await env.graph.wait_for(1, to=wa_id)

    # In a live chat too: one ticket message per wamid.
    await say(env, line, button(wa_id, "request_agent"))
    ticket = await ticket_of(env.server, line, wa_id)
    repeated = text(wa_id, "Sigo esperando", f"wamid.IN{uuid.uuid4().hex}")
    async with env.server.client() as client:
        for _ in range(2):
            assert (await post(client, delivery(line.phone_number_id, [repeated]))).status_code == 200

    async def one_message() -> list[Any]:
        return await rows(
            env.server,
            select(TicketMessage).where(TicketMessage.ticket_id == ticket.id, TicketMessage.text == "Sigo esperando"),
        )

    await eventually(one_message)
    await asyncio.sleep(0.4)
    assert len(await one_message()) == 1
    assert await inbox_count(env.server, hello["id"]) == 1 and await inbox_count(env.server, repeated["id"]) == 1
    assert len([r for r in env.graph.accepted(wa_id) if "Hola" in r.text or r.type == "interactive"][:1]) == 1
    tickets = await rows(env.server, select(Ticket).where(Ticket.chat_session_key == keys.whatsapp(wa_id)))
    assert len(tickets) == 1


async def test_bad_input_is_refused_and_nothing_is_stored(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    hello = text(wa_id, "Hola")
    data = delivery(line.phone_number_id, [hello])
    async with env.server.client() as client:
        missing = await post(client, data, signature=None)
        assert missing.status_code == 401 and "error" in missing.json()
        wrong = await post(client, data, signature="sha256=" + "0" * 64)
        assert wrong.status_code == 403 and "error" in wrong.json()
        forged = await post(client, data, signature=sign("another-secret", json.dumps(data).encode()))
        assert forged.status_code == 403
        malformed = await post(client, b"{not json")
        assert malformed.status_code == 400 and "error" in malformed.json()
        odd = await post(client, {"object": "whatsapp_business_account", "entry": "nope"})
        assert odd.status_code == 200
        unknown = text(wa_id, "Hola")
        assert (await post(client, delivery("999000111", [unknown]))).status_code == 200
        huge = await post(client, b"{" + b" " * (1024 * 1024 + 10) + b"}")
        assert huge.status_code == 413
    await asyncio.sleep(0.3)
    assert await inbox_count(env.server, hello["id"]) == 0 and await inbox_count(env.server, unknown["id"]) == 0
    assert env.graph.accepted(wa_id) == []


async def test_unsupported_messages_get_a_polite_answer(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    (answer,) = await say(env, line, message(wa_id, "contacts", [{"name": {"formatted_name": "Juan"}}]))
    assert answer.text == UNSUPPORTED_TEXT
    (voice,) = await say(env, line, message(wa_id, "audio", {"id": "MEDIA9", "mime_type": "audio/ogg", "voice": True}))
    assert voice.text == UNSUPPORTED_TEXT
    (photo,) = await say(env, line, message(wa_id, "image", {"id": "MEDIA7", "mime_type": "image/jpeg"}))
    assert "archivo" in photo.text.lower()
    event = await scalar(
        env.server,
        select(InboundEvent)
        .where(InboundEvent.wa_id == wa_id, InboundEvent.kind == "message")
        .order_by(InboundEvent.id)
        .limit(1),
    )
    assert event.payload["message"]["type"] == "contacts" and event.processed_at is not None


async def test_events_stored_by_a_dead_worker_are_processed_once_after_restart(env: Env) -> None:
    async with fresh_database(env.kind, env.tmp.parent) as url:
        stopped = wa_settings(env.tmp, url, env.graph, run_workers=False)
        async with running_server(stopped, Clock()) as first:
            line = await whatsapp_tenant(Env(first, env.graph, env.kind, env.tmp))
            wa_id = new_wa_id()
            hello = text(wa_id, "Hola")
            async with first.client() as client:
                assert (await post(client, delivery(line.phone_number_id, [hello]))).status_code == 200
            await asyncio.sleep(0.3)
            event = await scalar(first, select(InboundEvent).where(InboundEvent.wamid == hello["id"]))
            assert event is not None and event.processed_at is None
            assert env.graph.accepted(wa_id) == []
        async with running_server(wa_settings(env.tmp, url, env.graph), Clock()) as second:
            tune(second)
            await env.graph.wait_for(1, to=wa_id)
            async with second.client() as client:
                assert (await post(client, delivery(line.phone_number_id, [hello]))).status_code == 200
            await asyncio.sleep(0.5)
            event = await scalar(second, select(InboundEvent).where(InboundEvent.wamid == hello["id"]))
            assert event.processed_at is not None and event.attempts == 1
            assert len(env.graph.accepted(wa_id)) == 1
            sessions = await rows(second, select(User).where(User.whatsapp_id == wa_id))
            assert len(sessions) == 1


async def open_chat(env: Env, line: Line, wa_id: str, agent_client: httpx.AsyncClient) -> Ticket:
    """A WhatsApp live chat taken by the tenant's agent, with the join notice already delivered."""
    await say(env, line, button(wa_id, "request_agent"))
    ticket = await ticket_of(env.server, line, wa_id)
    before = len(env.graph.accepted(wa_id))
    assert (await agent_client.post(f"/tickets/municipio/{ticket.id}/asignar")).status_code == 200
    await env.graph.wait_for(before + 1, to=wa_id)
    return ticket


async def message_row(server: Server, message_id: int, where: Callable[[TicketMessage], bool]) -> TicketMessage:
    async def check() -> TicketMessage | None:
        found = await scalar(server, select(TicketMessage).where(TicketMessage.id == message_id))
        return found if found is not None and where(found) else None

    result = await eventually(check)
    assert isinstance(result, TicketMessage)
    return result


async def test_outside_the_24_hour_window_the_template_is_used(env: Env) -> None:
    with_template = await whatsapp_tenant(env, template="aviso_reclamo")
    without = await whatsapp_tenant(env)
    try:
        for line in (with_template, without):
            wa_id = new_wa_id()
            async with env.server.client() as agent_client:
                await login(agent_client, line.tenant.agents[0]["email"])
                env.server.clock.now = None
                ticket = await open_chat(env, line, wa_id, agent_client)
                env.server.clock.now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
                before = len(env.graph.accepted(wa_id))
                reply = await agent_client.post(
                    f"/tickets/municipio/{ticket.id}/responder", json={"comentario": "Ya está resuelto."}
                )
                message_id = reply.json()["mensaje"]["id"]
                if line is with_template:
                    (out,) = (await env.graph.wait_for(before + 1, to=wa_id))[before:]
                    assert out.type == "template" and out.body["template"]["name"] == "aviso_reclamo"
                    assert out.body["template"]["language"]["code"] == "es_AR" and "Ya está resuelto." in out.text
                    await message_row(env.server, message_id, lambda m: m.delivery_status == "sent")
                else:
                    row = await message_row(
                        env.server, message_id, lambda m: m.delivery_status == "undeliverable_no_template"
                    )
                    assert row.delivery_error and "24 h" in row.delivery_error
                    shown = (await agent_client.get(f"/tickets/municipio/{ticket.id}")).json()["mensajes"]
                    assert any(
                        m["id"] == message_id and m["delivery_status"] == "undeliverable_no_template" for m in shown
                    )
                    assert len(env.graph.accepted(wa_id)) == before
    finally:
        env.server.clock.now = None


async def test_server_errors_and_throttling_are_retried_until_delivered(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    env.graph.fail(1, 500)
    env.graph.fail(1, 429, code=130429)
    env.graph.hang(1)
    env.graph.fail(1, 503)
    (menu,) = await say(env, line, text(wa_id, "Hola"))
    assert menu.type == "interactive"
    tried = [r.status for r in env.graph.requests if r.to == wa_id]
    assert tried == [500, 429, 599, 503, 200]
    stmt = select(OutboundMessage).where(OutboundMessage.wa_id == wa_id, OutboundMessage.status == "sent")
    row = await eventually(lambda: scalar(env.server, stmt))
    assert row.attempts == 5 and row.wamid == menu.wamid


async def test_permanent_failures_are_recorded_on_the_message(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    async with env.server.client() as agent_client:
        await login(agent_client, line.tenant.agents[0]["email"])
        ticket = await open_chat(env, line, wa_id, agent_client)
        env.graph.fail(1, 400, code=131026)
        reply = await agent_client.post(
            f"/tickets/municipio/{ticket.id}/responder", json={"comentario": "¿Me confirmás la dirección?"}
        )
        message_id = reply.json()["mensaje"]["id"]
        row = await message_row(env.server, message_id, lambda m: m.delivery_status == "failed")
        assert row.delivery_error and "Fake failure 400" in row.delivery_error
        shown = (await agent_client.get(f"/tickets/municipio/{ticket.id}")).json()["mensajes"]
        assert any(m["id"] == message_id and m["delivery_status"] == "failed" for m in shown)
        # A later message still goes out; and a failed status from Meta is recorded too.
        before = len(env.graph.accepted(wa_id))
        second = await agent_client.post(f"/tickets/municipio/{ticket.id}/responder", json={"comentario": "Gracias."})
        (out,) = (await env.graph.wait_for(before + 1, to=wa_id))[before:]
        second_id = second.json()["mensaje"]["id"]
        await message_row(env.server, second_id, lambda m: m.delivery_status == "sent")
        failed = status(out.wamid, "failed", wa_id, [{"code": 131047, "title": "Re-engagement message"}])
        async with env.server.client() as client:
            await post(client, delivery(line.phone_number_id, statuses=[failed]))
        row = await message_row(env.server, second_id, lambda m: m.delivery_status == "failed")
        assert row.delivery_error and "131047" in row.delivery_error


async def test_cli_configures_a_number_without_printing_the_token(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from ventanilla.whatsapp import cli as wa_cli

    tenant = await seed_tenant(env.server.ctx)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    wa_cli.register(sub)
    entities_parser = sub.add_parser("entities").add_subparsers(dest="entities_command", required=True)
    wa_cli.add_entities_subcommand(entities_parser)
    settings = env.server.settings
    phone = str(10**14 + secrets.randbelow(10**14))
    for argv in (
        ["whatsapp", "configure", str(tenant.id), "--phone-number-id", phone, "--access-token", "SECRET-TOKEN-1"],
        [
            "entities",
            "whatsapp",
            str(tenant.id),
            "--phone-number-id",
            phone,
            "--access-token",
            "SECRET-TOKEN-2",
            "--template",
            "aviso",
            "--template-lang",
            "es_AR",
            "--json",
        ],
    ):
        args = parser.parse_args(argv)
        assert await asyncio.to_thread(args.handler, args, settings) == 0
    out = capsys.readouterr().out
    assert "SECRET-TOKEN" not in out and phone in out
    assert json.loads(out.strip().splitlines()[-1])["template"] == "aviso"
    async with env.server.ctx.uow() as uow:
        from ventanilla.whatsapp import repository

        account = await repository.account_for_entity(uow.session, tenant.id)
        assert account is not None and account.access_token == "SECRET-TOKEN-2" and account.template_language == "es_AR"


async def test_an_urgent_whatsapp_message_is_escalated(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    async with env.server.client() as admin:
        await login(admin, line.tenant.admin["email"])
        panel = await SocketRecorder().connect(env.server.url, headers=session_cookie_header(admin))
        try:
            (answer,) = await say(env, line, text(wa_id, "hay olor a gas muy fuerte en la cocina, tengo miedo"))
            assert "URGENTE" in answer.text and ("107" in answer.text or "100" in answer.text)
            assert "request_agent" in answer.option_ids  # a path to a human, as a reply button
            ticket = await ticket_of(env.server, line, wa_id)
            assert ticket.prioridad == "urgente" and ticket.channel == "whatsapp"
            (event,) = await panel.wait_for("new_ticket")
            assert event["id"] == ticket.id and event["prioridad"] == "urgente"
        finally:
            await panel.close()


async def test_citizen_photos_reach_agents_through_the_media_proxy(env: Env) -> None:
    line = await whatsapp_tenant(env)
    other = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    media_id = str(10**12 + secrets.randbelow(10**12))
    env.graph.media[media_id] = (b"\xff\xd8\xff\xe0 una foto del bache", "image/jpeg")
    await say(env, line, button(wa_id, "request_agent", "Hablar con un representante"))
    await say(env, line, message(wa_id, "image", {"id": media_id, "mime_type": "image/jpeg", "caption": "el bache"}))
    ticket = await ticket_of(env.server, line, wa_id)
    stored = await eventually(
        lambda: scalar(
            env.server,
            # The citizen's photo (a JSON column keeps a missing attachment as JSON null, which IS NOT NULL matches:
            # the stored hand-off answer would count too).
            select(TicketMessage).where(
                TicketMessage.ticket_id == ticket.id,
                TicketMessage.author_kind == "citizen",
                TicketMessage.attachment.is_not(None),
            ),
        )
    )
    url = stored.attachment["url"]
    assert f"/archivos/whatsapp/{media_id}?sig=" in url
    path = url.split("://", 1)[1].split("/", 1)[1]
    async with env.server.client() as agent, env.server.client() as stranger, env.server.client() as anonymous:
        await login(agent, line.tenant.agents[0]["email"])
        got = await agent.get("/" + path)
        assert (
            got.status_code == 200
            and got.content.startswith(b"\xff\xd8")
            and got.headers["content-type"] == "image/jpeg"
        )
        assert got.headers["x-content-type-options"] == "nosniff" and got.headers["content-disposition"] == "inline"
        assert got.headers["content-security-policy"] == "sandbox; default-src 'none'"
        # Typed by its content, not by what Graph says: a page passed off as a picture is only a download.
        page_id = str(10**12 + secrets.randbelow(10**12))
        env.graph.media[page_id] = (samples.HTML, "image/png")
        sig = wa_service.media_signature(env.server.ctx, line.tenant.id, page_id)
        page = await agent.get(f"/archivos/whatsapp/{page_id}", params={"sig": sig})
        assert page.status_code == 200 and page.headers["content-type"] == "application/octet-stream"
        assert page.headers["content-disposition"] == "attachment"
        assert page.headers["content-security-policy"] == "sandbox; default-src 'none'"
        assert (await anonymous.get("/" + path)).status_code == 401
        await login(stranger, other.tenant.agents[0]["email"])
        assert (await stranger.get("/" + path)).status_code == 404  # another entity's token cannot read it
        assert (await agent.get("/archivos/whatsapp/../../etc")).status_code == 404
        assert (await agent.get(f"/archivos/whatsapp/{media_id}?sig=forged")).status_code == 404


async def test_an_agent_reply_with_buttons_reaches_whatsapp_as_reply_buttons(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    async with env.server.client() as agent_client:
        await login(agent_client, line.tenant.agents[0]["email"])
        panel = await SocketRecorder().connect(env.server.url, headers=session_cookie_header(agent_client))
        try:
            await agent_online(env.server, line.tenant)  # before the citizen asks
            await say(env, line, button(wa_id, "request_agent", "Hablar con un agente"), replies=1)
            ticket = await ticket_of(env.server, line, wa_id)
            before = len(env.graph.accepted(wa_id))
            interactive = {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": "¿Pudiste resolverlo?"},
                    "action": {
                        "buttons": [
                            {"type": "reply", "reply": {"id": "resuelto_si", "title": "Sí"}},
                            {"type": "reply", "reply": {"id": "resuelto_no", "title": "Todavía no"}},
                        ]
                    },
                },
            }
            reply = await agent_client.post(f"/tickets/municipio/{ticket.id}/responder", json=interactive)
            assert reply.status_code == 200, reply.text
            (out,) = (await env.graph.wait_for(before + 1, to=wa_id))[before:]
            assert out.type == "interactive" and "¿Pudiste resolverlo?" in out.text
            assert out.option_ids == ["resuelto_si", "resuelto_no"]
        finally:
            await panel.close()


async def test_a_message_that_keeps_failing_is_a_dead_letter_and_is_answered_after_a_fix(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ventanilla.whatsapp import inbox

    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    converse = inbox.bot.converse

    async def broken(*args: Any, **kwargs: Any) -> Any:
        call = args[0] if args else kwargs["call"]
        if call.citizen.whatsapp_id == wa_id:
            raise IndexError("string index out of range")  # as the classifier did on a trailing "h"
        return await converse(*args, **kwargs)

    monkeypatch.setattr(inbox.bot, "converse", broken)
    hello = text(wa_id, "Hola, se cortó la luz h")
    async with env.server.client() as client:
        assert (await post(client, delivery(line.phone_number_id, [hello]))).status_code == 200
    query = select(InboundEvent).where(InboundEvent.wamid == hello["id"])
    for _ in range(200):
        event = await scalar(env.server, query)
        if event.failed_at is not None:
            break
        await asyncio.sleep(0.05)
    assert event.failed_at is not None and event.processed_at is None, "never became a dead letter"
    assert event.attempts == 5 and "IndexError" in (event.error or "")
    runner = env.server.ctx.jobs["whatsapp_inbox"]
    assert any(d.id == event.id and "IndexError" in (d.error or "") for d in await runner.queue.dead(50))
    assert (await runner.queue.backlog()).failed >= 1
    assert env.graph.accepted(wa_id) == []

    monkeypatch.undo()  # the fix is deployed
    assert await runner.queue.retry([event.id]) == 1
    await runner.wake()
    (answer,) = await env.graph.wait_for(1, to=wa_id)
    assert answer.text
    event = await scalar(env.server, query)
    assert event.processed_at is not None and event.failed_at is None


async def test_nul_and_a_lone_h_in_a_message_get_an_answer(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    odd = text(wa_id, "h\x00")
    odd["from"] = f"{wa_id}\x00"  # the phone number too
    async with env.server.client() as client:
        r = await post(client, delivery(line.phone_number_id, [odd]))
        assert r.status_code == 200, r.text
    (answer,) = await env.graph.wait_for(1, to=wa_id)
    assert answer.status == 200
    (again,) = await say(env, line, text(wa_id, "Ｈ\x00 ℎ"))
    assert again.status == 200
