"""The bot step after a complaint: applies `followup.decide` to the citizen's complaints (docs/bot.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ventanilla.chat import service as livechat
from ventanilla.db import utcnow
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import CLOSED_ESTADOS, Ticket
from ventanilla.users.models import User

from . import followup, texts
from .followup import Does, Known, Says
from .lookup import view_of
from .model import INTAKE_ESTADOS, BotReply, Button
from .replies import categories

if TYPE_CHECKING:
    from .service import Call

CHOSEN = "seguir_reclamo"
"""The button that names which complaint "sigue igual" was about (payload `{ticket_id}`)."""
_LATEST = 5


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


async def _closed_at(call: Call, ticket: Ticket) -> dt.datetime:
    """When it was resolved or closed (its last move to either)."""
    events = await tickets_repo.events(call.uow.session, ticket.id)
    closing = [e for e in events if e.kind == "estado" and e.to_value in CLOSED_ESTADOS]
    return _aware(closing[-1].created_at if closing else ticket.updated_at)


async def _mine(call: Call) -> list[Ticket]:
    """The citizen's latest complaints (account and this chat), newest first, with the one this chat filed."""
    session, entity = call.uow.session, call.entity
    found: dict[int, Ticket] = {}
    for citizen_id, key in ((call.citizen.id if call.citizen else None, None), (None, call.session_key)):
        if citizen_id is None and key is None:
            continue
        for t in await tickets_repo.recent_of_citizen(
            session, entity.id, citizen_id=citizen_id, session_key=key, limit=_LATEST
        ):
            found.setdefault(t.id, t)
    filed = call.state.ticket_id
    if filed is not None and filed not in found:
        ticket = await tickets_repo.get(session, filed)
        if ticket is not None and ticket.entity_id == entity.id:
            found[ticket.id] = ticket
    owned = [
        t
        for t in found.values()
        if (not t.is_live_chat or t.categoria is not None)  # a complaint that had a live chat is still a complaint
        and tickets.citizen_owns(t, user=call.citizen, session_key=call.session_key, entity=entity)
    ]
    return sorted(owned, key=lambda t: _aware(t.created_at), reverse=True)


async def _known(call: Call, mine: list[Ticket]) -> list[Known]:
    now = utcnow()
    known = []
    for t in mine:
        since = await _closed_at(call, t) if t.is_closed else _aware(t.updated_at)
        here = t.id == call.state.ticket_id
        wrote = here and not t.is_closed and await tickets_repo.last_agent_message(call.uow.session, t.id) is not None
        known.append(
            Known(
                ticket_id=t.id,
                nro_ticket=t.nro_ticket,
                categoria=t.categoria,
                direccion=t.direccion,
                closed=t.is_closed,
                idle=now - since,
                this_conversation=here,
                agent_wrote=wrote,
            )
        )
    return known


async def _filed_here(call: Call) -> list[Ticket]:
    """The open complaint this conversation filed, alone (an answer to its agent can be about nothing else)."""
    filed = call.state.ticket_id
    ticket = await tickets_repo.get(call.uow.session, filed) if filed is not None else None
    if (
        ticket is None
        or ticket.entity_id != call.entity.id
        or ticket.is_closed
        or ticket.is_live_chat
        or not tickets.citizen_owns(ticket, user=call.citizen, session_key=call.session_key, entity=call.entity)
    ):
        return []
    return [ticket]


def _reply(call: Call, text: str, buttons: list[Button] | None = None) -> BotReply:
    return BotReply(respuesta=text, botones=buttons or [], categorias=[], state=call.state)


def _origen(call: Call) -> str:
    return "chat" if call.channel == "web" else call.channel


async def _add(call: Call, ticket: Ticket, text: str) -> int:
    outcome = await livechat.citizen_message(
        call.ctx,
        call.uow,
        call.entity,
        ticket,
        livechat.CitizenLine(text=text, origen=_origen(call), citizen=call.citizen, attachment=call.turn.attachment),
    )
    return int(outcome["mensaje_id"])


async def _reopen(call: Call, ticket: Ticket, text: str) -> int:
    """Back to the status it had before it was resolved; the agents hear the change, then the message."""
    events = await tickets_repo.events(call.uow.session, ticket.id)
    closing = [e for e in events if e.kind == "estado" and e.to_value in CLOSED_ESTADOS]
    before = closing[-1].from_value if closing else None
    estado = "nuevo" if before == "nuevo" and ticket.assigned_agent_id is None else "en_proceso"
    await tickets.change_status(
        call.uow, call.entity, ticket, estado, None, note=f"Reabierto por el vecino: «{text[:200]}»"
    )
    return await _add(call, ticket, text)


async def _status_text(call: Call, ticket: Ticket) -> str:
    view = await view_of(call.uow, call.entity, ticket)
    agent = await call.uow.session.get(User, ticket.assigned_agent_id) if ticket.assigned_agent_id else None
    staff = [m for m in await tickets_repo.recent_messages(call.uow.session, ticket.id, 20) if m.is_staff_side]
    last = staff[-1] if staff else None
    return texts.followup_status(
        ticket.nro_ticket,
        estado=ticket.estado,
        categoria=ticket.categoria,
        agent=agent.name if agent else None,
        last=last.text if last is not None and last.text else None,
        last_at=view.ultimo_mensaje_fecha if last is not None else None,
    )


async def _agent_name(call: Call, ticket: Ticket) -> str | None:
    """Who is answering the complaint: the agent who wrote last on it."""
    last = await tickets_repo.last_agent_message(call.uow.session, ticket.id)
    return last.author_name if last is not None else None


def _remember(call: Call, ticket: Ticket) -> None:
    """Later messages of this chat are about this complaint too."""
    call.state.ticket_id, call.state.nro_ticket = ticket.id, ticket.nro_ticket


async def step(call: Call) -> tuple[BotReply, Ticket | None, dict[str, Any]] | None:
    """After a complaint: add the message to it, answer its status or reopen it; None leaves the turn to the engine."""
    state = call.state
    if state.estado in INTAKE_ESTADOS or state.side or state.duplicate_of or state.code_pending or state.waiting_step:
        return None
    if call.action == CHOSEN:
        return await _chosen(call)
    if call.action is not None:
        return None
    # The entity's categories, or the defaults the intake also falls back to.
    reading = followup.read(
        call.text, attachment=call.turn.attachment is not None, categories=categories(call.settings)
    )
    if reading.says is Says.NEW or (reading.says is Says.NOTHING and not reading.answers):
        return None
    # Thanks or a question is about a complaint only when its agent is answering: that one alone is looked up.
    mine = await (_filed_here(call) if reading.says is Says.NOTHING else _mine(call))
    decision = followup.decide(reading, await _known(call, mine))
    by_id = {t.id: t for t in mine}
    chosen = [by_id[k.ticket_id] for k in decision.tickets]
    text = call.text
    if decision.does is Does.ADD:
        ticket = chosen[0]
        message_id = await _add(call, ticket, text)
        _remember(call, ticket)
        if reading.says is Says.PERSISTS:
            said = texts.followup_still(ticket.nro_ticket, ticket.estado)
        elif reading.says is Says.NOTHING:
            said = texts.followup_to_agent(ticket.nro_ticket, await _agent_name(call, ticket))
        else:
            said = texts.followup_added(ticket.nro_ticket, photo=call.turn.attachment is not None and not text)
        return _reply(call, said), ticket, {"mensaje_id": message_id}
    if decision.does is Does.STATUS:
        ticket = chosen[0]
        extra: dict[str, Any] = {}
        if not ticket.is_closed:
            extra["mensaje_id"] = await _add(call, ticket, text)  # the question reaches the agent too
        _remember(call, ticket)
        return _reply(call, await _status_text(call, ticket)), ticket, extra
    if decision.does is Does.REOPEN:
        ticket = chosen[0]
        message_id = await _reopen(call, ticket, text)
        _remember(call, ticket)
        return (
            _reply(call, texts.followup_reopened(ticket.nro_ticket, ticket.estado)),
            ticket,
            {"mensaje_id": message_id},
        )
    if decision.does is Does.ASK_WHICH:
        buttons = [Button(f"N.º {t.nro_ticket}", action=CHOSEN, payload={"ticket_id": t.id}) for t in chosen] + [
            Button(texts.FOLLOWUP_OTHER_BUTTON, action="iniciar_reclamo")
        ]
        listed = texts.own_tickets_listed([(t.nro_ticket, t.categoria, t.estado) for t in chosen])
        return _reply(call, texts.followup_which(listed), buttons), None, {}
    if decision.does is Does.LIST:
        buttons = [
            Button(f"N.º {t.nro_ticket}", action="consultar_reclamo", payload={"nro_ticket": t.nro_ticket})
            for t in chosen[:3]
        ]
        listed = texts.own_tickets_listed([(t.nro_ticket, t.categoria, t.estado) for t in chosen])
        return _reply(call, texts.followup_list(listed), buttons), None, {}
    return None


async def _chosen(call: Call) -> tuple[BotReply, Ticket | None, dict[str, Any]] | None:
    """The citizen named which complaint the problem that goes on is about."""
    payload = call.turn.incoming.payload
    wanted = payload.get("ticket_id") if isinstance(payload, dict) else None
    mine = {t.id: t for t in await _mine(call)}
    ticket = mine.get(wanted) if isinstance(wanted, int) else None
    if ticket is None:
        return None
    said = texts.FOLLOWUP_CHOSEN_MESSAGE
    if ticket.is_closed:
        if utcnow() - await _closed_at(call, ticket) > followup.REOPEN_WINDOW:
            return None
        message_id = await _reopen(call, ticket, said)
        answer = texts.followup_reopened(ticket.nro_ticket, ticket.estado)
    else:
        message_id = await _add(call, ticket, said)
        answer = texts.followup_still(ticket.nro_ticket, ticket.estado)
    _remember(call, ticket)
    return _reply(call, answer), ticket, {"mensaje_id": message_id}
