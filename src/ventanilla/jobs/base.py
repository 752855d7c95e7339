"""What every table-backed queue shares: reading and writing through short sessions of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ventanilla.db import utcnow

T = TypeVar("T")


class SessionQueue:
    """A queue whose state lives in the database: `read`/`write` run one repository call in a session."""

    sessions: async_sessionmaker[AsyncSession]

    async def read(self, query: Callable[[AsyncSession, dt.datetime], Awaitable[T]]) -> T:
        """`query(session, now)` in a read-only session."""
        async with self.sessions() as session:
            return await query(session, utcnow())

    async def write(self, change: Callable[[AsyncSession, dt.datetime], Awaitable[T]]) -> T:
        """`change(session, now)`, committed."""
        async with self.sessions() as session:
            result = await change(session, utcnow())
            await session.commit()
            return result
