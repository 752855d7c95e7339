"""Queries on entities."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.entities.models import Entity


async def get(session: AsyncSession, entity_id: int) -> Entity | None:
    """Entity by id."""
    return await session.get(Entity, entity_id)


async def by_token(session: AsyncSession, token: str) -> Entity | None:
    """Entity by its public token."""
    return (await session.execute(select(Entity).where(Entity.token == token))).scalar_one_or_none()


async def by_slug(session: AsyncSession, slug: str) -> Entity | None:
    """Entity by its URL slug."""
    return (await session.execute(select(Entity).where(Entity.slug == slug))).scalar_one_or_none()


async def slugs_like(session: AsyncSession, base: str) -> set[str]:
    """Slugs taken that start with `base` (to pick a free one)."""
    stmt = select(Entity.slug).where(Entity.slug.startswith(base, autoescape=True))
    return set((await session.execute(stmt)).scalars().all())


async def first(session: AsyncSession) -> Entity | None:
    """The oldest entity (for the demo seed)."""
    return (await session.execute(select(Entity).order_by(Entity.id).limit(1))).scalar_one_or_none()


async def next_ticket_number(session: AsyncSession, entity_id: int) -> int:
    """Atomically take the next readable ticket number of an entity."""
    result = await session.execute(
        update(Entity)
        .where(Entity.id == entity_id)
        .values(ticket_seq=Entity.ticket_seq + 1)
        .returning(Entity.ticket_seq)
    )
    return int(result.scalar_one())
