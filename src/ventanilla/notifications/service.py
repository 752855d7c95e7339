"""Who gets an email about a ticket change, and when: outbox rows written in the change's own transaction."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.domain import Estado
from ventanilla.entities.models import Entity
from ventanilla.notifications import repository
from ventanilla.notifications.emails import normalize_address
from ventanilla.notifications.models import FAILED, PENDING, EmailOutbox
from ventanilla.realtime.presence import Presence
from ventanilla.settings import Settings
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users import service as users
from ventanilla.users.models import User

log = logging.getLogger(__name__)

# Status changes a citizen hears about; live-chat queueing (esperando/en_vivo) shows in the chat itself.
CITIZEN_STATUS_NOTICES = frozenset({Estado.EN_PROCESO, Estado.RESUELTO, Estado.CERRADO, Estado.NUEVO})


def message_sides(author_kind: str) -> tuple[str, ...]:
    """Which side hears about a new message: never its author's; bot and system lines ride along in later emails."""
    if author_kind == "citizen":
        return ("agent",)
    if author_kind == "agent":
        return ("citizen",)
    return ()


def status_notifies_citizen(old: str, new: str) -> bool:
    """Whether a status change is worth an email to the citizen."""
    return new != old and new in CITIZEN_STATUS_NOTICES


# Kinds that leave at once (taking with them whatever is pending for the same recipient): the citizen's
# acknowledgement (number and PIN), status changes and urgent mail. Only message follow-ups are coalesced.
IMMEDIATE_KINDS = frozenset({"ticket_created", "status", "urgent", "urgent_unanswered", "history"})


def not_before(
    settings: Settings, role: str, now: dt.datetime, *, kind: str = "message", urgent: bool = False
) -> dt.datetime:
    """When an email may leave: at once unless it is a message follow-up of a non-urgent ticket (debounced)."""
    if role == "oncall" or urgent or kind in IMMEDIATE_KINDS:
        return now
    return now + dt.timedelta(seconds=max(0, settings.email_debounce_seconds))


@dataclass(frozen=True, slots=True)
class Target:
    """A recipient as decided from the ticket (the address may still be invalid)."""

    role: str
    address: str


async def citizen_target(session: AsyncSession, entity: Entity, ticket: Ticket) -> Target | None:
    """The citizen's address, unless their preferences or an unsubscribe say no."""
    if not ticket.email:
        return None
    if ticket.citizen_id is not None:
        citizen = await session.get(User, ticket.citizen_id)
        if citizen is not None and not (await users.get_preferences(session, citizen)).email:
            return None
    address = normalize_address(ticket.email) or ticket.email.strip()
    if await repository.opted_out(session, entity.id, address):
        return None
    return Target("citizen", address)


async def agent_target(
    session: AsyncSession, presence: Presence, entity: Entity, ticket: Ticket, *, live_check: bool
) -> Target | None:
    """The assigned agent (unless they watch the panel right now or turned email off), else the entity's inbox."""
    if ticket.assigned_agent_id is not None:
        agent = await session.get(User, ticket.assigned_agent_id)
        if agent is not None and agent.email:
            if live_check and agent.id in await presence.online(entity.id):
                return None
            if not (await users.get_preferences(session, agent)).email:
                return None
            return await _unless_opted_out(session, entity, Target("agent", agent.email))
    if entity.inbox_email:
        return await _unless_opted_out(session, entity, Target("inbox", entity.inbox_email))
    return None


async def _unless_opted_out(session: AsyncSession, entity: Entity, target: Target) -> Target | None:
    address = normalize_address(target.address) or target.address
    return None if await repository.opted_out(session, entity.id, address) else Target(target.role, address)


def _row(
    settings: Settings, ticket: Ticket, target: Target, kind: str, now: dt.datetime, message_id: int | None = None
) -> EmailOutbox:
    address = normalize_address(target.address)
    row = EmailOutbox(
        ticket_id=ticket.id,
        entity_id=ticket.entity_id,
        recipient=(address or target.address.strip())[:320],
        role=target.role,
        kind=kind,
        message_id=message_id,
        status=PENDING,
        attempts=0,
        not_before=not_before(settings, target.role, now, kind=kind, urgent=ticket.prioridad == "urgente"),
        next_attempt_at=now,
        created_at=now,
    )
    if address is None:
        # Kept (not dropped) so the bad address is visible on the row.
        row.status, row.last_error = FAILED, "dirección de email inválida"
        log.warning("ticket %s: invalid %s email address %r", ticket.id, target.role, target.address)
    return row


def _excluding(targets: list[Target | None], author_email: str | None) -> list[Target]:
    author = normalize_address(author_email) if author_email else None
    return [t for t in targets if t is not None and (author is None or t.address != author)]


async def enqueue_ticket_created(
    session: AsyncSession, settings: Settings, presence: Presence, entity: Entity, ticket: Ticket, now: dt.datetime
) -> list[EmailOutbox]:
    """New ticket: the agent side; the citizen a confirmation (not for live chats); urgent ones at once to the
    entity's inbox and on-call address as well."""
    targets: list[Target | None] = [await agent_target(session, presence, entity, ticket, live_check=True)]
    if not ticket.is_live_chat:
        targets.append(await citizen_target(session, entity, ticket))
    targets.extend(await _urgent_targets(session, entity, ticket))
    rows = [_row(settings, ticket, t, _created_kind(ticket, t), now) for t in _unique(_excluding(targets, None))]
    await repository.add(session, rows)
    return rows


def _is_urgent(ticket: Ticket) -> bool:
    return ticket.prioridad == "urgente"


def _created_kind(ticket: Ticket, target: Target) -> str:
    return "urgent" if target.role in ("oncall", "inbox") and _is_urgent(ticket) else "ticket_created"


async def _urgent_targets(session: AsyncSession, entity: Entity, ticket: Ticket) -> list[Target | None]:
    """An urgent ticket reaches the entity's inbox (inside hours too) and its on-call address where set."""
    if not _is_urgent(ticket):
        return []
    targets: list[Target | None] = []
    if entity.inbox_email:
        targets.append(await _unless_opted_out(session, entity, Target("inbox", entity.inbox_email)))
    if entity.oncall_email:
        targets.append(await _unless_opted_out(session, entity, Target("oncall", entity.oncall_email)))
    return targets


def _unique(targets: list[Target]) -> list[Target]:
    """One row per address (the first role wins: agent or inbox before on-call)."""
    seen: set[str] = set()
    kept = []
    for target in targets:
        if target.address not in seen:
            seen.add(target.address)
            kept.append(target)
    return kept


@dataclass(frozen=True, slots=True)
class Change:
    """A change to a ticket that may send emails: its entity, the ticket, who made it and when."""

    entity: Entity
    ticket: Ticket
    actor: User | None
    now: dt.datetime


async def enqueue_message(
    session: AsyncSession, settings: Settings, presence: Presence, change: Change, message: TicketMessage
) -> list[EmailOutbox]:
    """A new message: the other side only (never its author, the change's actor)."""
    entity, ticket, author, now = change.entity, change.ticket, change.actor, change.now
    targets: list[Target | None] = []
    for side in message_sides(message.author_kind):
        if side == "agent":
            targets.append(await agent_target(session, presence, entity, ticket, live_check=True))
        else:
            targets.append(await citizen_target(session, entity, ticket))
    rows = [
        _row(settings, ticket, t, "message", now, message.id)
        for t in _excluding(targets, author.email if author else None)
    ]
    await repository.add(session, rows)
    return rows


async def enqueue_status(session: AsyncSession, settings: Settings, change: Change, old: str) -> list[EmailOutbox]:
    """A status change the citizen cares about (resolved, closed, in process, reopened)."""
    entity, ticket, actor, now = change.entity, change.ticket, change.actor, change.now
    if not status_notifies_citizen(old, ticket.estado):
        return []
    targets: list[Target | None] = [await citizen_target(session, entity, ticket)]
    recipients = _excluding(targets, actor.email if actor else None)
    rows = [_row(settings, ticket, t, "status", now) for t in recipients]
    await repository.add(session, rows)
    return rows


async def enqueue_follower_status(
    session: AsyncSession, settings: Settings, entity: Entity, ticket: Ticket, old: str, now: dt.datetime
) -> list[EmailOutbox]:
    """The same status news for the neighbours who joined the ticket and left an email (not the owner's address)."""
    if not status_notifies_citizen(old, ticket.estado):
        return []
    owner = normalize_address(ticket.email) if ticket.email else None
    targets: list[Target] = []
    for follower in await tickets_repo.followers_of(session, ticket.id):
        address = normalize_address(follower.email) if follower.email else None
        if address and address != owner and not await repository.opted_out(session, entity.id, address):
            targets.append(Target("follower", address))
    rows = [_row(settings, ticket, t, "status", now) for t in _unique(targets)]
    await repository.add(session, rows)
    return rows


async def enqueue_escalated(
    session: AsyncSession, settings: Settings, entity: Entity, ticket: Ticket, now: dt.datetime
) -> list[EmailOutbox]:
    """A ticket turned urgent later in its conversation: the entity's inbox and on-call address, at once."""
    targets = _unique([t for t in await _urgent_targets(session, entity, ticket) if t is not None])
    rows = [_row(settings, ticket, t, "urgent", now) for t in targets]
    await repository.add(session, rows)
    return rows


async def enqueue_oncall_page(
    session: AsyncSession, settings: Settings, entity: Entity, ticket: Ticket, now: dt.datetime
) -> list[EmailOutbox]:
    """An urgent chat nobody answered: the on-call address (the inbox when there is none), at once."""
    address = entity.oncall_email or entity.inbox_email
    if not address:
        log.warning("ticket %s: urgent chat unanswered and the entity has no on-call or inbox address", ticket.id)
        return []
    target = await _unless_opted_out(session, entity, Target("oncall" if entity.oncall_email else "inbox", address))
    if target is None:
        return []
    rows = [_row(settings, ticket, target, "urgent_unanswered", now)]
    await repository.add(session, rows)
    return rows


HISTORY_KINDS = ("history", "history_staff")


STATUS_COVERS_HISTORY = dt.timedelta(minutes=2)
"""A status email this recent makes a manual history request redundant (the frontends fire one on resolution)."""


async def unsubscribe(session: AsyncSession, entity_id: int, address: str, now: dt.datetime) -> bool:
    """An address stops getting the entity's emails (pending ones are dropped); False when it already had."""
    return await repository.opt_out(session, entity_id, address, now)


async def status_email_just_queued(session: AsyncSession, ticket: Ticket, now: dt.datetime) -> bool:
    """Whether a status email for the ticket was queued a moment ago."""
    return await repository.recent_kind(session, ticket.id, "status", now - STATUS_COVERS_HISTORY)


async def enqueue_history(
    session: AsyncSession,
    settings: Settings,
    entity: Entity,
    ticket: Ticket,
    now: dt.datetime,
    *,
    asked_by_citizen: bool = True,
) -> list[EmailOutbox] | None:
    """The ticket's history to the citizen: one email now; None when the ticket has no usable address.

    `asked_by_citizen` picks the wording ("como pediste" only when the citizen asked). At most one such email per
    ticket every ten minutes, so the public button cannot flood a mailbox.
    """
    target = await citizen_target(session, entity, ticket)
    if target is None:
        return None
    window = dt.timedelta(seconds=max(600, settings.email_debounce_seconds))
    for kind in HISTORY_KINDS:
        if await repository.recent_kind(session, ticket.id, kind, now - window):
            return []
    row = _row(settings, ticket, target, "history" if asked_by_citizen else "history_staff", now)
    row.not_before = now
    await repository.add(session, [row])
    return [row]
