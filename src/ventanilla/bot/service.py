"""The bot conversation of any channel: stored state, live-chat routing, the urgency step, then the engine."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ventanilla.bot import duplicates, engine, followup, followup_step, identity, lookup, texts, urgent, waiting
from ventanilla.bot.followup import Says
from ventanilla.bot.intents import Intent, classify
from ventanilla.bot.replies import categories
from ventanilla.chat import repository as chats
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.entities import hours
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.knowledge import service as knowledge
from ventanilla.knowledge.search import Item
from ventanilla.realtime import rooms
from ventanilla.text import MAX_MESSAGE_CHARS
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import schemas as ticket_schemas
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket
from ventanilla.users.models import User


@dataclass(slots=True)
class Turn:
    """One citizen turn as the transports hand it over."""

    incoming: engine.Incoming
    idempotency_key: str | None = None
    ticket_hint: int | None = None
    ticket_named: int | None = None
    """The ticket the request body itself names (`ticket_id`: the newest widget in its live chat)."""
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
    lead: list[dict[str, Any]] = field(default_factory=list)
    """Messages shown before this one (a reloaded widget's conversation): sent as `messages`, this one last."""
    silent: bool = False
    """Nothing to show: the widget already shows the citizen's message (`messages` is empty)."""
    resumed: bool = False
    """A reloaded widget's live chat: its conversation comes again when it rejoins the ticket room."""
    kept: bool = False
    """The answer is also the bot's message of `ticket` (a hand-off): the agent reads it, and so does a reloaded
    widget; this turn's widget draws it from the answer only."""

    def to_wire(self) -> dict[str, Any]:
        """Body of the /ask response."""
        wire = self.reply.to_wire()
        if self.silent:
            # Both widgets read an answer's `messages` array instead of the answer itself: empty, nothing is drawn.
            wire["messages"] = []
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
        if self.lead:
            # Both widgets read an answer's `messages` array instead of the answer itself, item by item.
            wire["messages"] = [*self.lead, dict(wire)]
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
    uow: UnitOfWork,
    entity: Entity,
    session_key: str | None,
    hint: Mapping[str, Any] | None,
    *,
    fresh: bool = False,
    lock: bool = False,
) -> engine.ConversationState:
    """The conversation of a session: the server's copy; the widget's `contexto_previo` only for an unseen one.

    `lock` holds the session's row to the end of the request (a confirmation, which must see the previous one's
    outcome).
    """
    chat = None
    if session_key and not fresh:
        chat = (
            await chats.lock_session(uow.session, entity.id, session_key)
            if lock
            else await chats.get_session(uow.session, entity.id, session_key)
        )
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
    resumed: Ticket | None = None,
) -> None:
    """Keep the conversation for the session's next turn (a greeting of an unseen session stores nothing).

    `visitor` (the anonymous visitor id) is remembered once per chat session, so a later sign-up can claim
    what this visitor filed. `resumed`: the live chat a reloaded widget is about to rejoin (until the next turn)."""
    if not session_key:
        return
    stored = state.model_dump(mode="json") | {"v": 2}
    if resumed is not None:
        stored[livechat.RESUMED_KEY] = {"ticket_id": resumed.id, "at": utcnow().isoformat()}
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


@dataclass(slots=True)
class Call:
    """One bot turn as it goes through the steps: who writes, on which channel, what came in, what the bot knows."""

    ctx: AppContext
    uow: UnitOfWork
    entity: Entity
    channel: str
    session_key: str | None
    citizen: User | None
    turn: Turn
    state: engine.ConversationState
    settings: engine.BotSettings = field(init=False)

    @property
    def text(self) -> str:
        """The citizen's text, trimmed."""
        return self.turn.incoming.text.strip()

    @property
    def action(self) -> str | None:
        """The button or widget action, if any."""
        return (self.turn.incoming.action or "").strip() or None


async def _routed_ticket(call: Call) -> Ticket | None:
    """The open conversation this turn belongs to: explicit ticket id if the caller owns it, else the session's."""
    hint = call.turn.ticket_hint
    if hint is not None:
        ticket = await tickets_repo.get(call.uow.session, hint)
        if (
            ticket is not None
            and ticket.entity_id == call.entity.id
            and not ticket.is_closed
            and (ticket.is_live_chat or ticket.prioridad == "urgente")
            and tickets.citizen_owns(ticket, user=call.citizen, session_key=call.session_key, entity=call.entity)
        ):
            return ticket
    return await livechat.open_live_ticket(call.uow, call.entity, call.session_key)


async def converse(call: Call) -> Answer:
    """Answer one citizen turn on any channel: the steps in order, the first that answers ends the turn."""
    if call.action == "initial_greeting":  # the welcome and its menu need no knowledge base: sent on every reconnect
        settings = bot_settings(call.ctx, call.entity, call.ctx.clock(), ())
        greeting = Answer(engine.respond(settings, engine.ConversationState(), call.turn.incoming))
        ongoing = await livechat.ongoing_ticket(call.uow, call.entity, call.session_key)
        return greeting if ongoing is None else await _resumed(call.uow, call.entity, greeting, ongoing)
    items = await knowledge.items(call.uow.session, call.entity.id)
    call.settings = bot_settings(call.ctx, call.entity, call.ctx.clock(), items)
    said = list(call.state.transcript)  # the engine starts a fresh state on a cancel or a restart
    answer = await _steps(call)
    if answer.kept and answer.ticket is not None:
        await _keep(call, answer.ticket, answer.reply.respuesta)
    if answer.ticket is None:
        answer.reply.state.transcript = _remembered(said, call, answer)
    return answer


async def _keep(call: Call, ticket: Ticket, text: str) -> None:
    """The bot's answer as a message of the ticket, for the panels and the replay (the citizen has it already)."""
    if not text.strip():
        return
    unread = ticket.has_unread  # the citizen's request is still unanswered by a person
    await tickets.add_message(
        call.uow,
        call.entity,
        ticket,
        tickets.NewMessage(
            author_kind="bot",
            author_name="Asistente virtual",
            text=text[:MAX_MESSAGE_CHARS],
            origen=channel_origin(call.channel),
            told_in_answer=True,
        ),
    )
    ticket.has_unread = unread


async def _steps(call: Call) -> Answer:
    for step in (_live_routing, _retried_confirmation, _urgency_screen, _after_complaint):
        answer = await step(call)
        if answer is not None:
            return answer
    return await _understand_and_act(call)


async def _after_complaint(call: Call) -> Answer | None:
    """A message about a complaint of this citizen goes onto it, asks its status or reopens it (bot/followup.py)."""
    done = await followup_step.step(call)
    if done is None:
        return None
    reply, ticket, extra = done
    return Answer(reply, ticket=ticket, extra=extra)


TRANSCRIPT_TURNS = 20
"""How many bot turns (a citizen line and the bot's answer each) a person asked for later can read."""


def _remembered(said: list[dict[str, str]], call: Call, answer: Answer) -> list[dict[str, str]]:
    fecha = call.ctx.clock().isoformat()
    lines = [*said, {"role": "citizen", "text": call.text, "fecha": fecha}] if call.text else list(said)
    if answer.reply.respuesta:
        lines.append({"role": "bot", "text": answer.reply.respuesta, "fecha": answer.fecha.isoformat()})
    return lines[-2 * TRANSCRIPT_TURNS :]


async def _live_routing(call: Call) -> Answer | None:
    """A person asked for opens a live chat; while one is open (or an urgent ticket waits) the text goes to it."""
    text = call.text
    wants_agent = call.action == "request_agent" or (call.action is None and engine.is_agent_request(text))
    if wants_agent:
        return await _handoff(call, text)
    live = await _routed_ticket(call)
    if live is None or not (text or call.turn.attachment):
        return None
    label = classify(text) if text else None
    if label is Intent.FALSE_ALARM and live.prioridad == "urgente" and live.estado != livechat.LIVE:
        return await _false_alarm(call, live)
    outcome = await livechat.citizen_message(
        call.ctx,
        call.uow,
        call.entity,
        live,
        livechat.CitizenLine(
            text=text or "(adjunto)",
            origen=channel_origin(call.channel),
            citizen=call.citizen,
            attachment=call.turn.attachment,
        ),
    )
    buttons: list[engine.Button] = []
    if label is Intent.WAIT_TIME and live.estado == livechat.WAITING:
        respuesta = texts.queue_position(await chats.position(call.uow.session, live))
    elif label is Intent.WAIT_TIME and live.estado != livechat.LIVE:
        respuesta = texts.NOT_QUEUED
        buttons = engine.agent_buttons(call.settings)
    elif live.prioridad == "urgente" and live.estado != livechat.LIVE:
        respuesta = waiting.collect(call.state, live, text) or _ack(live)
        again = urgent.still_urgent(call, text)
        if again:
            respuesta = f"{again}\n\n{respuesta}"
    elif _names_its_chat(call, live):
        return _silent_ack(call, live, outcome["mensaje_id"])
    elif call.channel == "web":
        respuesta = SENT  # the reference widget's one bubble: it stops "typing" only by drawing one
    else:
        respuesta = _ack(live)
    reply = engine.BotReply(respuesta=respuesta, botones=buttons, categorias=[], state=call.state)
    extra: dict[str, Any] = {"live_chat": True, "mensaje_id": outcome["mensaje_id"]}
    if respuesta == SENT:
        extra["chat_bubble_style"] = "compact"
    return Answer(reply, ticket=live, extra=extra)


def _names_its_chat(call: Call, live: Ticket) -> bool:
    """The newest widget, in its live chat, names the ticket on every message; the reference one never does."""
    return call.channel == "web" and call.turn.ticket_named == live.id and call.session_key is not None


def _silent_ack(call: Call, live: Ticket, message_id: int) -> Answer:
    """A live-chat message of the newest widget is answered with nothing to draw.

    That widget keeps "typing" (and refuses the next message) until an answer draws something, or until its bot
    socket hears an answer that draws nothing: so the session room gets an empty `message` too. The reference
    widget clears "typing" only by drawing a bubble (an empty one from the socket reads "No se pudo procesar"),
    so it keeps the short acknowledgement (docs/live-chat.md)."""
    assert call.session_key is not None
    call.uow.events.emit("message", {"messages": []}, rooms.session_room(call.entity.id, call.session_key))
    reply = engine.BotReply(respuesta="", botones=[], categorias=[], state=call.state)
    return Answer(reply, ticket=live, extra={"live_chat": True, "mensaje_id": message_id}, silent=True)


async def _false_alarm(call: Call, live: Ticket) -> Answer:
    """Not an emergency after all: the ticket leaves the urgent queue and the bot takes the conversation back."""
    live.prioridad = "media"
    live.is_live_chat = False
    await tickets.change_status(
        call.uow, call.entity, live, "cerrado", None, note="El vecino aclaró que no era una urgencia."
    )
    chat = await chats.get_session(call.uow.session, call.entity.id, call.session_key) if call.session_key else None
    if chat is not None:
        chat.ticket_id = None
    call.state.waiting_step = None
    original = engine.Incoming(text=live.descripcion or "")
    reply = engine.respond(call.settings, call.state, original)
    if reply.effect is not None:
        reply = engine.respond(call.settings, call.state, engine.Incoming(text="menú"))
    reply.respuesta = f"{texts.URGENT_BACK}\n\n{reply.respuesta}"
    return Answer(reply)


async def _retried_confirmation(call: Call) -> Answer | None:
    """A retried confirmation finds the server's copy already past the summary: answer with the same ticket."""
    if call.action != "confirmar_reclamo" or not call.turn.idempotency_key:
        return None
    done = await tickets_repo.by_idempotency_key(call.uow.session, call.entity.id, call.turn.idempotency_key)
    if done is None or not tickets.citizen_owns(
        done, user=call.citizen, session_key=call.session_key, entity=call.entity
    ):
        return None
    again = engine.complaint_created(
        call.settings, call.state, nro_ticket=done.nro_ticket, pin=done.pin, estado=done.estado, ticket_id=done.id
    )
    return Answer(again, ticket=done, extra={"pin": done.pin})


async def _urgency_screen(call: Call) -> Answer | None:
    """An emergency is answered at once; an unsure one asks; any other answer goes on as the turn."""
    screened = await urgent.screen(call)
    if screened.reply is not None:
        return Answer(screened.reply, ticket=screened.ticket, extra=screened.extra)
    if screened.prior is not None:
        # The message the danger question was about, then this one: nothing the citizen said is lost.
        before = engine.respond(call.settings, call.state, screened.prior)
        if before.effect is None:
            call.state = before.state
    call.turn.incoming = screened.incoming
    return None


async def _understand_and_act(call: Call) -> Answer:
    """The city's memory ("Ya hay un reclamo igual...", a phone proved), the engine's understanding and policy,
    then the effect it asks for."""
    for step in (duplicates.answer_offer, identity.step):
        stepped = await step(call)
        if stepped is not None:
            return Answer(stepped)
    reply = engine.respond(call.settings, call.state, call.turn.incoming)
    attachment = call.turn.attachment
    if attachment and reply.state.draft.attachment_url == attachment.get("url"):
        reply.state.draft.attachment = attachment  # the complaint filed later keeps its name, type and size
    reply = await duplicates.offer(call, reply)
    effect = reply.effect
    if isinstance(effect, engine.CreateComplaint):
        return await _create_complaint(call, reply)
    if isinstance(effect, engine.RequestAgent):
        answer = await _handoff(call, call.text)
        if effect.lead:
            answer.reply.respuesta = f"{effect.lead}\n\n{answer.reply.respuesta}"
        return answer
    if isinstance(effect, engine.RecallTickets):
        return Answer(await lookup.recall(call, reply))
    if isinstance(effect, engine.LookupTicket):
        return Answer(await lookup.look_up(call, reply))
    if isinstance(effect, engine.AddMessage):
        added, ticket = await lookup.add_message(call, reply, channel_origin(call.channel))
        return Answer(added, extra={"nro_ticket": ticket.nro_ticket} if ticket is not None else {})
    if isinstance(effect, engine.CancelComplaint):
        # Forget the draft on the server at once, whatever the transport does with the reply afterwards.
        await save_state(call.uow, call.entity, call.session_key, reply.state, call.channel)
    return Answer(reply)


SENT = "✓ Enviado."
"""The one bubble the reference widget needs for a live-chat message (docs/live-chat.md)."""


async def _resumed(uow: UnitOfWork, entity: Entity, greeting: Answer, ticket: Ticket) -> Answer:
    """A widget reloaded on a session with an open ticket: who is still on the other side, with the ticket fields that
    make each widget version rejoin its room, and the conversation so far (with what it missed meanwhile)."""
    agent = await uow.session.get(User, ticket.assigned_agent_id) if ticket.assigned_agent_id else None
    live = ticket.is_live_chat
    line = texts.resumed(
        ticket.tipo, ticket.nro_ticket, entity_name=entity.name, agent_name=agent.name if agent else None, live=live
    )
    reply = engine.BotReply(respuesta=line, botones=[], categorias=[], state=greeting.reply.state)
    if live:
        # Both widget versions rejoin the ticket room for a live chat, and there the conversation comes again with
        # the citizen's own lines on the citizen's side (`realtime.replay`); here only who is on the other side.
        return Answer(reply, ticket=ticket, extra={"live_chat": True}, resumed=True)
    # A filed complaint: the newest widget does not rejoin its room, and this answer can draw only the entity's
    # side, so it brings back what the entity said (the citizen's own lines would read as the entity's).
    history = await tickets_repo.recent_messages(uow.session, ticket.id, livechat.RESUMED_MESSAGES)
    lead = [greeting.to_wire()] + [ticket_schemas.widget_history_item(ticket, m) for m in history if m.is_staff_side]
    return Answer(reply, ticket=ticket, extra={"live_chat": False}, lead=lead)


def channel_origin(channel: str) -> str:
    """The `origen` recorded for a citizen message of a channel."""
    return "chat" if channel == "web" else channel


def _ack(ticket: Ticket) -> str:
    if ticket.estado == livechat.LIVE:
        return SENT
    return "Tu mensaje quedó registrado. Un representante te va a responder apenas esté disponible."


def _typed_request(call: Call, text: str) -> str | None:
    """The line that asked for a person when the citizen typed it (the button's canned words are no line of theirs):
    the agent reads "HOLA NESESITO HABLAR CON UNA PERSONA" too."""
    return text if text and call.action != "request_agent" else None


async def _filed_complaint(call: Call, text: str) -> Ticket | None:
    """The open complaint this conversation filed, which a person asked for now joins: the one the conversation is
    on (the latest it filed, or the one a follow-up spoke about since), else the newest open one this chat session
    filed. None when that one is resolved or closed (the citizen gets a new live chat; "sigue igual" is what reopens
    it), or when the request is about something else ("quiero hablar con alguien por otro tema")."""
    if call.session_key is None and call.citizen is None:
        return None
    if text and followup.read(text, attachment=False, categories=categories(call.settings)).says is Says.NEW:
        return None
    session, entity = call.uow.session, call.entity
    ticket = await tickets_repo.get(session, call.state.ticket_id) if call.state.ticket_id is not None else None
    if ticket is None and call.session_key is not None:
        ticket = await tickets_repo.latest_open_of_session(session, entity.id, call.session_key)
    if (
        ticket is None
        or ticket.entity_id != entity.id
        or ticket.is_closed
        or not tickets.citizen_owns(ticket, user=call.citizen, session_key=call.session_key, entity=entity)
    ):
        return None
    return ticket


async def _handoff(call: Call, text: str) -> Answer:
    settings = call.settings
    if not settings.live_chat_open:
        return Answer(engine.live_chat_closed(settings, call.state))
    complaint = await _filed_complaint(call, text)
    handoff = await livechat.request_agent(
        call.ctx,
        call.uow,
        call.entity,
        livechat.HandoffRequest(
            session_key=call.session_key,
            channel=call.channel,
            citizen=call.citizen,
            contact=urgent.contact_of(call.state, call.citizen),
            first_text=None if engine.is_agent_request(text) or not text else text,
            transcript=call.state.transcript,
            asked=_typed_request(call, text),
            complaint=complaint,
        ),
    )
    call.state.transcript = []
    ticket = handoff.ticket
    reply = engine.live_chat_requested(
        settings,
        call.state,
        nro_ticket=ticket.nro_ticket,
        position=handoff.position,
        agent_name=handoff.agent.name if handoff.agent else None,
        on_complaint=complaint is not None and ticket.id == complaint.id,
    )
    reply.ticket_id = ticket.id
    return Answer(reply, ticket=ticket, extra={"posicion_en_fila": handoff.position}, kept=True)


async def _draft_key(
    uow: UnitOfWork, entity: Entity, session_key: str | None, draft: engine.ComplaintDraft
) -> str | None:
    """An idempotency key naming one version of a session's draft, so parallel confirmations of it file once.

    The version is the stored conversation's last change: every confirmation racing on one draft read the same
    one, and a later, identical complaint in the same session comes after other turns changed it.
    """
    if not session_key:
        return None
    chat = await chats.get_session(uow.session, entity.id, session_key)
    version = chat.updated_at.isoformat() if chat is not None else "-"
    material = orjson.dumps([session_key, version, draft.model_dump(mode="json")], option=orjson.OPT_SORT_KEYS)
    return f"draft:{hashlib.sha256(material).hexdigest()[:40]}"


async def _create_complaint(call: Call, reply: engine.BotReply) -> Answer:
    assert isinstance(reply.effect, engine.CreateComplaint)
    draft = reply.effect.draft
    asunto = (
        f"{draft.categoria}: {draft.descripcion}"
        if draft.categoria and draft.descripcion
        else (draft.categoria or draft.descripcion or "Reclamo")
    )
    turn = call.turn
    described = draft.attachment if draft.attachment and draft.attachment.get("url") == draft.attachment_url else None
    attachment = turn.attachment or described or ({"url": draft.attachment_url} if draft.attachment_url else None)
    idempotency_key = turn.idempotency_key or await _draft_key(call.uow, call.entity, call.session_key, draft)
    ticket, _ = await tickets.create_ticket(
        call.uow,
        call.entity,
        tickets.NewTicket(
            asunto=asunto[:120],
            descripcion=draft.descripcion,
            categoria=draft.categoria,
            direccion=draft.ubicacion,
            latitud=draft.latitud,
            longitud=draft.longitud,
            channel="whatsapp" if call.channel == "whatsapp" else "web",
            nombre=draft.nombre,
            email=draft.email,
            telefono=draft.telefono,
            dni=draft.dni,
            chat_session_key=call.session_key,
            idempotency_key=idempotency_key,
            citizen=call.citizen,
            attachment=attachment,
        ),
    )
    done = engine.complaint_created(
        call.settings,
        reply.state,
        nro_ticket=ticket.nro_ticket,
        pin=ticket.pin,
        estado=ticket.estado,
        ticket_id=ticket.id,
    )
    return Answer(done, ticket=ticket, extra={"pin": ticket.pin})
