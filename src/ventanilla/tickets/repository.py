"""Queries on tickets, messages and history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Select, String, and_, bindparam, case, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ventanilla.entities.models import Entity
from ventanilla.tickets.models import CLOSED_ESTADOS, PhoneCode, Ticket, TicketEvent, TicketFollower, TicketMessage
from ventanilla.users.models import User


async def get(session: AsyncSession, ticket_id: int) -> Ticket | None:
    """Ticket by id (ids outside the 64-bit range match nothing instead of failing in the driver)."""
    if not 0 < ticket_id < 2**63:
        return None
    return await session.get(Ticket, ticket_id)


async def get_with_entity(session: AsyncSession, ticket_id: int) -> tuple[Ticket, Entity] | None:
    """Ticket by id with its entity, in one query (every ticket route needs both)."""
    if not 0 < ticket_id < 2**63:
        return None
    row = (await session.execute(_WITH_ENTITY, {"ticket_id": ticket_id})).first()
    return None if row is None else (row[0], row[1])


_WITH_ENTITY = (
    select(Ticket, Entity).join(Entity, Entity.id == Ticket.entity_id).where(Ticket.id == bindparam("ticket_id"))
)


async def get_for_update(session: AsyncSession, ticket_id: int) -> Ticket | None:
    """Ticket by id, row-locked on PostgreSQL for the rest of the transaction."""
    stmt = select(Ticket).where(Ticket.id == ticket_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_number(session: AsyncSession, entity_id: int, nro_ticket: int) -> Ticket | None:
    """Ticket by its readable number inside an entity."""
    stmt = select(Ticket).where(Ticket.entity_id == entity_id, Ticket.nro_ticket == nro_ticket)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_number_any_entity(session: AsyncSession, nro_ticket: int, pin: str) -> Sequence[Ticket]:
    """Tickets with this number in any entity, the one whose PIN is `pin` first (the public lookup then checks,
    counts and narrows them with the PIN): with more than 50 entities a low number is not cut off the list."""
    stmt = (
        select(Ticket)
        .where(Ticket.nro_ticket == nro_ticket)
        .order_by(case((Ticket.pin == pin, 0), else_=1), Ticket.id)
        .limit(50)
    )
    return (await session.execute(stmt)).scalars().all()


async def latest_open_of_session(session: AsyncSession, entity_id: int, key: str) -> Ticket | None:
    """The newest ticket a chat session opened that is still open."""
    stmt = (
        select(Ticket)
        .where(Ticket.entity_id == entity_id, Ticket.chat_session_key == key, Ticket.estado.not_in(CLOSED_ESTADOS))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_idempotency_key(session: AsyncSession, entity_id: int, key: str) -> Ticket | None:
    """The ticket created with this idempotency key."""
    stmt = select(Ticket).where(Ticket.entity_id == entity_id, Ticket.idempotency_key == key)
    return (await session.execute(stmt)).scalar_one_or_none()


_LAST_MESSAGE = aliased(TicketMessage)
_AGENT = aliased(User)
_LAST_ID = (
    select(func.max(TicketMessage.id)).where(TicketMessage.ticket_id == Ticket.id).correlate(Ticket).scalar_subquery()
)
_URGENT_FIRST = case((and_(Ticket.prioridad == "urgente", Ticket.estado.not_in(tuple(CLOSED_ESTADOS))), 0), else_=1)


def _list_stmt(*, by_estado: bool) -> Select[Ticket, str | None, str | None, str | None]:
    # Built once per shape, values bound at execution: constructing the aliased joins cost more than the query.
    # The last message is found per listed ticket through its (ticket_id, id) index, not by grouping every message.
    stmt = (
        select(Ticket, _AGENT.name, _AGENT.email, _LAST_MESSAGE.text)
        .outerjoin(_AGENT, _AGENT.id == Ticket.assigned_agent_id)
        .outerjoin(_LAST_MESSAGE, _LAST_MESSAGE.id == _LAST_ID)
        .where(Ticket.entity_id == bindparam("entity_id"))
    )
    if by_estado:
        stmt = stmt.where(Ticket.estado == bindparam("estado"))
    return (
        stmt.order_by(_URGENT_FIRST, Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


_LIST = {by_estado: _list_stmt(by_estado=by_estado) for by_estado in (False, True)}


async def list_for_entity(
    session: AsyncSession, entity_id: int, *, limit: int, offset: int, estado: str | None = None
) -> Sequence[tuple[Ticket, tuple[int, str, str | None] | None, str | None]]:
    """Tickets of an entity, open urgent ones first, then newest activity first, with agent (id, name, email) and
    last message (one query)."""
    params: dict[str, object] = {"entity_id": entity_id, "limit": limit, "offset": offset}
    if estado:
        params["estado"] = estado
    rows = (await session.execute(_LIST[bool(estado)], params)).all()
    return [
        (ticket, (ticket.assigned_agent_id, name, email) if ticket.assigned_agent_id and name else None, text)
        for ticket, name, email, text in rows
    ]


async def messages(
    session: AsyncSession, ticket_id: int, after_id: int = 0, limit: int = 500
) -> Sequence[TicketMessage]:
    """Messages of a ticket with id greater than `after_id`, oldest first."""
    stmt = (
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.id > after_id)
        .order_by(TicketMessage.id)
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def recent_messages(session: AsyncSession, ticket_id: int, limit: int) -> Sequence[TicketMessage]:
    """The last `limit` messages of a ticket, oldest first."""
    stmt = (
        select(TicketMessage).where(TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id.desc()).limit(limit)
    )
    return list(reversed((await session.execute(stmt)).scalars().all()))


async def last_agent_message(session: AsyncSession, ticket_id: int) -> TicketMessage | None:
    """The newest message an agent wrote on a ticket."""
    stmt = (
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.author_kind == "agent")
        .order_by(TicketMessage.id.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def message_by_external_id(session: AsyncSession, external_id: str) -> TicketMessage | None:
    """A message by its channel id (e.g. a WhatsApp wamid)."""
    stmt = select(TicketMessage).where(TicketMessage.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def events(session: AsyncSession, ticket_id: int) -> Sequence[TicketEvent]:
    """A ticket's history, oldest first."""
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    return (await session.execute(stmt)).scalars().all()


class HistoryRow(NamedTuple):
    """A history entry as the panel list reads it (plain values: no ORM object per entry)."""

    kind: str
    from_value: str | None
    to_value: str | None
    actor_name: str | None
    note: str | None
    created_at: dt.datetime


async def events_of_many(session: AsyncSession, ticket_ids: Sequence[int]) -> dict[int, list[HistoryRow]]:
    """The histories of several tickets, oldest first, by ticket id (one query)."""
    found: dict[int, list[HistoryRow]] = {ticket_id: [] for ticket_id in ticket_ids}
    if not ticket_ids:
        return found
    for ticket_id, kind, from_value, to_value, actor_name, note, created_at in await session.execute(
        _EVENTS_OF_MANY, {"ids": list(ticket_ids)}
    ):
        found[ticket_id].append(HistoryRow(kind, from_value, to_value, actor_name, note, created_at))
    return found


# Built once, the id list bound at execution (an expanding IN): building these per panel list showed in profiles.
# Columns, not entities: an ORM object per history entry (three or four per listed ticket) cost more than the query.
_EVENTS_OF_MANY = (
    select(
        TicketEvent.ticket_id,
        TicketEvent.kind,
        TicketEvent.from_value,
        TicketEvent.to_value,
        TicketEvent.actor_name,
        TicketEvent.note,
        TicketEvent.created_at,
    )
    .where(TicketEvent.ticket_id.in_(bindparam("ids", expanding=True)))
    .order_by(TicketEvent.id)
)
_ATTACHMENTS_OF_MANY = (
    select(TicketMessage.ticket_id, TicketMessage.id, TicketMessage.attachment)
    .where(
        TicketMessage.ticket_id.in_(bindparam("ids", expanding=True)),
        TicketMessage.attachment.is_not(None),
        # A message without a file stores JSON null (the column's default serialisation), not SQL NULL.
        cast(TicketMessage.attachment, String) != "null",
    )
    .order_by(TicketMessage.id)
)


async def message_attachments_of_many(
    session: AsyncSession, ticket_ids: Sequence[int]
) -> dict[int, list[tuple[int, dict[str, object]]]]:
    """(message id, attachment) of the messages that carry one, oldest first, by ticket id (one query)."""
    found: dict[int, list[tuple[int, dict[str, object]]]] = {ticket_id: [] for ticket_id in ticket_ids}
    if not ticket_ids:
        return found
    for ticket_id, message_id, attachment in await session.execute(_ATTACHMENTS_OF_MANY, {"ids": list(ticket_ids)}):
        if isinstance(attachment, dict):
            found[ticket_id].append((message_id, attachment))
    return found


async def agent_summary(session: AsyncSession, user_id: int | None) -> tuple[int, str, str | None] | None:
    """(id, name, email) of a user, for the panel's `assignedAgent`."""
    if user_id is None:
        return None
    row = (await session.execute(select(User.id, User.name, User.email).where(User.id == user_id))).first()
    return (int(row[0]), str(row[1]), row[2]) if row else None


async def recent_of_citizen(
    session: AsyncSession, entity_id: int, *, citizen_id: int | None, session_key: str | None, limit: int = 5
) -> Sequence[Ticket]:
    """A citizen's latest tickets in an entity: by account, else by chat session."""
    if citizen_id is None and not session_key:
        return []
    owner = Ticket.citizen_id == citizen_id if citizen_id is not None else Ticket.chat_session_key == session_key
    stmt = select(Ticket).where(Ticket.entity_id == entity_id, owner).order_by(Ticket.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def of_contact(
    session: AsyncSession,
    entity_id: int,
    *,
    session_key: str | None,
    phone_tail: str | None,
    email: str | None,
    limit: int = 50,
) -> Sequence[Ticket]:
    """Complaints (not live chats) of a chat session, or whose phone ends in `phone_tail`, or with this email."""
    owners = []
    if session_key:
        owners.append(Ticket.chat_session_key == session_key)
    if phone_tail:
        owners.append(Ticket.telefono.like(f"%{phone_tail}"))
    if email:
        owners.append(func.lower(Ticket.email) == email.lower())
    if not owners:
        return []
    stmt = (
        select(Ticket)
        .where(Ticket.entity_id == entity_id, Ticket.is_live_chat.is_(False), or_(*owners))
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def unowned_by_sessions(session: AsyncSession, entity_id: int, keys: Sequence[str]) -> Sequence[Ticket]:
    """Tickets filed from these chat sessions without an account."""
    if not keys:
        return []
    stmt = select(Ticket).where(
        Ticket.entity_id == entity_id, Ticket.citizen_id.is_(None), Ticket.chat_session_key.in_(list(keys))
    )
    return (await session.execute(stmt)).scalars().all()


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> Sequence[Ticket]:
    """Tickets by id."""
    if not ids:
        return []
    return (await session.execute(select(Ticket).where(Ticket.id.in_(list(ids))))).scalars().all()


async def of_citizen(
    session: AsyncSession, entity_id: int | None, citizen_id: int, *, estado: str | None = None, limit: int = 200
) -> Sequence[Ticket]:
    """A citizen's own tickets, newest first."""
    stmt = select(Ticket).where(Ticket.citizen_id == citizen_id)
    if entity_id is not None:
        stmt = stmt.where(Ticket.entity_id == entity_id)
    if estado:
        stmt = stmt.where(Ticket.estado == estado)
    return (await session.execute(stmt.order_by(Ticket.created_at.desc()).limit(limit))).scalars().all()


async def agent_counts(session: AsyncSession, entity_id: int) -> dict[int, tuple[int, int]]:
    """Per agent of an entity: (open, closed) tickets assigned to them."""
    closed = Ticket.estado.in_(list(CLOSED_ESTADOS))
    stmt = (
        select(
            Ticket.assigned_agent_id,
            func.count().filter(~closed),
            func.count().filter(closed),
        )
        .where(Ticket.entity_id == entity_id, Ticket.assigned_agent_id.is_not(None))
        .group_by(Ticket.assigned_agent_id)
    )
    return {int(uid): (int(o), int(c)) for uid, o, c in (await session.execute(stmt)).all() if uid is not None}


# --- bot21b: duplicates and followers -----------------------------------------------------------------------


async def open_of_category_since(
    session: AsyncSession, entity_id: int, categoria: str, since: dt.datetime, limit: int = 200
) -> Sequence[Ticket]:
    """Open complaints (not live chats) of one category filed since a moment, newest first."""
    stmt = (
        select(Ticket)
        .where(
            Ticket.entity_id == entity_id,
            Ticket.categoria == categoria,
            Ticket.is_live_chat.is_(False),
            Ticket.estado.not_in(tuple(CLOSED_ESTADOS)),
            Ticket.created_at >= since,
        )
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def follower(session: AsyncSession, ticket_id: int, session_key: str) -> TicketFollower | None:
    """A chat session's follow of a ticket."""
    stmt = select(TicketFollower).where(
        TicketFollower.ticket_id == ticket_id, TicketFollower.chat_session_key == session_key
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_follower(session: AsyncSession, row: TicketFollower) -> None:
    """Store a follower and count it on its ticket (one UPDATE, so concurrent joins add up)."""
    session.add(row)
    await session.flush()
    await session.execute(
        update(Ticket).where(Ticket.id == row.ticket_id).values(followers_count=Ticket.followers_count + 1)
    )


async def followers_of(session: AsyncSession, ticket_id: int) -> Sequence[TicketFollower]:
    """Everyone who joined a ticket, in the order they joined."""
    stmt = select(TicketFollower).where(TicketFollower.ticket_id == ticket_id).order_by(TicketFollower.id)
    return (await session.execute(stmt)).scalars().all()


async def of_phone(
    session: AsyncSession, entity_id: int, *, wa_session: str, phone_tail: str, limit: int = 40
) -> Sequence[Ticket]:
    """Complaints (not live chats) filed from a WhatsApp chat session or whose phone ends like this; the caller
    compares the whole number."""
    stmt = (
        select(Ticket)
        .where(
            Ticket.entity_id == entity_id,
            Ticket.is_live_chat.is_(False),
            (Ticket.chat_session_key == wa_session) | Ticket.telefono.like(f"%{phone_tail}"),
        )
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def add_phone_code(session: AsyncSession, row: PhoneCode) -> None:
    """Store a new one-time code."""
    session.add(row)
    await session.flush()


async def latest_phone_code(session: AsyncSession, entity_id: int, session_key: str) -> PhoneCode | None:
    """The newest code a chat session asked for."""
    stmt = (
        select(PhoneCode)
        .where(PhoneCode.entity_id == entity_id, PhoneCode.session_key == session_key)
        .order_by(PhoneCode.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def take_code_attempt(session: AsyncSession, code_id: int, max_attempts: int, now: dt.datetime) -> bool:
    """Count one try of a code in a single UPDATE; False when it is used, expired or out of tries."""
    result = await session.execute(
        update(PhoneCode)
        .where(
            PhoneCode.id == code_id,
            PhoneCode.used_at.is_(None),
            PhoneCode.expires_at > now,
            PhoneCode.attempts < max_attempts,
        )
        .values(attempts=PhoneCode.attempts + 1)
    )
    return bool(getattr(result, "rowcount", 0))


async def use_code(session: AsyncSession, code_id: int, now: dt.datetime) -> bool:
    """Mark a code used, once (a second use of the same code finds it taken)."""
    result = await session.execute(
        update(PhoneCode).where(PhoneCode.id == code_id, PhoneCode.used_at.is_(None)).values(used_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_read(session: AsyncSession, ticket_id: int) -> bool:
    """Clear a ticket's unread mark; False when it had none."""
    stmt = update(Ticket).where(Ticket.id == ticket_id, Ticket.has_unread.is_(True)).values(has_unread=False)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))
