"""Queries for chat sessions and the live-chat queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.chat import known
from ventanilla.chat.models import ChatSession
from ventanilla.domain import Channel, Estado
from ventanilla.entities.models import Entity
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users.models import User

WAITING = Estado.ESPERANDO_AGENTE
LIVE = Estado.EN_VIVO
_PRIORITY_RANK = case((Ticket.prioridad == "urgente", 0), (Ticket.prioridad == "alta", 1), else_=2)


_MISSES = "ventanilla.chat_session_misses"


async def get_session(session: AsyncSession, entity_id: int, key: str) -> ChatSession | None:
    """A chat session by entity and key; a miss is remembered for the rest of the transaction (and a new web
    session is told apart without a query where this process inserts them all, see `known`)."""
    misses: set[tuple[int, str]] = session.info.setdefault(_MISSES, set())
    if (entity_id, key) in misses:
        return None
    if await known.absent(session, entity_id, key):
        misses.add((entity_id, key))
        return None
    found = await session.get(ChatSession, (entity_id, key))
    if found is None:
        misses.add((entity_id, key))
    return found


async def lock_session(session: AsyncSession, entity_id: int, key: str) -> ChatSession | None:
    """A chat session read under a row lock held to the end of the transaction (PostgreSQL; SQLite has one writer).

    Confirmations of one draft queue here, so each reads the conversation the previous one left.
    """
    stmt = (
        select(ChatSession)
        .where(ChatSession.entity_id == entity_id, ChatSession.session_key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_session(
    session: AsyncSession, entity_id: int, key: str, channel: str, state: dict[str, Any] | None
) -> ChatSession:
    """The chat session of a key, inserted unless a concurrent request already did (insert-on-conflict-nothing).

    On PostgreSQL the INSERT waits for a concurrent insert of the same key to commit and then does nothing; the
    SELECT that follows it then sees the committed row.
    """
    session.info.get(_MISSES, set()).discard((entity_id, key))
    known.inserted(session, entity_id, key)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"entity_id": entity_id, "session_key": key, "channel": channel, "state": state}
    # The row comes back from the INSERT itself when it was ours (one statement instead of two); only the loser of
    # a race reads the winner's row.
    inserted = insert(ChatSession).values(**values).on_conflict_do_nothing().returning(ChatSession)
    stmt_inserted = select(ChatSession).from_statement(inserted).execution_options(populate_existing=True)
    found: ChatSession | None = (await session.execute(stmt_inserted)).scalar_one_or_none()
    if found is not None:
        return found
    stmt = (
        select(ChatSession)
        .where(ChatSession.entity_id == entity_id, ChatSession.session_key == key)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one()


async def lock_entity(session: AsyncSession, entity_id: int) -> None:
    """Serialize live-chat assignment of one entity across processes (a row lock on PostgreSQL).

    `FOR NO KEY UPDATE`, the strength of the ticket-number UPDATE on the same row: it serializes assigners but,
    unlike `FOR UPDATE`, does not conflict with the key-share locks that inserting rows referencing the entity
    (tickets, chat sessions, outbox rows) take, which deadlocked live-chat traffic on PostgreSQL.
    """
    await session.execute(select(Entity.id).where(Entity.id == entity_id).with_for_update(key_share=True))


async def queue(session: AsyncSession, entity_id: int) -> Sequence[Ticket]:
    """Waiting live chats: urgent first, then in arrival order."""
    stmt = (
        select(Ticket)
        .where(Ticket.entity_id == entity_id, Ticket.estado == WAITING, Ticket.is_live_chat.is_(True))
        .order_by(_PRIORITY_RANK, Ticket.live_requested_at, Ticket.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def loads(session: AsyncSession, entity_id: int) -> dict[int, int]:
    """Live chats each agent of an entity is handling now."""
    stmt = (
        select(Ticket.assigned_agent_id, func.count())
        .where(
            Ticket.entity_id == entity_id,
            Ticket.estado == LIVE,
            Ticket.is_live_chat.is_(True),
            Ticket.assigned_agent_id.is_not(None),
        )
        .group_by(Ticket.assigned_agent_id)
    )
    return {
        int(agent_id): int(count) for agent_id, count in (await session.execute(stmt)).all() if agent_id is not None
    }


async def agents(session: AsyncSession, user_ids: set[int]) -> Sequence[User]:
    """Users by id."""
    if not user_ids:
        return []
    # populate_existing: the request's own user may be in the session from the short-lived auth cache.
    stmt = select(User).where(User.id.in_(user_ids)).execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalars().all()


async def position(session: AsyncSession, ticket: Ticket) -> int:
    """1-based place of a waiting ticket in its entity's queue."""
    waiting = await queue(session, ticket.entity_id)
    for index, item in enumerate(waiting, start=1):
        if item.id == ticket.id:
            return index
    return 0


async def visitor_sessions(
    session: AsyncSession, entity_id: int, keys: Sequence[str], anon_ids: Sequence[str]
) -> Sequence[ChatSession]:
    """The web chat sessions of one browser: by session key or by the anonymous visitor id recorded on them."""
    if not keys and not anon_ids:
        return []
    stmt = select(ChatSession).where(
        ChatSession.entity_id == entity_id,
        ChatSession.channel == Channel.WEB,
        or_(ChatSession.session_key.in_(list(keys)), ChatSession.anon_id.in_(list(anon_ids))),
    )
    return (await session.execute(stmt)).scalars().all()


async def waiting_count(session: AsyncSession) -> int:
    """Live chats waiting for an agent, across entities (for metrics)."""
    stmt = select(func.count()).select_from(Ticket).where(Ticket.is_live_chat.is_(True), Ticket.estado == WAITING)
    return int((await session.execute(stmt)).scalar_one())


async def agent_replied_after(session: AsyncSession, ticket_id: int, message_id: int) -> bool:
    """Whether an agent wrote in the ticket after the message `message_id`."""
    stmt = select(TicketMessage.id).where(
        TicketMessage.ticket_id == ticket_id, TicketMessage.id > message_id, TicketMessage.author_kind == "agent"
    )
    return (await session.execute(stmt.limit(1))).first() is not None


async def last_message_id(session: AsyncSession, ticket_id: int) -> int:
    """The id of a ticket's newest message (0 without messages)."""
    stmt = select(func.max(TicketMessage.id)).where(TicketMessage.ticket_id == ticket_id)
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)
