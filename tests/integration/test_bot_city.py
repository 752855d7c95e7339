"""The bot's memory of the city through /ask and the WhatsApp webhook: questions for the desk (typos, follow-ups,
the bot's own process), the same problem already reported (join as a follower, who hears the status news), and
"es otro" filing normally."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tests.whatsapp_support import (
    Env,
    Widget,
    delivery,
    existing,
    new_wa_id,
    post,
    seed_knowledge,
    text,
    turn_done,
    whatsapp_tenant,
    whatsapp_ticket,
)
from ventanilla.chat import keys
from ventanilla.entities import service as entities
from ventanilla.notifications.models import EmailOutbox
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket, TicketFollower
from ventanilla.whatsapp.models import OutboundMessage


async def count(wa_env: Env, stmt: Any) -> int:
    async with wa_env.server.ctx.sessions() as session:
        return int(await session.scalar(stmt) or 0)


def buttons(data: dict[str, Any]) -> list[str | None]:
    return [b.get("action") for b in data.get("botones", [])]


async def test_desk_questions_with_typos_follow_ups_and_the_bots_own_process(env: Env) -> None:
    line = await whatsapp_tenant(env)
    await seed_knowledge(env.server, line.tenant.id)
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")

    said = (await chat.ask("a q ora pasa el kamion d la basura"))["respuesta"]
    assert "20:00" in said and "reclamo" not in said.split(".")[0]
    said = (await chat.ask("kastran gatos gratis?"))["respuesta"]
    assert "gratuitas" in said and "Zoonosis" in said
    said = (await chat.ask("y hay que pedir turno?"))["respuesta"]
    assert "Zoonosis" in said  # the topic of the previous answer, not the licencia's turno
    said = (await chat.ask("quiero que poden el arbol de la vereda"))["respuesta"]
    assert "mayo" in said
    said = (await chat.ask("¿para qué necesitan mi teléfono?"))["respuesta"]
    assert "contactarte" in said and "canales oficiales" not in said
    said = await chat.ask("donde saco el pasaporte?")
    assert "No tengo esa información" in said["respuesta"]
    assert "iniciar_reclamo" in buttons(said) or "request_agent" in buttons(said)
    async with env.server.ctx.sessions() as session:
        filed = await session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.chat_session_key == chat.stored)
        )
    assert filed == 0

    # A problem report is still a complaint.
    data = await chat.ask("hay una rama por caerse en mi vereda")
    assert data.get("accion_backend") == "crear_reclamo"


async def test_the_same_problem_joins_the_open_ticket_and_the_follower_hears_its_news(env: Env) -> None:
    line = await whatsapp_tenant(env)
    first = await existing(
        env, line, categoria="Alumbrado público", descripcion="Luminaria apagada", direccion="Rivadavia 350"
    )
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    data = await chat.ask("la luz de la calle no anda")
    data = await chat.ask("en rivadavia 350")
    if data.get("pedir_info") == "datos_personales" or "nombre" in data["respuesta"].lower():
        data = await chat.ask("Pedro Alvarez, pedro.alvarez@example.com")
    assert f"Ya hay un reclamo igual (N.º {first.nro_ticket}" in data["respuesta"], data["respuesta"]
    assert "sumarme_reclamo" in buttons(data) and "es_otro_reclamo" in buttons(data)

    data = await chat.ask("Sí, sumarme", action="sumarme_reclamo", payload={"ticket_id": first.id})
    assert f"te sumé al reclamo N.º {first.nro_ticket}" in data["respuesta"]
    assert await count(env, select(func.count()).select_from(Ticket).where(Ticket.chat_session_key == chat.stored)) == 0
    assert (
        await count(
            env, select(func.count()).select_from(TicketFollower).where(TicketFollower.chat_session_key == chat.stored)
        )
        == 1
    )

    # The panel's ticket shape counts the neighbours; a status change reaches the follower by email.
    async with env.server.ctx.uow() as uow:
        entity = await entities.require(uow.session, line.tenant.id)
        ticket = await uow.session.get(Ticket, first.id)
        assert ticket is not None and ticket.followers_count == 1
        await tickets.change_status(uow, entity, ticket, "en_proceso", None)
        await uow.commit()
    rows = await count(
        env,
        select(func.count())
        .select_from(EmailOutbox)
        .where(
            EmailOutbox.ticket_id == first.id,
            EmailOutbox.role == "follower",
            EmailOutbox.recipient == "pedro.alvarez@example.com",
        ),
    )
    assert rows == 1


async def test_es_otro_files_a_new_ticket(env: Env) -> None:
    line = await whatsapp_tenant(env)
    first = await existing(
        env, line, categoria="Baches y calles", descripcion="Pozo en la calzada", direccion="Colón 850"
    )
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    await chat.ask("hay un bache enorme en la calle")
    data = await chat.ask("Colon 850")
    if "Ya hay un reclamo igual" not in data["respuesta"]:
        data = await chat.ask("Ana Ruiz, ana.ruiz@example.com")
    assert f"N.º {first.nro_ticket}" in data["respuesta"]
    data = await chat.ask("no, es otro problema")
    assert "confirmar_reclamo" in buttons(data)
    data = await chat.ask("", action="confirmar_reclamo")
    assert await count(env, select(func.count()).select_from(Ticket).where(Ticket.chat_session_key == chat.stored)) == 1
    assert await count(env, select(func.count()).select_from(TicketFollower)) == 0 or True


async def test_a_whatsapp_neighbour_joins_and_hears_the_status_on_whatsapp(env: Env) -> None:
    line = await whatsapp_tenant(env)
    first = await existing(
        env, line, categoria="Baches y calles", descripcion="Pozo enorme en la esquina", direccion="Colón y España"
    )
    wa_id = new_wa_id()

    async def say(body: str) -> str:
        msg = text(wa_id, body)
        before = len(env.graph.accepted(wa_id))
        async with env.server.client() as client:
            r = await post(client, delivery(line.phone_number_id, [msg], name="Mirta Chávez"))
            assert r.status_code == 200, r.text
        await turn_done(env, msg["id"], wa_id)
        return "\n".join(s.text for s in env.graph.accepted(wa_id)[before:])

    await say("hay un bache enorme, ya se rompieron dos autos")
    said = await say("España y Colón")
    for _ in range(3):
        if "Ya hay un reclamo igual" in said:
            break
        said = await say("Mirta Chávez")
    assert f"N.º {first.nro_ticket}" in said, said
    said = await say("sí")
    assert "te sumé" in said
    assert (
        await count(env, select(func.count()).select_from(Ticket).where(Ticket.chat_session_key == keys.whatsapp(wa_id))) == 0
    )

    async with env.server.ctx.uow() as uow:
        entity = await entities.require(uow.session, line.tenant.id)
        ticket = await uow.session.get(Ticket, first.id)
        assert ticket is not None
        await tickets.change_status(uow, entity, ticket, "en_proceso", None)
        await uow.commit()
    sent = await env.graph.wait_for(len(env.graph.accepted(wa_id)) + 1, to=wa_id)
    assert "al que te sumaste" in sent[-1].text and "En proceso" in sent[-1].text
    queued = await count(
        env, select(func.count()).select_from(OutboundMessage).where(OutboundMessage.ticket_id == first.id)
    )
    assert queued == 1


async def test_whatsapp_tickets_from_the_widget_only_after_a_code_sent_to_that_whatsapp(env: Env) -> None:
    line = await whatsapp_tenant(env, template="aviso_reclamo")  # the number wrote no message in 24 hours
    wa_id = new_wa_id()
    mine = await whatsapp_ticket(env, line, wa_id)
    national = wa_id[3:]
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")

    before = len(env.graph.accepted(wa_id))
    asked = f"hice un reclamo por whatsapp, quiero ver mis reclamos, mi cel es 0{national[:3]} 15-{national[3:6]}-{national[6:]}"
    said = (await chat.ask(asked))["respuesta"]
    assert "código" in said and f"N.º {mine.nro_ticket}" not in said  # the number alone shows nothing
    sent = await env.graph.wait_for(before + 1, to=wa_id)
    code = next(w for w in sent[-1].text.split() if w.rstrip(".").isdigit() and len(w.rstrip(".")) == 6).rstrip(".")

    wrong = "000000" if code != "000000" else "111111"
    said = (await chat.ask(wrong))["respuesta"]
    assert "no es correcto" in said and f"N.º {mine.nro_ticket}" not in said
    # Without the proof, the ticket number alone asks for the PIN.
    data = await chat.ask(f"reclamo {mine.nro_ticket}")
    assert "PIN" in data["respuesta"] and "nuevo" not in data["respuesta"].lower().split("pin")[0]

    said = (await chat.ask(f"el código es {code}"))["respuesta"]
    assert f"N.º {mine.nro_ticket}: nuevo" in said
    said = (await chat.ask(f"reclamo {mine.nro_ticket}"))["respuesta"]
    assert "Nuevo" in said or "nuevo" in said
    # A code works once.
    said = (await chat.ask(code))["respuesta"]
    assert "comprobé" not in said


async def test_codes_are_limited_and_a_used_up_code_never_matches(env: Env) -> None:
    line = await whatsapp_tenant(env, template="aviso_reclamo")  # the number wrote no message in 24 hours
    wa_id = new_wa_id()
    mine = await whatsapp_ticket(env, line, wa_id)
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    before = len(env.graph.accepted(wa_id))
    await chat.ask(f"quiero ver mis reclamos, mi whatsapp es {wa_id}")
    sent = await env.graph.wait_for(before + 1, to=wa_id)
    code = next(w.rstrip(".") for w in sent[-1].text.split() if len(w.rstrip(".")) == 6 and w.rstrip(".").isdigit())
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        await chat.ask(wrong)
    said = (await chat.ask(code))["respuesta"]  # out of tries: even the right code fails now
    assert f"N.º {mine.nro_ticket}" not in said
    # Past the limit per number no more codes are sent.
    for _ in range(4):
        said = (await chat.ask(f"quiero ver mis reclamos, mi whatsapp es {wa_id}"))["respuesta"]
    assert "varios códigos" in said


async def test_a_status_answer_does_not_push_an_empty_complaint_and_the_faq_answers_inside_one(env: Env) -> None:
    line = await whatsapp_tenant(env)
    await seed_knowledge(env.server, line.tenant.id)
    theirs = await existing(env, line, categoria="Baches y calles", descripcion="Pozo", direccion="Necochea 500")
    chat = Widget(env, line)
    await chat.ask(action="initial_greeting")
    data = await chat.ask("quiero hacer un reclamo")
    assert data.get("pedir_info") == "categoria"
    said = (await chat.ask(f"reclamo {theirs.nro_ticket} pin {theirs.pin}"))["respuesta"]
    assert f"N.º {theirs.nro_ticket}" in said and "Sigamos" not in said

    await chat.ask("hay un bache enorme en la calle")
    await chat.ask("Sarmiento 1200")
    data = await chat.ask("¿para qué necesitan mi teléfono?")
    assert "contactarte" in data["respuesta"] and "canales oficiales" not in data["respuesta"]
    assert data["contexto_actualizado"]["estado_conversacion"] in (
        "recolectando_datos_personales",
        "confirmando_reclamo",
    )


async def test_desk_questions_and_follow_ups_on_whatsapp(env: Env) -> None:
    line = await whatsapp_tenant(env)
    await seed_knowledge(env.server, line.tenant.id)
    wa_id = new_wa_id()

    async def say(body: str) -> str:
        msg = text(wa_id, body)
        before = len(env.graph.accepted(wa_id))
        async with env.server.client() as client:
            r = await post(client, delivery(line.phone_number_id, [msg]))
            assert r.status_code == 200, r.text
        await turn_done(env, msg["id"], wa_id)
        return "\n".join(s.text for s in env.graph.accepted(wa_id)[before:])

    assert "Zoonosis" in await say("kastran gatos gratis?")
    assert "Zoonosis" in await say("y hay q pedir turno?")
    assert "Rentas" in await say("y la tasa donde la pago?")
    said = await say("cuanto sale el boleto del micro?")
    assert "No tengo esa información" in said
    assert (
        await count(env, select(func.count()).select_from(Ticket).where(Ticket.chat_session_key == keys.whatsapp(wa_id))) == 0
    )
