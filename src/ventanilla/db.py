"""Declarative base, engine and session factories, and the unit of work that owns a transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from ventanilla.events import EventCollector

if TYPE_CHECKING:
    from ventanilla.tickets.hooks import TicketListener

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}


def utcnow() -> dt.datetime:
    """Current aware UTC time."""
    return dt.datetime.now(dt.UTC)


def make_engine(url: str, *, pool_size: int | None = None) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL and a busy timeout so workers and requests coexist."""
    if url.startswith("sqlite"):
        # SQLite has one writer: few pooled connections queue requests in the app instead of letting them
        # collide on the file lock, whose busy handler backs off for up to 100 ms at a time.
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=pool_size or 2, max_overflow=0, pool_timeout=60
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_async_engine(url, pool_size=pool_size or 10, max_overflow=20, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay usable after commit so events can be built from them."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class UnitOfWork:
    """One transaction: a session plus the events and after-commit hooks it collected."""

    def __init__(self, session: AsyncSession, events: EventCollector, listeners: Sequence[TicketListener] = ()) -> None:
        self.session = session
        self.events = events
        self.listeners = listeners

    async def commit(self) -> None:
        """Commit, then let the collected events and hooks leave."""
        await self.session.commit()
        await self.events.flush()

    async def rollback(self) -> None:
        """Roll back and drop whatever was collected."""
        await self.session.rollback()
        self.events.clear()


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
    events: EventCollector,
    listeners: Sequence[TicketListener] = (),
) -> AsyncIterator[UnitOfWork]:
    """Open a unit of work; anything not committed explicitly is rolled back."""
    async with sessions() as session:
        uow = UnitOfWork(session, events, listeners)
        try:
            yield uow
        except BaseException:
            await uow.rollback()
            raise
        finally:
            if session.in_transaction():
                await session.rollback()
                events.clear()
