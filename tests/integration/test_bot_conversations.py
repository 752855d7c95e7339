"""Every scripted conversation (tests/integration/bot_scripts.py) through /ask and through the WhatsApp webhook."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.integration.bot_scripts import SCRIPTS, Click, Script, Step
from tests.support import widget_headers, widget_update
from tests.whatsapp_support import (
    Env,
    Line,
    button,
    delivery,
    new_wa_id,
    post,
    seed_knowledge,
    text,
    turn_done,
    whatsapp_tenant,
)
from ventanilla.chat import keys
from ventanilla.entities import service as entities
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.whatsapp.schemas import decode_option_id, encode_option_id

_CREATED_RE = re.compile(r"Registramos tu reclamo N\.º (\d+)")
PARALLEL = 8


async def reference_ticket(server: Any, tenant_id: int) -> dict[str, Any]:
    """A ticket somebody else filed, with an agent's answer: consulted with its number and PIN."""
    async with server.ctx.uow() as uow:
        entity = await entities.require(uow.session, tenant_id)
        ticket, _ = await tickets.create_ticket(
            uow,
            entity,
            tickets.NewTicket(
                asunto="Alumbrado público: poste apagado",
                descripcion="Poste apagado",
                categoria="Alumbrado público",
                chat_session_key=keys.web(str(uuid.uuid4())),
            ),
        )
        await tickets.add_message(
            uow,
            entity,
            ticket,
            tickets.NewMessage(
                author_kind="agent", author_name="Agente", text="Mañana pasa la cuadrilla", origen="chat"
            ),
        )
        await uow.commit()
        return {"nro": str(ticket.nro_ticket), "pin": ticket.pin, "tid": str(ticket.id), "id": ticket.id}


def fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, replacement in names.items():
            value = value.replace("{" + key + "}", replacement)
        return int(value) if value.isdigit() and value != "" and names.get("_int") == "1" else value
    if isinstance(value, dict):
        return {k: fill(v, {**names, "_int": "1"}) for k, v in value.items()}
    return value


def check(script: Script, index: int, step: Step, said: str, offered: list[str], names: dict[str, str]) -> list[str]:
    where = f"{script.name!r} step {index + 1} ({step.send!r})"
    problems = [f"{where}: expected {fill(s, names)!r} in {said!r}" for s in step.says if fill(s, names) not in said]
    problems += [f"{where}: did not expect {s!r} in {said!r}" for s in step.never if s in said]
    problems += [f"{where}: expected a {a!r} button in {offered}" for a in step.offers if a not in offered]
    return problems


async def check_tickets(server: Any, tenant_id: int, key: str, script: Script, ref: dict[str, Any]) -> list[str]:
    async with server.ctx.sessions() as session:
        found = list(
            (
                await session.execute(
                    select(Ticket)
                    .where(Ticket.entity_id == tenant_id, Ticket.chat_session_key == key)
                    .order_by(Ticket.id)
                )
            ).scalars()
        )
        joined = None
        if script.message_to_reference:
            joined = await session.scalar(
                select(func.count())
                .select_from(TicketMessage)
                .where(TicketMessage.ticket_id == ref["id"], TicketMessage.text == script.message_to_reference)
            )
    problems = []
    filed = [t for t in found if t.prioridad != "urgente"]
    if script.urgent and not any(t.prioridad == "urgente" for t in found):
        problems.append(f"{script.name!r}: no urgent ticket")
    if script.ticket is None and filed:
        problems.append(f"{script.name!r}: filed {len(filed)} ticket(s), expected none")
    if script.ticket is not None:
        if len(filed) != 1:
            problems.append(f"{script.name!r}: filed {len(filed)} tickets, expected one")
        else:
            for name, value in script.ticket.items():
                if getattr(filed[0], name) != value:
                    problems.append(f"{script.name!r}: ticket {name} = {getattr(filed[0], name)!r}, expected {value!r}")
    if script.message_to_reference and joined != 1:
        problems.append(f"{script.name!r}: the message did not join the consulted ticket")
    return problems


async def play_web(server: Any, tenant: Any, script: Script) -> list[str]:
    ref = await reference_ticket(server, tenant.id)
    names = {k: v for k, v in ref.items() if isinstance(v, str)}
    key = str(uuid.uuid4())
    headers = widget_headers(tenant, key)
    context: dict[str, Any] = {"estado_conversacion": "inicio", "datos_reclamo": {}, "id_ticket_creado": None}
    problems: list[str] = []
    async with server.client() as client:
        r = await client.post("/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
        assert r.status_code == 200, r.text
        for index, step in enumerate(script.steps):
            send = step.send
            if isinstance(send, Click):
                body = {"pregunta": send.texto, "action": send.action, "payload": fill(send.payload, names)}
            else:
                body = {"pregunta": fill(send, names)}
            r = await client.post("/ask/municipio", json={**body, "contexto_previo": context}, headers=headers)
            if r.status_code != 200:
                return [*problems, f"{script.name!r} step {index + 1}: HTTP {r.status_code} {r.text}"]
            data = r.json()
            context = widget_update(context, data)
            said = data["respuesta"]
            offered = [b.get("action") for b in data.get("botones", [])]
            problems += check(script, index, step, said, offered, names)
            if m := _CREATED_RE.search(said):
                names["mine"] = m.group(1)
    return problems + await check_tickets(server, tenant.id, keys.web(key), script, ref)


async def play_whatsapp(wa_env: Env, line: Line, script: Script) -> list[str]:
    ref = await reference_ticket(wa_env.server, line.tenant.id)
    names = {k: v for k, v in ref.items() if isinstance(v, str)}
    wa_id = new_wa_id()
    problems: list[str] = []
    for index, step in enumerate(script.steps):
        send = step.send
        if isinstance(send, Click):
            msg = button(wa_id, encode_option_id(send.action, fill(send.payload, names)), send.texto or "Opción")
        else:
            msg = text(wa_id, fill(send, names))
        before = len(wa_env.graph.accepted(wa_id))
        # A connection per delivery, as Meta opens them: a kept-alive one can be closed by the server (5 s idle)
        # while a slow turn is awaited, and the next POST would then fail with a read error.
        async with wa_env.server.client() as client:
            r = await post(client, delivery(line.phone_number_id, [msg]))
            assert r.status_code == 200, r.text
            await turn_done(wa_env, msg["id"], wa_id)
            sent = wa_env.graph.accepted(wa_id)[before:]
            said = "\n".join(s.text for s in sent)
            offered = [decode_option_id(o)[0] for s in sent for o in s.option_ids]
            problems += check(script, index, step, said, offered, names)
            if m := _CREATED_RE.search(said):
                names["mine"] = m.group(1)
    return problems + await check_tickets(wa_env.server, line.tenant.id, keys.whatsapp(wa_id), script, ref)


async def run_all(play: Any, scripts: tuple[Script, ...]) -> list[str]:
    gate = asyncio.Semaphore(PARALLEL)

    async def one(script: Script) -> list[str]:
        async with gate:
            return list(await play(script))

    return [p for found in await asyncio.gather(*(one(s) for s in scripts)) for p in found]


async def test_at_least_forty_scripted_conversations() -> None:
    assert len(SCRIPTS) >= 40
    assert len({s.name for s in SCRIPTS}) == len(SCRIPTS)


async def own_line(wa_env: Env) -> Line:
    """A municipio of its own for one script: another script's complaint at the same place is not a duplicate."""
    line = await whatsapp_tenant(wa_env)
    await seed_knowledge(wa_env.server, line.tenant.id)
    return line


# `make test` plays every fourth script (each kind of conversation still among them); `make test-slow` all.
SAMPLE = SCRIPTS[::4]
SCRIPT_SETS = [
    pytest.param(SAMPLE, id="sample"),
    pytest.param(SCRIPTS, id="all", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("scripts", SCRIPT_SETS)
async def test_scripted_conversations_through_ask(env: Env, scripts: tuple[Script, ...]) -> None:
    async def play(script: Script) -> list[str]:
        return await play_web(env.server, (await own_line(env)).tenant, script)

    problems = await run_all(play, scripts)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scripts", SCRIPT_SETS)
async def test_scripted_conversations_through_whatsapp(env: Env, scripts: tuple[Script, ...]) -> None:
    async def play(script: Script) -> list[str]:
        return await play_whatsapp(env, await own_line(env), script)

    problems = await run_all(play, tuple(s for s in scripts if not s.web_only))
    assert not problems, "\n".join(problems)
