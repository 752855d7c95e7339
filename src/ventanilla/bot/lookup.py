"""The bot's ticket look-ups against the database: own tickets without PIN, others with the one PIN check."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ventanilla.chat import service as livechat
from ventanilla.db import UnitOfWork
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.errors import TooManyRequests
from ventanilla.text import national_phone
from ventanilla.tickets import identity, pins
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket

from . import engine
from .model import AddMessage, BotReply, LookupTicket, TicketView

if TYPE_CHECKING:
    from .service import Call

_OWN_LIMIT = 5


def _local(entity: Entity, when: dt.datetime) -> str:
    zone = ZoneInfo(entities.schedule_of(entity).timezone)
    aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).strftime("%d/%m/%Y %H:%M")


async def view_of(uow: UnitOfWork, entity: Entity, ticket: Ticket) -> TicketView:
    """What the citizen reads of a ticket: estado, date and the last message."""
    last = next(iter(await tickets_repo.recent_messages(uow.session, ticket.id, 1)), None)
    return TicketView(
        ticket_id=ticket.id,
        nro_ticket=ticket.nro_ticket,
        estado=ticket.estado,
        fecha=_local(entity, ticket.created_at),
        categoria=ticket.categoria,
        ultimo_mensaje=last.text if last is not None and last.text else None,
        ultimo_mensaje_fecha=_local(entity, last.created_at) if last is not None else None,
    )


async def look_up(call: Call, reply: BotReply) -> BotReply:
    """Answer a LookupTicket effect."""
    ctx, uow, entity, settings = call.ctx, call.uow, call.entity, call.settings
    session_key, citizen, client = call.session_key, call.citizen, call.turn.client
    effect = reply.effect
    assert isinstance(effect, LookupTicket)
    state = reply.state
    if effect.nro_ticket is None:
        own = list(
            await tickets_repo.recent_of_citizen(
                uow.session,
                entity.id,
                citizen_id=citizen.id if citizen is not None else None,
                session_key=session_key,
                limit=_OWN_LIMIT,
            )
        )
        if citizen is not None and session_key:
            # An account's tickets, and those this very chat (a WhatsApp number) filed before the account existed.
            seen = {t.id for t in own}
            chat = await tickets_repo.recent_of_citizen(
                uow.session, entity.id, citizen_id=None, session_key=session_key, limit=_OWN_LIMIT
            )
            own = sorted([*own, *[t for t in chat if t.id not in seen]], key=lambda t: -t.id)[:_OWN_LIMIT]
        if state.verified_phone:  # bot21b: and those of the phone this chat proved
            seen = {t.id for t in own}
            proved = await identity.tickets_of_phone(uow, entity, state.verified_phone)
            own = [*own, *[t for t in proved if t.id not in seen]][:_OWN_LIMIT]
        if effect.lost_pin and not own:
            return engine.lost_pin(settings, state)
        return engine.own_tickets(settings, state, [await view_of(uow, entity, t) for t in own])
    ticket = await tickets_repo.by_number(uow.session, entity.id, effect.nro_ticket)
    if ticket is not None and (
        tickets.citizen_owns(ticket, user=citizen, session_key=session_key, entity=entity)
        or (state.verified_phone and identity.has_phone(ticket, state.verified_phone))  # bot21b: a proved phone
    ):
        return engine.ticket_found(settings, state, await view_of(uow, entity, ticket))
    if effect.pin is None:
        return engine.ticket_not_found(settings, state, effect.nro_ticket, pin_given=False)
    try:
        # A missing number costs an attempt like a wrong PIN, and gets the same answer.
        matches = ticket is not None and await pins.verify_pin(ctx, ticket, effect.pin, client=client)
    except TooManyRequests:
        return engine.lookup_limited(settings, state)
    if matches and ticket is not None:
        # bot21b: the PIN proves the phone the ticket was filed with; its other tickets can be listed too.
        state.verified_phone = identity.ticket_phone(ticket) or state.verified_phone
        return engine.ticket_found(settings, state, await view_of(uow, entity, ticket))
    return engine.ticket_not_found(settings, state, effect.nro_ticket, pin_given=True)


async def recall(call: Call, reply: BotReply) -> BotReply:
    """Answer a RecallTickets effect: the earlier complaints of the same session, or of a phone or email the caller
    proved (their account's, or a phone this chat verified). A phone or email merely typed proves nothing."""
    uow, entity, settings, session_key, citizen = call.uow, call.entity, call.settings, call.session_key, call.citizen
    state = reply.state
    phone = state.verified_phone or (citizen.phone if citizen is not None else None)
    wanted = national_phone(re.sub(r"\D", "", phone or ""))
    email = citizen.email if citizen is not None else None
    found = await tickets_repo.of_contact(
        uow.session,
        entity.id,
        session_key=session_key,
        phone_tail=wanted[-4:] if len(wanted) >= 6 else None,
        email=email,
    )
    mine = [
        t
        for t in found
        if t.chat_session_key == session_key
        or (email and (t.email or "").lower() == email.lower())
        or (wanted and national_phone(re.sub(r"\D", "", t.telefono or "")) == wanted)
    ]
    return engine.recalled(settings, state, [t.nro_ticket for t in mine], [(t.categoria, t.estado) for t in mine])


async def add_message(call: Call, reply: BotReply, origen: str) -> tuple[BotReply, Ticket | None]:
    """Answer an AddMessage effect: the text joins the consulted ticket."""
    ctx, uow, entity, settings, citizen = call.ctx, call.uow, call.entity, call.settings, call.citizen
    effect = reply.effect
    assert isinstance(effect, AddMessage)
    ticket = await tickets_repo.get(uow.session, effect.ticket_id)
    if ticket is None or ticket.entity_id != entity.id:
        return engine.own_tickets(settings, reply.state, []), None
    await livechat.citizen_message(
        ctx, uow, entity, ticket, livechat.CitizenLine(text=effect.text, origen=origen, citizen=citizen)
    )
    return engine.message_added(settings, reply.state, ticket.nro_ticket), ticket
