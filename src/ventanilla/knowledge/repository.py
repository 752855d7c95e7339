"""Queries of the knowledge base."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.knowledge.models import KnowledgeEntry


async def list_for_entity(session: AsyncSession, entity_id: int) -> Sequence[KnowledgeEntry]:
    """Every entry of an entity, by title."""
    stmt = select(KnowledgeEntry).where(KnowledgeEntry.entity_id == entity_id).order_by(KnowledgeEntry.title)
    return (await session.execute(stmt)).scalars().all()


async def get(session: AsyncSession, entity_id: int, entry_id: int) -> KnowledgeEntry | None:
    """One entry of an entity."""
    stmt = select(KnowledgeEntry).where(KnowledgeEntry.entity_id == entity_id, KnowledgeEntry.id == entry_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_title(session: AsyncSession, entity_id: int, title: str) -> KnowledgeEntry | None:
    """The entry with this exact title."""
    stmt = select(KnowledgeEntry).where(KnowledgeEntry.entity_id == entity_id, KnowledgeEntry.title == title)
    return (await session.execute(stmt)).scalar_one_or_none()
