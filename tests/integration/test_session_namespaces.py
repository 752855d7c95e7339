"""A browser cannot take over a WhatsApp conversation: the probe of issue 22 replayed against a real server.

A WhatsApp citizen files a complaint; an attacker with the public entity token (or nothing) then sends the
conversation's old session key, and every variation of it, as `X-Chat-Session-Id`, joins it as a socket room,
and tries it with a session id of their own.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.support import SocketRecorder, login
from tests.whatsapp_support import (
    Env,
    button,
    new_wa_id,
    rows,
    say,
    scalar,
    text,
    ticket_of,
    whatsapp_tenant,
)
from ventanilla.chat import keys
from ventanilla.chat.models import ChatSession
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.whatsapp.models import OutboundMessage

ASK = "/ask/municipio"


async def whatsapp_complaint(env: Env, wa_id: str) -> tuple[Any, Ticket]:
    line = await whatsapp_tenant(env)
    await say(env, line, text(wa_id, "Hola"))
    await say(env, line, text(wa_id, "Hay una luminaria apagada hace una semana"))
    await say(env, line, text(wa_id, "Av. San Martín 1234"))
    await say(env, line, button(wa_id, "confirmar_reclamo", "Confirmar reclamo"))
    return line, await ticket_of(env.server, line, wa_id)


def assert_refused(r: httpx.Response, *statuses: int) -> None:
    assert r.status_code in statuses, (r.status_code, r.text)
    assert isinstance(r.json().get("error"), str) and r.json()["error"]


async def outbound_to(env: Env, wa_id: str) -> int:
    stmt = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.wa_id == wa_id)
    return int(await scalar(env.server, stmt))


async def test_a_web_session_id_never_names_a_whatsapp_conversation(env: Env) -> None:
    wa_id = new_wa_id()
    line, ticket = await whatsapp_complaint(env, wa_id)
    assert ticket.chat_session_key == keys.whatsapp(wa_id)
    tid = ticket.id
    token = {"X-Entity-Token": line.tenant.token}
    messages_before = int(
        await scalar(env.server, select(func.count()).select_from(TicketMessage).where(TicketMessage.ticket_id == tid))
    )
    forged_ids = [f"wa-{wa_id}", f"WA-{wa_id}", f"whatsapp:{wa_id}", f"web:{uuid.uuid4()}", wa_id, f"{uuid.uuid4()}-wa-{wa_id}"]
    async with env.server.client() as attacker:
        for forged in forged_ids:
            session = {"X-Chat-Session-Id": forged}
            # With the public token: the bot's "consultar reclamo" no longer answers from that conversation.
            r = await attacker.post(ASK, json={"pregunta": "", "action": "consultar_reclamo"}, headers=session | token)
            assert_refused(r, 400)
            assert "Ana Gómez" not in r.text and wa_id not in r.text
            # With no token at all: no read, no reply as the citizen, no moving the complaint.
            assert_refused(await attacker.get(f"/tickets/municipio/{tid}", headers=session), 400)
            assert_refused(await attacker.get(f"/tickets/municipio/{tid}/timeline", headers=session), 400)
            assert_refused(await attacker.get(f"/tickets/chat/{tid}/mensajes", headers=session), 400)
            r = await attacker.post(
                f"/tickets/chat/{tid}/responder_ciudadano", json={"comentario": "soy yo"}, headers=session
            )
            assert_refused(r, 400)
            r = await attacker.put(f"/tickets/chat/{tid}/ubicacion", json={"direccion": "Otra 1"}, headers=session)
            assert_refused(r, 400)
            r = await attacker.post(ASK, json={"pregunta": "quiero hablar con una persona"}, headers=session | token)
            assert_refused(r, 400)
            r = await attacker.post(
                "/auth/register",
                json={"email": f"x-{uuid.uuid4().hex[:6]}@example.org", "password": "unaClave123", "nombre": "X"},
                headers=session | token,
            )
            assert_refused(r, 400)

        # A session id of the attacker's own (the UUID the widget makes) owns nothing of the citizen's.
        own = {"X-Chat-Session-Id": str(uuid.uuid4())}
        r = await attacker.post(ASK, json={"pregunta": "", "action": "consultar_reclamo"}, headers=own | token)
        assert r.status_code == 200, r.text
        assert "Ana Gómez" not in r.text and "San Martín" not in r.text and wa_id not in r.text
        assert f"N.º {ticket.nro_ticket} ·" not in r.text
        assert_refused(await attacker.get(f"/tickets/municipio/{tid}", headers=own | token), 403)
        assert_refused(await attacker.get(f"/tickets/chat/{tid}/mensajes", headers=own), 403)
        r = await attacker.post(f"/tickets/chat/{tid}/responder_ciudadano", json={"comentario": "soy yo"}, headers=own)
        assert_refused(r, 403)
        assert_refused(
            await attacker.put(f"/tickets/chat/{tid}/ubicacion", json={"direccion": "Otra 1"}, headers=own), 403
        )
        # Asking for a person opens the attacker's own web chat; the agent's answer never reaches the WhatsApp.
        r = await attacker.post(ASK, json={"pregunta": "quiero hablar con una persona"}, headers=own | token)
        assert r.status_code == 200, r.text
    live = await rows(env.server, select(Ticket).where(Ticket.chat_session_key == keys.web(own["X-Chat-Session-Id"])))
    assert [(t.channel, t.is_live_chat) for t in live] == [("web", True)]
    sent_before = await outbound_to(env, wa_id)
    async with env.server.client() as agent:
        await login(agent, line.tenant.agents[0]["email"])
        r = await agent.post(f"/tickets/municipio/{live[0].id}/responder", json={"comentario": "Hola, te atiendo."})
        assert r.status_code == 200, r.text
    assert await outbound_to(env, wa_id) == sent_before

    after = await scalar(env.server, select(Ticket).where(Ticket.id == tid))
    assert after.direccion == "Av. San Martín 1234" and after.chat_session_key == keys.whatsapp(wa_id)
    count = select(func.count()).select_from(TicketMessage).where(TicketMessage.ticket_id == tid)
    assert int(await scalar(env.server, count)) == messages_before
    chat = await scalar(
        env.server, select(ChatSession).where(ChatSession.session_key == keys.whatsapp(wa_id))
    )
    assert chat is not None and chat.channel == "whatsapp"


async def test_a_socket_cannot_join_a_whatsapp_conversations_room(env: Env) -> None:
    wa_id = new_wa_id()
    line, _ = await whatsapp_complaint(env, wa_id)
    socket = await SocketRecorder().connect(env.server.url, auth={"entityToken": line.tenant.token})
    try:
        for room in (f"wa-{wa_id}", f"whatsapp:{wa_id}", wa_id, f"session:{line.tenant.id}:whatsapp:{wa_id}"):
            ack = await socket.join(room)
            assert ack["ok"] is False and ack["error"], (room, ack)
        assert (await socket.join(str(uuid.uuid4())))["ok"] is True  # the widget's own room still works
    finally:
        await socket.close()


async def test_the_whatsapp_citizen_keeps_their_conversation(env: Env) -> None:
    wa_id = new_wa_id()
    line, ticket = await whatsapp_complaint(env, wa_id)
    async with env.server.client() as agent:
        await login(agent, line.tenant.agents[0]["email"])
        sent_before = await outbound_to(env, wa_id)
        r = await agent.post(f"/tickets/municipio/{ticket.id}/responder", json={"comentario": "¿Qué poste es?"})
        assert r.status_code == 200, r.text
    assert await outbound_to(env, wa_id) == sent_before + 1
