"""Queries on users and their preferences."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.users.models import STAFF_ROLES, NotificationPrefs, User


async def get(session: AsyncSession, user_id: int) -> User | None:
    """User by id."""
    return await session.get(User, user_id)


async def by_email(session: AsyncSession, email: str) -> Sequence[User]:
    """Every user with this email (one per entity at most)."""
    stmt = select(User).where(User.email == email.lower()).order_by(User.id)
    return (await session.execute(stmt)).scalars().all()


async def by_entity_email(session: AsyncSession, entity_id: int, email: str) -> User | None:
    """The user of an entity with this email."""
    stmt = select(User).where(User.entity_id == entity_id, User.email == email.lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def staff_of(session: AsyncSession, entity_id: int) -> Sequence[User]:
    """Agents and admins of an entity."""
    stmt = select(User).where(User.entity_id == entity_id, User.rol.in_(STAFF_ROLES)).order_by(User.id)
    return (await session.execute(stmt)).scalars().all()


async def prefs(session: AsyncSession, user_id: int) -> NotificationPrefs | None:
    """A user's notification preferences, if ever saved."""
    return await session.get(NotificationPrefs, user_id)
