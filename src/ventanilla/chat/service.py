"""Live chat: hand a conversation to an available agent, keep the queue, route messages both ways."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.chat import keys, repository
from ventanilla.chat.models import ChatSession
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.domain import Channel, Estado
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.errors import Conflict
from ventanilla.jobs import table as jobs
from ventanilla.realtime.presence import Presence
from ventanilla.text import MAX_MESSAGE_CHARS, fold
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import CLOSED_ESTADOS, Ticket, TicketMessage
from ventanilla.urgency import classify, safety_message
from ventanilla.urgency.messages import for_channel
from ventanilla.users.models import ADMIN_ROLES, User

log = logging.getLogger(__name__)

WAITING = repository.WAITING
LIVE = repository.LIVE


@dataclass(slots=True)
class Handoff:
    """The result of a request for a human agent."""

    ticket: Ticket
    created: bool
    position: int
    agent: User | None


def presence_of(ctx: AppContext) -> Presence:
    """The process's presence tracker."""
    return ctx.presence


def capacity_of(ctx: AppContext, agent: User) -> int:
    """How many live chats an agent takes at once: their own figure, else none for an admin, else the setting's."""
    if agent.live_capacity is not None:
        return agent.live_capacity
    # An admin watching the panel is alerted, not handed chats: an urgent one went to the admin and waited there.
    return 0 if agent.rol in ADMIN_ROLES else ctx.settings.live_chat_capacity


async def chat_session(
    uow: UnitOfWork, entity: Entity, key: str, channel: str = "web", *, state: dict[str, Any] | None = None
) -> ChatSession:
    """The chat session of a key, created on first use (with `state`, so no UPDATE follows the INSERT).

    Parallel first requests of one key all get the one row (none fails on the primary key); when another request
    created it first, this one's `state` is written over it, as the next turn would.
    """
    found = await repository.get_session(uow.session, entity.id, key)
    if found is None:
        found = await repository.insert_session(uow.session, entity.id, key, channel, state)
        if state is not None and found.state != state:
            found.state = state
            found.updated_at = utcnow()
    return found


async def open_live_ticket(uow: UnitOfWork, entity: Entity, key: str | None) -> Ticket | None:
    """The open live-chat (or urgent) ticket mapped to a chat session; every handoff records the mapping."""
    if not key:
        return None
    chat = await repository.get_session(uow.session, entity.id, key)
    if chat is None or chat.ticket_id is None:
        return None
    ticket = await tickets_repo.get(uow.session, chat.ticket_id)
    if ticket is not None and not ticket.is_closed and (ticket.is_live_chat or ticket.prioridad == "urgente"):
        return ticket
    return None


async def ongoing_ticket(uow: UnitOfWork, entity: Entity, key: str | None) -> Ticket | None:
    """What a chat session still has open: its live chat, else the newest ticket it filed that is not closed (an
    unseen session costs one look-up)."""
    chat = await repository.get_session(uow.session, entity.id, key) if key else None
    if chat is None or key is None:
        return None
    if chat.ticket_id is not None:
        ticket = await tickets_repo.get(uow.session, chat.ticket_id)
        if ticket is not None and not ticket.is_closed and (ticket.is_live_chat or ticket.prioridad == "urgente"):
            return ticket
    return await tickets_repo.latest_open_of_session(uow.session, entity.id, key)


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    """A citizen's request for a person: the conversation it comes from (`session_key`, `channel`, the citizen's
    account and typed contact), what opens a new live chat (`asunto`, `first_text`), what the agent reads first
    (`transcript` of the bot turns, the typed line that `asked`) and the `complaint` this conversation filed."""

    session_key: str | None
    channel: str
    citizen: User | None
    contact: dict[str, str | None] | None = None
    asunto: str = "Chat en vivo"
    first_text: str | None = None
    transcript: Sequence[Mapping[str, str]] = ()
    asked: str | None = None
    complaint: Ticket | None = None


async def request_agent(ctx: AppContext, uow: UnitOfWork, entity: Entity, request: HandoffRequest) -> Handoff:
    """Open (or reuse) the session's live chat, queue it and try to assign it at once.

    The live chat is the session's open one, else the open `complaint` this conversation filed (the agent answers
    there, and the widget already listens to its room), else a new ticket. A new ticket starts with what the
    citizen and the bot said before (`transcript`), a joined complaint with what they said since it was filed; the
    line that asked for a person (`asked`, when the citizen typed it) goes with them. Whoever takes the chat in this
    turn is named in the answer, so the join notice reaches only the panels (`TicketMessage.told_in_answer`)."""
    session_key, channel, citizen, contact = request.session_key, request.channel, request.citizen, request.contact
    asunto, first_text, transcript, asked = request.asunto, request.first_text, request.transcript, request.asked
    complaint = request.complaint
    # The entity row lock first, as the other assignment paths take it (see repository.lock_entity).
    await repository.lock_entity(uow.session, entity.id)
    ticket = await open_live_ticket(uow, entity, session_key)
    if ticket is None and complaint is not None and not complaint.is_closed:
        ticket = complaint
    origen = "chat" if channel == "web" else channel
    said = [*transcript, {"role": "citizen", "text": asked, "fecha": ctx.clock().isoformat()}] if asked else transcript
    created = False
    if ticket is None:
        contact = contact or {}
        ticket, created = await tickets.create_ticket(
            uow,
            entity,
            tickets.NewTicket(
                asunto=asunto,
                descripcion=first_text,
                channel=channel,
                estado=WAITING,
                is_live_chat=True,
                chat_session_key=session_key,
                citizen=citizen,
                nombre=contact.get("nombre"),
                email=contact.get("email"),
                telefono=contact.get("telefono"),
            ),
        )
        if created:
            await _bot_turns(uow, entity, ticket, said, origen)
    elif not ticket.is_live_chat or ticket.estado not in (WAITING, LIVE):
        if not ticket.is_live_chat:
            # A complaint (or an urgent ticket) becomes this conversation's live chat: the agent reads what the
            # citizen and the bot said since it was filed, then the request itself, live.
            unread = ticket.has_unread
            await _bot_turns(uow, entity, ticket, _since(transcript, ticket.created_at), origen)
            ticket.has_unread = unread
        ticket.is_live_chat = True
        ticket.live_requested_at = utcnow()
        await tickets.change_status(
            uow, entity, ticket, WAITING, None, note="El vecino pidió hablar con un representante."
        )
        await _asked(uow, entity, ticket, asked, origen, citizen)
    else:
        await _asked(uow, entity, ticket, asked, origen, citizen)
    if session_key:
        chat = await chat_session(uow, entity, session_key, channel)
        chat.ticket_id = ticket.id
        chat.updated_at = utcnow()
    await assign_waiting(ctx, uow, entity, answering=ticket)
    agent = await uow.session.get(User, ticket.assigned_agent_id) if ticket.assigned_agent_id else None
    place = 0 if ticket.estado == LIVE else await repository.position(uow.session, ticket)
    return Handoff(ticket=ticket, created=created, position=place, agent=agent)


def _since(transcript: Sequence[Mapping[str, str]], moment: dt.datetime) -> list[Mapping[str, str]]:
    """The bot turns after a moment (those before a complaint was filed are in its description already)."""
    start = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    kept = []
    for line in transcript:
        try:
            when = dt.datetime.fromisoformat(line.get("fecha") or "")
        except ValueError:
            continue
        if (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)) > start:
            kept.append(line)
    return kept


async def _asked(
    uow: UnitOfWork, entity: Entity, ticket: Ticket, asked: str | None, origen: str, citizen: User | None
) -> None:
    """The line that asked for a person, in an existing conversation: the agents hear it as the citizen's message."""
    text = (asked or "").strip()[:MAX_MESSAGE_CHARS]
    if text:
        await tickets.add_message(
            uow,
            entity,
            ticket,
            tickets.NewMessage(
                author_kind="citizen",
                author=citizen,
                author_name=ticket.nombre_usuario or (citizen.name if citizen else None) or "Vecino",
                text=text,
                origen=origen,
            ),
        )


async def _bot_turns(
    uow: UnitOfWork, entity: Entity, ticket: Ticket, transcript: Sequence[Mapping[str, str]], origen: str
) -> None:
    """The conversation with the bot before the hand-off, at the head of the ticket's (the citizen saw it already)."""
    for line in transcript:
        text = (line.get("text") or "").strip()[:MAX_MESSAGE_CHARS]
        if not text:
            continue
        citizen = line.get("role") == "citizen"
        message = await tickets.add_message(
            uow,
            entity,
            ticket,
            tickets.NewMessage(
                author_kind="citizen" if citizen else "bot",
                author_name=(ticket.nombre_usuario or "Vecino") if citizen else "Asistente virtual",
                text=text,
                origen=origen,
                notify=False,
            ),
        )
        with contextlib.suppress(ValueError, TypeError):
            message.created_at = dt.datetime.fromisoformat(line["fecha"])
    ticket.has_unread = False


RESUMED_KEY = "resumed"
"""Where a chat session's stored state names the live chat its reloaded widget is about to rejoin."""
RESUME_WINDOW = dt.timedelta(minutes=2)
RESUMED_MESSAGES = 50
"""How much of a live chat's conversation a reloaded widget gets back."""


def take_resumed(chat: ChatSession, ticket_id: int) -> bool:
    """Whether the session's widget was just reloaded on this live chat (said once: the mark is taken)."""
    state = chat.state or {}
    mark = state.get(RESUMED_KEY)
    if not isinstance(mark, dict) or mark.get("ticket_id") != ticket_id:
        return False
    chat.state = {k: v for k, v in state.items() if k != RESUMED_KEY}
    try:
        at = dt.datetime.fromisoformat(str(mark.get("at")))
    except ValueError:
        return False
    return at.tzinfo is not None and utcnow() - at <= RESUME_WINDOW


async def assign_waiting(
    ctx: AppContext, uow: UnitOfWork, entity: Entity, *, answering: Ticket | None = None
) -> list[tuple[Ticket, User]]:
    """Give waiting chats, in queue order, to online agents with room: those of the ticket's category first, then the
    least loaded (ties: idle longest). `answering`: the chat whose citizen this turn's answer tells who took it."""
    online = await presence_of(ctx).online(entity.id)
    if not online:
        return []
    await repository.lock_entity(uow.session, entity.id)
    waiting = list(await repository.queue(uow.session, entity.id))
    if not waiting:
        return []
    loads = await repository.loads(uow.session, entity.id)
    agents = [a for a in await repository.agents(uow.session, online) if a.is_staff and a.entity_id == entity.id]
    # Staff with no live-chat capacity at all (admins, by default) never get chats, not even urgent ones.
    takers = [a for a in agents if capacity_of(ctx, a) > 0]
    made: list[tuple[Ticket, User]] = []
    for ticket in waiting:  # urgent ones first (see repository.queue)
        free = [a for a in agents if loads.get(a.id, 0) < capacity_of(ctx, a)]
        urgent = ticket.prioridad == "urgente"
        if not free and not (urgent and takers):
            break
        epoch = utcnow().replace(year=1970, month=1, day=1)
        agent = min(
            free or takers,  # an urgent chat never waits on capacity: the least loaded online agent takes it
            key=lambda a: (not serves_category(a, ticket), loads.get(a.id, 0), a.last_assigned_at or epoch, a.id),
        )
        load, capacity = loads.get(agent.id, 0), capacity_of(ctx, agent)
        if load >= capacity:
            note = (
                f"Chat URGENTE asignado a {agent.name} por encima de su capacidad ({load + 1} de {capacity} chats en "
                "vivo): nadie más estaba en línea con lugar."
            )
            tickets.record_event(uow, ticket, "sobre_capacidad", to_value=str(load + 1), note=note, actor=agent)
            log.info(
                "urgent ticket %s given to agent %s over capacity (%d/%d)", ticket.id, agent.id, load + 1, capacity
            )
        await _assign(uow, entity, ticket, agent, told_in_answer=answering is not None and ticket.id == answering.id)
        loads[agent.id] = load + 1
        made.append((ticket, agent))
    return made


async def can_take_now(ctx: AppContext, uow: UnitOfWork, entity: Entity) -> bool:
    """Whether some agent of the entity who takes live chats is online now (whatever their load)."""
    online = await presence_of(ctx).online(entity.id)
    if not online:
        return False
    found = await repository.agents(uow.session, online)
    return any(a.is_staff and a.entity_id == entity.id and capacity_of(ctx, a) > 0 for a in found)


async def _assign(
    uow: UnitOfWork, entity: Entity, ticket: Ticket, agent: User, *, told_in_answer: bool = False
) -> None:
    ticket.assigned_agent_id = agent.id
    agent.last_assigned_at = utcnow()
    tickets.record_event(
        uow, ticket, "asignacion", to_value=str(agent.id), note=f"Asignado a {agent.name}", actor=agent
    )
    if ticket.estado != LIVE:
        await tickets.change_status(uow, entity, ticket, LIVE, agent)
    await tickets.add_message(
        uow,
        entity,
        ticket,
        tickets.NewMessage(
            author_kind="system",
            author_name="Sistema",
            text=f"{agent.name} se unió a la conversación.",
            origen="chat",
            told_in_answer=told_in_answer,
        ),
    )


async def take(ctx: AppContext, uow: UnitOfWork, entity: Entity, ticket: Ticket, agent: User) -> None:
    """An agent takes a ticket explicitly: always accepted; capacity only limits automatic assignment."""
    if ticket.is_closed:
        raise Conflict("El reclamo está cerrado.")
    if ticket.assigned_agent_id == agent.id:
        return
    if ticket.is_live_chat and ticket.estado in (WAITING, LIVE):
        await repository.lock_entity(uow.session, entity.id)
        load = (await repository.loads(uow.session, entity.id)).get(agent.id, 0)
        capacity = capacity_of(ctx, agent)
        if load >= capacity:
            # Recorded, not refused: an agent who chose to answer is never locked out of a conversation.
            note = f"{agent.name} tomó el chat por encima de su capacidad ({load + 1} de {capacity} chats en vivo)."
            tickets.record_event(uow, ticket, "sobre_capacidad", to_value=str(load + 1), note=note, actor=agent)
            log.info("agent %s took ticket %s over capacity (%d/%d)", agent.id, ticket.id, load + 1, capacity)
        previous = ticket.assigned_agent_id
        await _assign(uow, entity, ticket, agent)
        if previous is not None:
            await assign_waiting(ctx, uow, entity)
        return
    ticket.assigned_agent_id = agent.id
    tickets.record_event(
        uow, ticket, "asignacion", to_value=str(agent.id), note=f"Asignado a {agent.name}", actor=agent
    )
    if ticket.estado == Estado.NUEVO:
        await set_status(ctx, uow, entity, ticket, Estado.EN_PROCESO, actor=agent)


@dataclass(frozen=True, slots=True)
class AgentReply:
    """What an agent sends: the text (may be empty beside an attachment), where from (`origen`: the panel's
    "chat", or "email" for a reply by email with its `external_id`) and the buttons the citizen may tap."""

    agent: User
    text: str
    attachment: dict[str, Any] | None = None
    origen: str = "chat"
    external_id: str | None = None
    buttons: list[dict[str, str]] | None = None


async def agent_message(
    ctx: AppContext, uow: UnitOfWork, entity: Entity, ticket: Ticket, reply: AgentReply
) -> TicketMessage:
    """An agent's reply: the ticket becomes theirs (whatever their load), and a new complaint goes in process.

    On a resolved or closed ticket it is a note after closing: stored and sent to the citizen like any reply, and
    the status, the assignment and the live chat stay as they are (only the citizen's own message reopens)."""
    agent = reply.agent
    if not reply.attachment:
        tickets.check_text(reply.text)
    closed = ticket.is_closed
    message = tickets.NewMessage(
        author_kind="agent",
        text=reply.text,
        origen=reply.origen,
        author=agent,
        attachment=reply.attachment,
        external_id=reply.external_id,
        buttons=reply.buttons,
        allow_closed=closed,
    )
    if closed:
        return await tickets.add_message(uow, entity, ticket, message)
    if _urgent_widget_ticket(ticket) and not ticket.is_live_chat:
        # An urgent complaint filed in the widget and answered by a person is a live chat from now on: the widget
        # shows it as one (the newest joins the ticket room only for live estados) and the bot stops answering.
        ticket.is_live_chat = True
        ticket.live_requested_at = ticket.live_requested_at or utcnow()
        await _assign(uow, entity, ticket, agent)
    if ticket.estado == Estado.NUEVO:
        # The reply itself is the news (its event carries the new estado): no separate notice before it.
        await set_status(ctx, uow, entity, ticket, Estado.EN_PROCESO, actor=agent, notify=False)
    if ticket.assigned_agent_id != agent.id:
        await take(ctx, uow, entity, ticket, agent)
    return await tickets.add_message(uow, entity, ticket, message)


def _urgent_widget_ticket(ticket: Ticket) -> bool:
    key = ticket.chat_session_key
    return ticket.prioridad == "urgente" and key is not None and keys.channel_of(key) == Channel.WEB


async def assign_to(
    ctx: AppContext, uow: UnitOfWork, entity: Entity, ticket: Ticket, agent: User, *, actor: User
) -> None:
    """Give a ticket to a named agent of its entity (the caller already checked that); naming the current one is a
    no-op."""
    if ticket.assigned_agent_id == agent.id and not ticket.is_closed:
        return
    await take(ctx, uow, entity, ticket, agent)


def serves_category(agent: User, ticket: Ticket) -> bool:
    """Whether the agent was given the ticket's category."""
    if not ticket.categoria or not agent.categories:
        return False
    wanted = fold(ticket.categoria)
    return any(fold(name) == wanted for name in agent.categories)


async def set_status(
    ctx: AppContext,
    uow: UnitOfWork,
    entity: Entity,
    ticket: Ticket,
    estado: str,
    *,
    actor: User | None,
    notify: bool = True,
) -> bool:
    """Change the status and tell the citizen in the conversation; closing a live chat frees the agent."""
    was_live = ticket.is_live_chat and ticket.estado in (WAITING, LIVE)
    changed = await tickets.change_status(uow, entity, ticket, estado, actor)
    if not changed:
        return False
    if estado in CLOSED_ESTADOS and was_live:
        await tickets.add_message(
            uow,
            entity,
            ticket,
            tickets.NewMessage(
                author_kind="system",
                author_name="Sistema",
                text=(
                    "La conversación fue cerrada. ¡Gracias por comunicarte! Si necesitás algo más, escribinos de nuevo."
                ),
                origen="chat",
                allow_closed=True,
            ),
        )
        await assign_waiting(ctx, uow, entity)
    elif notify and (notice := status_notice(ticket)) is not None:
        await tickets.add_message(
            uow,
            entity,
            ticket,
            tickets.NewMessage(
                author_kind="bot",
                author_name="Asistente virtual",
                text=notice,
                origen="chat" if ticket.channel != "whatsapp" else "whatsapp",
                allow_closed=True,
            ),
        )
    return True


def status_notice(ticket: Ticket) -> str | None:
    """What the bot tells the citizen when their ticket moves to an estado they care about."""
    nro = ticket.nro_ticket
    if ticket.tipo == "pyme":
        notices: dict[str, str] = {
            Estado.EN_PROCESO: f"Tu solicitud N.º {nro} está en proceso: ya la estamos atendiendo.",
            Estado.RESUELTO: f"¡Buenas noticias! Tu solicitud N.º {nro} quedó resuelta. Gracias por escribirnos.",
            Estado.CERRADO: f"Tu solicitud N.º {nro} quedó cerrada. Si necesitás algo más, escribinos.",
        }
    else:
        notices = {
            Estado.EN_PROCESO: f"Tu reclamo N.º {nro} está en proceso: ya lo estamos atendiendo.",
            Estado.RESUELTO: f"¡Buenas noticias! Tu reclamo N.º {nro} quedó resuelto. Gracias por avisarnos.",
            Estado.CERRADO: f"Tu reclamo N.º {nro} quedó cerrado. Si necesitás algo más, escribinos.",
        }
    return notices.get(ticket.estado)


async def escalate(uow: UnitOfWork, entity: Entity, ticket: Ticket, verdict: dict[str, Any]) -> None:
    """Mark an existing ticket urgent, record why in its history, and tell the listeners."""
    ticket.prioridad = "urgente"
    ticket.urgency = {**(ticket.urgency or {}), **verdict}
    reasons = ", ".join(verdict.get("reasons", [])) or "mensaje urgente"
    tickets.record_event(uow, ticket, "urgencia", to_value=str(verdict.get("category")), note=f"Escalado: {reasons}")
    await uow.session.flush()
    for listener in uow.listeners:
        await listener.escalated(uow, entity, ticket)


@dataclass(frozen=True, slots=True)
class CitizenLine:
    """What a citizen writes in an open conversation, where from (`origen`, with the channel's own
    `external_id`), by whom (their account, when known) and what they attached."""

    text: str
    origen: str
    citizen: User | None
    attachment: dict[str, Any] | None = None
    external_id: str | None = None


async def citizen_message(
    ctx: AppContext, uow: UnitOfWork, entity: Entity, ticket: Ticket, line: CitizenLine
) -> dict[str, Any]:
    """A citizen writes in an open conversation: store it, tell the agents; urgent text gets a safety answer."""
    text, origen, citizen, attachment, external_id = (
        line.text,
        line.origen,
        line.citizen,
        line.attachment,
        line.external_id,
    )
    message = await tickets.add_message(
        uow,
        entity,
        ticket,
        tickets.NewMessage(
            author_kind="citizen",
            text=text,
            origen=origen,
            author=citizen,
            author_name=ticket.nombre_usuario or (citizen.name if citizen else None) or "Vecino",
            attachment=attachment,
            external_id=external_id,
        ),
    )
    outcome: dict[str, Any] = {"mensaje_id": message.id, "estado": ticket.estado, "ticket_id": ticket.id}
    verdict = classify(text) if text else None
    if verdict is not None and verdict.urgent and ticket.prioridad != "urgente":
        await escalate(uow, entity, ticket, {**verdict.to_dict(), "notify_oncall": not live_chat_open(ctx, entity)})
        lines = (entity.config or {}).get("emergency_lines") or None
        answer = for_channel(safety_message(verdict.category, lines, text=text), origen)
        bot = await tickets.add_message(
            uow,
            entity,
            ticket,
            tickets.NewMessage(author_kind="bot", author_name="Asistente virtual", text=answer, origen=origen),
        )
        if ticket.is_live_chat and ticket.estado == WAITING:
            await assign_waiting(ctx, uow, entity)
        if ticket.is_live_chat:
            watch_urgent(ctx, uow, ticket, after_message_id=bot.id)
        outcome.update({"urgente": True, "respuesta": answer, "bot_mensaje_id": bot.id})
    return outcome


def live_chat_open(ctx: AppContext, entity: Entity) -> bool:
    """Whether live chat is open now for the entity."""
    return entities.live_chat_open(entity, ctx.clock())


async def on_agent_online(ctx: AppContext, entity_id: int, user_id: int) -> None:
    """An agent connected: waiting chats may now be theirs."""
    async with ctx.uow() as uow:
        entity = await entities.require(uow.session, entity_id)
        if await assign_waiting(ctx, uow, entity):
            await uow.commit()


URGENT_WATCH = "urgent_watch"


def watch_urgent(ctx: AppContext, uow: UnitOfWork, ticket: Ticket, *, after_message_id: int) -> None:
    """Check, `urgent_unanswered_seconds` from now, that an agent answered this urgent chat (a durable job)."""
    runner = ctx.jobs.get(URGENT_WATCH)
    if runner is None:
        return
    due = utcnow() + dt.timedelta(seconds=max(1.0, ctx.settings.urgent_unanswered_seconds))
    payload = {"ticket_id": ticket.id, "after_message_id": after_message_id}
    jobs.enqueue(uow, URGENT_WATCH, f"ticket:{ticket.id}", payload, runner.wake, due=due)


def unanswered_notice(ticket: Ticket, lines: dict[str, str] | None) -> str:
    """What the citizen of an urgent chat nobody answered is told: the truth, and the emergency lines again."""
    category = str((ticket.urgency or {}).get("category") or "explicit")
    return (
        "Todavía no pudimos conectarte con una persona del equipo, y no queremos que esperes. "
        "Avisamos a la guardia de la entidad para que te contacten cuanto antes.\n\n"
        f"{safety_message(category, lines)}"
    )


async def urgent_unanswered(
    ctx: AppContext, uow: UnitOfWork, entity: Entity, ticket: Ticket, *, after_message_id: int
) -> bool:
    """An urgent chat's watch is due: if no agent wrote since, tell the citizen, page on-call and alert the agents
    again; whether it did."""
    if ticket.is_closed or ticket.prioridad != "urgente":
        return False
    if await repository.agent_replied_after(uow.session, ticket.id, after_message_id):
        return False
    seconds = int(ctx.settings.urgent_unanswered_seconds)
    tickets.record_event(
        uow,
        ticket,
        "sin_respuesta",
        to_value=str(seconds),
        note=f"Ningún agente respondió el chat urgente en {seconds} s: se avisó al vecino y a la guardia.",
    )
    ticket.urgency = {**(ticket.urgency or {}), "notify_oncall": True, "unanswered_at": utcnow().isoformat()}
    ticket.has_unread = True
    lines = (entity.config or {}).get("emergency_lines") or None
    origen = "whatsapp" if ticket.channel == "whatsapp" else "chat"
    await tickets.add_message(
        uow,
        entity,
        ticket,
        tickets.NewMessage(
            author_kind="bot",
            author_name="Asistente virtual",
            text=for_channel(unanswered_notice(ticket, lines), origen),
            origen=origen,
        ),
    )
    await uow.session.flush()
    for listener in uow.listeners:
        await listener.urgent_unanswered(uow, entity, ticket)
    return True


async def waiting_count(session: AsyncSession) -> int:
    """Live chats waiting for an agent, across entities (the operator's metric)."""
    return await repository.waiting_count(session)
