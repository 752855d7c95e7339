"""Queries for chat sessions and the live-chat queue."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.chat.models import ChatSession
from ventanilla.entities.models import Entity
from ventanilla.tickets.models import Ticket
from ventanilla.users.models import User

WAITING = "esperando_agente_en_vivo"
LIVE = "en_vivo"
_PRIORITY_RANK = case((Ticket.prioridad == "urgente", 0), (Ticket.prioridad == "alta", 1), else_=2)


_MISSES = "ventanilla.chat_session_misses"


async def get_session(session: AsyncSession, entity_id: int, key: str) -> ChatSession | None:
    """A chat session by entity and key; a miss is remembered for the rest of the transaction."""
    misses: set[tuple[int, str]] = session.info.setdefault(_MISSES, set())
    if (entity_id, key) in misses:
        return None
    found = await session.get(ChatSession, (entity_id, key))
    if found is None:
        misses.add((entity_id, key))
    return found


def add_session(session: AsyncSession, chat: ChatSession) -> None:
    """Stage a new chat session (and forget that it was missing)."""
    session.info.get(_MISSES, set()).discard((chat.entity_id, chat.session_key))
    session.add(chat)


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
    """The chat sessions of one browser: by session key or by the anonymous visitor id recorded on them."""
    if not keys and not anon_ids:
        return []
    stmt = select(ChatSession).where(
        ChatSession.entity_id == entity_id,
        or_(ChatSession.session_key.in_(list(keys)), ChatSession.anon_id.in_(list(anon_ids))),
    )
    return (await session.execute(stmt)).scalars().all()
async def waiting_count(session: AsyncSession) -> int:
    """Live chats waiting for an agent, across entities (for metrics)."""
    stmt = select(func.count()).select_from(Ticket).where(Ticket.is_live_chat.is_(True), Ticket.estado == WAITING)
    return int((await session.execute(stmt)).scalar_one())
