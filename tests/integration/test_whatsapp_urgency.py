"""Ask-when-unsure and the self-harm answer through the WhatsApp webhook (reply buttons, stored question)."""

from __future__ import annotations

from sqlalchemy import select

from tests.support import SELF_HARM, UNSURE, expected_reply
from tests.whatsapp_support import (
    Env,
    button,
    new_wa_id,
    rows,
    say,
    text,
    ticket_of,
    whatsapp_tenant,
)
from ventanilla.bot.urgent import NO_ACTION, QUESTION, YES_ACTION
from ventanilla.chat import keys
from ventanilla.tickets.models import Ticket


async def test_unsure_message_asks_with_reply_buttons_and_yes_escalates(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    (asked,) = await say(env, line, text(wa_id, UNSURE))
    assert asked.type == "interactive" and asked.body["interactive"]["type"] == "button"
    assert QUESTION in asked.text and asked.option_ids == [YES_ACTION, NO_ACTION]
    (answer,) = await say(env, line, button(wa_id, YES_ACTION, "Sí"))
    assert "URGENTE" in answer.text and "911" in answer.text
    ticket = await ticket_of(env.server, line, wa_id)
    assert ticket.prioridad == "urgente" and ticket.descripcion == UNSURE


async def test_unsure_message_no_goes_on_with_the_original_message(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    (asked,) = await say(env, line, text(wa_id, UNSURE))
    assert QUESTION in asked.text
    (answer,) = await say(env, line, button(wa_id, NO_ACTION, "No"))
    assert QUESTION not in answer.text and "911" not in answer.text
    expected = await expected_reply(env.server, line.tenant, UNSURE)
    assert expected.respuesta.splitlines()[0] in answer.text  # the flow goes on with the message first written
    tickets = await rows(env.server, select(Ticket).where(Ticket.chat_session_key == keys.whatsapp(wa_id)))
    assert tickets == []


async def test_self_harm_on_whatsapp_gives_the_lines_as_plain_numbers(env: Env) -> None:
    line = await whatsapp_tenant(env)
    wa_id = new_wa_id()
    (answer,) = await say(env, line, text(wa_id, SELF_HARM))
    assert "135" in answer.text and "0800-345-1435" in answer.text and "911" in answer.text
