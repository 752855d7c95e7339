"""The bot conversation of any channel: stored state, live-chat routing, the urgency step, then the engine."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ventanilla.bot import duplicates, engine, identity, lookup, urgent
from ventanilla.chat import repository as chats
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.entities import hours
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.knowledge import service as knowledge
from ventanilla.knowledge.search import Item
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket
from ventanilla.users.models import User


@dataclass(slots=True)
class Turn:
    """One citizen turn as the transports hand it over."""

    incoming: engine.Incoming
    idempotency_key: str | None = None
    ticket_hint: int | None = None
    attachment: dict[str, Any] | None = None
    client: str = "unknown"
    """Who asks, for the PIN check's limits (an address, a WhatsApp number)."""


@dataclass(slots=True)
class Answer:
    """What the bot says back, plus the ticket it concerns."""

    reply: engine.BotReply
    ticket: Ticket | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    message_id: str = field(default_factory=lambda: f"bot-{uuid.uuid4().hex}")
    fecha: dt.datetime = field(default_factory=utcnow)

    def to_wire(self) -> dict[str, Any]:
        """Body of the /ask response."""
        wire = self.reply.to_wire()
        wire.update({"id": self.message_id, "fecha": self.fecha.isoformat()})
        if self.ticket is not None:
            wire.update(
                {
                    "ticket_id": self.ticket.id,
                    "nro_ticket": self.ticket.nro_ticket,
                    "estado": self.ticket.estado,
                    "prioridad": self.ticket.prioridad,
                }
            )
        wire.update(self.extra)
        return wire


def bot_settings(
    ctx: AppContext, entity: Entity, now: dt.datetime, knowledge_items: tuple[Item, ...] = ()
) -> engine.BotSettings:
    """The engine's view of an entity right now."""
    schedule = entities.schedule_of(entity)
    is_open = hours.is_open(schedule, now)
    categories = tuple((entity.config or {}).get("categorias") or ())
    return engine.BotSettings(
        tipo_chat="pyme" if entity.tipo == "pyme" else "municipio",
        entity_name=entity.name,
        live_chat_open=is_open,
        closed_message="" if is_open else hours.closed_message(schedule, now),
        categories=categories,
        knowledge=knowledge_items,
    )


async def load_state(
    uow: UnitOfWork, entity: Entity, session_key: str | None, hint: Mapping[str, Any] | None, *, fresh: bool = False
) -> engine.ConversationState:
    """The conversation of a session: the server's copy; the widget's `contexto_previo` only for an unseen one."""
    chat = await chats.get_session(uow.session, entity.id, session_key) if session_key and not fresh else None
    if chat is not None and chat.state:
        return engine.ConversationState.from_json(chat.state)
    if hint is None or fresh:
        return engine.ConversationState()
    state = engine.ConversationState.from_contexto(hint)
    if state.draft.categoria is None and state.estado in engine.INTAKE_ESTADOS:
        # The widget cannot carry the category back (copying `datos_estructura.categoria` throws in its context
        # code): infer it again from the description it does echo.
        settings = engine.BotSettings(
            tipo_chat="pyme" if entity.tipo == "pyme" else "municipio",
            entity_name=entity.name,
            live_chat_open=False,
            categories=tuple((entity.config or {}).get("categorias") or ()),
        )
        state.draft.categoria = engine.category_from_description(settings, state.draft.descripcion)
        if state.draft.categoria is not None and state.awaiting == "categoria":
            state.awaiting = None  # derived again from the completed draft (it was derived without the category)
    return state


async def save_state(
    uow: UnitOfWork,
    entity: Entity,
    session_key: str | None,
    state: engine.ConversationState,
    channel: str,
    *,
    visitor: str | None = None,
) -> None:
    """Keep the conversation for the session's next turn (a greeting of an unseen session stores nothing).

    `visitor` (the anonymous visitor id) is remembered once per chat session, so a later sign-up can claim
    what this visitor filed."""
    if not session_key:
        return
    stored = state.model_dump(mode="json") | {"v": 2}
    chat = await chats.get_session(uow.session, entity.id, session_key)
    if chat is None:
        if state == engine.ConversationState():
            return
        chat = await livechat.chat_session(uow, entity, session_key, channel, state=stored)
    elif chat.state != stored:  # an unchanged conversation costs no UPDATE
        chat.state = stored
        chat.updated_at = utcnow()
    if visitor and chat.anon_id is None:
        chat.anon_id = visitor.strip()[:64]


async def _routed_ticket(
    uow: UnitOfWork, entity: Entity, session_key: str | None, citizen: User | None, hint: int | None
) -> Ticket | None:
    """The open conversation this turn belongs to: explicit ticket id if the caller owns it, else the session's."""
    if hint is not None:
        ticket = await tickets_repo.get(uow.session, hint)
        if (
            ticket is not None
            and ticket.entity_id == entity.id
            and not ticket.is_closed
            and (ticket.is_live_chat or ticket.prioridad == "urgente")
            and tickets.citizen_owns(ticket, user=citizen, session_key=session_key, entity=entity)
        ):
            return ticket
    return await livechat.open_live_ticket(uow, entity, session_key)


async def converse(
    ctx: AppContext,
    uow: UnitOfWork,
    entity: Entity,
    *,
    channel: str,
    session_key: str | None,
    citizen: User | None,
    turn: Turn,
    state: engine.ConversationState,
) -> Answer:
    """Answer one citizen turn on any channel."""
    now = ctx.clock()
    incoming = turn.incoming
    action = (incoming.action or "").strip() or None
    text = incoming.text.strip()

    if action == "initial_greeting":  # the welcome and its menu need no knowledge base: sent on every reconnect
        return Answer(engine.respond(bot_settings(ctx, entity, now, ()), engine.ConversationState(), incoming))

    items = await knowledge.items(uow.session, entity.id)
    settings = bot_settings(ctx, entity, now, items)

    live = await _routed_ticket(uow, entity, session_key, citizen, turn.ticket_hint)
    wants_agent = action == "request_agent" or (action is None and engine.is_agent_request(text))
    if wants_agent:
        return await _handoff(ctx, uow, entity, settings, state, channel, session_key, citizen, text)

    if live is not None and (text or turn.attachment):
        outcome = await livechat.citizen_message(
            ctx,
            uow,
            entity,
            live,
            text=text or "(adjunto)",
            origen=channel_origin(channel),
            citizen=citizen,
            attachment=turn.attachment,
        )
        reply = engine.BotReply(respuesta=_ack(live), botones=[], categorias=[], state=state)
        return Answer(reply, ticket=live, extra={"live_chat": True, "mensaje_id": outcome["mensaje_id"]})

    if action == "confirmar_reclamo" and turn.idempotency_key:
        # A retried confirmation finds the server's copy already past the summary: answer with the same ticket.
        done = await tickets_repo.by_idempotency_key(uow.session, entity.id, turn.idempotency_key)
        if done is not None and tickets.citizen_owns(done, user=citizen, session_key=session_key, entity=entity):
            again = engine.complaint_created(
                settings, state, nro_ticket=done.nro_ticket, pin=done.pin, estado=done.estado, ticket_id=done.id
            )
            return Answer(again, ticket=done, extra={"pin": done.pin})

    screened = await urgent.screen(
        ctx, uow, entity, settings, state, channel=channel, session_key=session_key, citizen=citizen, turn=turn
    )
    if screened.reply is not None:
        return Answer(screened.reply, ticket=screened.ticket, extra=screened.extra)
    incoming = screened.incoming
    text = incoming.text.strip()

    # bot21b: the steps of the city's memory take the turn as one object (bot21's Call has the same shape).
    call = _Call(ctx, uow, entity, channel, session_key, Turn(incoming), state, settings)
    for step in (duplicates.answer_offer, identity.step):  # "Ya hay un reclamo igual..."; a phone proved
        stepped = await step(call)
        if stepped is not None:
            return Answer(stepped)
    reply = engine.respond(settings, state, incoming)
    reply = await duplicates.offer(call, reply)
    effect = reply.effect
    if isinstance(effect, engine.CreateComplaint):
        return await _create_complaint(uow, entity, settings, reply, channel, session_key, citizen, turn)
    if isinstance(effect, engine.RequestAgent):
        return await _handoff(ctx, uow, entity, settings, state, channel, session_key, citizen, text)
    if isinstance(effect, engine.LookupTicket):
        found = await lookup.look_up(
            ctx, uow, entity, settings, reply, session_key=session_key, citizen=citizen, client=turn.client
        )
        return Answer(found)
    if isinstance(effect, engine.AddMessage):
        added, ticket = await lookup.add_message(
            ctx, uow, entity, settings, reply, origen=channel_origin(channel), citizen=citizen
        )
        return Answer(added, extra={"nro_ticket": ticket.nro_ticket} if ticket is not None else {})
    if isinstance(effect, engine.CancelComplaint):
        # Forget the draft on the server at once, whatever the transport does with the reply afterwards.
        await save_state(uow, entity, session_key, reply.state, channel)
    return Answer(reply)


@dataclass(slots=True)
class _Call:
    """bot21b: the turn as the city-memory steps read it (bot.call.BotCall)."""

    ctx: AppContext
    uow: UnitOfWork
    entity: Entity
    channel: str
    session_key: str | None
    turn: Turn
    state: engine.ConversationState
    settings: engine.BotSettings


def channel_origin(channel: str) -> str:
    """The `origen` recorded for a citizen message of a channel."""
    return "chat" if channel == "web" else channel


def _ack(ticket: Ticket) -> str:
    if ticket.estado == livechat.LIVE:
        return "✓ Enviado."
    return "Tu mensaje quedó registrado. Un representante te va a responder apenas esté disponible."


async def _handoff(
    ctx: AppContext,
    uow: UnitOfWork,
    entity: Entity,
    settings: engine.BotSettings,
    state: engine.ConversationState,
    channel: str,
    session_key: str | None,
    citizen: User | None,
    text: str,
) -> Answer:
    if not settings.live_chat_open:
        return Answer(engine.live_chat_closed(settings, state))
    handoff = await livechat.request_agent(
        ctx,
        uow,
        entity,
        session_key=session_key,
        channel=channel,
        citizen=citizen,
        contact=urgent.contact_of(state, citizen),
        first_text=None if engine.is_agent_request(text) or not text else text,
    )
    ticket = handoff.ticket
    reply = engine.live_chat_requested(
        settings,
        state,
        nro_ticket=ticket.nro_ticket,
        position=handoff.position,
        agent_name=handoff.agent.name if handoff.agent else None,
    )
    reply.ticket_id = ticket.id
    return Answer(reply, ticket=ticket, extra={"posicion_en_fila": handoff.position})


async def _create_complaint(
    uow: UnitOfWork,
    entity: Entity,
    settings: engine.BotSettings,
    reply: engine.BotReply,
    channel: str,
    session_key: str | None,
    citizen: User | None,
    turn: Turn,
) -> Answer:
    assert isinstance(reply.effect, engine.CreateComplaint)
    draft = reply.effect.draft
    asunto = (
        f"{draft.categoria}: {draft.descripcion}"
        if draft.categoria and draft.descripcion
        else (draft.categoria or draft.descripcion or "Reclamo")
    )
    attachment = turn.attachment or ({"url": draft.attachment_url} if draft.attachment_url else None)
    ticket, _ = await tickets.create_ticket(
        uow,
        entity,
        tickets.NewTicket(
            asunto=asunto[:120],
            descripcion=draft.descripcion,
            categoria=draft.categoria,
            direccion=draft.ubicacion,
            latitud=draft.latitud,
            longitud=draft.longitud,
            channel="whatsapp" if channel == "whatsapp" else "web",
            nombre=draft.nombre,
            email=draft.email,
            telefono=draft.telefono,
            dni=draft.dni,
            chat_session_key=session_key,
            idempotency_key=turn.idempotency_key,
            citizen=citizen,
            attachment=attachment,
        ),
    )
    done = engine.complaint_created(
        settings, reply.state, nro_ticket=ticket.nro_ticket, pin=ticket.pin, estado=ticket.estado, ticket_id=ticket.id
    )
    return Answer(done, ticket=ticket, extra={"pin": ticket.pin})
