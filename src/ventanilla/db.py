"""Declarative base, engine and session factories, and the unit of work that owns a transaction."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached

from ventanilla import sqlite_driver
from ventanilla.events import EventCollector

if TYPE_CHECKING:
    from ventanilla.tickets.hooks import TicketListener

log = logging.getLogger(__name__)

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


M = TypeVar("M", bound=Base)


def utcnow() -> dt.datetime:
    """Current aware UTC time."""
    return dt.datetime.now(dt.UTC)


def make_engine(url: str, *, pool_size: int | None = None) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL and a busy timeout so workers and requests coexist."""
    if url.startswith("sqlite"):
        # SQLite has one writer: few pooled connections queue requests in the app instead of letting them
        # collide on the file lock, whose busy handler backs off for up to 100 ms at a time.
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30},
            pool_size=pool_size or 2,
            max_overflow=0,
            pool_timeout=60,
            module=sqlite_driver.dbapi(),  # one thread hop per statement, not four
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
    engine = create_async_engine(url, pool_size=pool_size or 10, max_overflow=20, pool_pre_ping=True)

    @event.listens_for(engine.sync_engine, "handle_error")
    def _broken_is_disconnect(context: Any) -> None:
        # A backend terminated in the middle of an operation can leave asyncpg's connection stuck ("cannot switch
        # to state N; another operation is in progress"), which SQLAlchemy does not count as a disconnect: it would
        # go back to the pool and fail every request that gets it. Discard it like a dropped connection.
        if "another operation" in str(context.original_exception) or _gone(context.original_exception):
            context.is_disconnect = True

    return engine


def _gone(exc: BaseException) -> bool:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - SQLite-only installs
        return False
    return isinstance(
        exc,
        asyncpg.exceptions.ConnectionDoesNotExistError
        | asyncpg.exceptions.AdminShutdownError
        | asyncpg.exceptions.InternalClientError,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay usable after commit so events can be built from them."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class SnapshotCache(Generic[M]):
    """Rows that every request reads (the caller's user, the widget's entity) kept for a few seconds.

    A hit is merged into the caller's session without a query (`merge(load=False)`), so it behaves like a
    loaded row; changes made elsewhere show up after at most `ttl` seconds, or at once after `forget()`.
    """

    def __init__(self, model: type[M], ttl_seconds: float = 5.0, max_rows: int = 10_000) -> None:
        self.model = model
        self.ttl = ttl_seconds
        self.max_rows = max_rows
        self._columns = [c.key for c in model.__table__.columns]
        self._rows: dict[Hashable, tuple[float, dict[str, Any]]] = {}

    async def get(self, session: AsyncSession, key: Hashable, load: Callable[[], Awaitable[M | None]]) -> M | None:
        """The row for `key`: cached, else loaded with `load()` (and remembered when found)."""
        now = time.monotonic()
        hit = self._rows.get(key)
        if hit is not None and hit[0] >= now:
            snapshot = self.model(**hit[1])
            make_transient_to_detached(snapshot)
            return await session.merge(snapshot, load=False)
        row = await load()
        if row is not None:
            if len(self._rows) >= self.max_rows:
                self._rows.clear()
            self._rows[key] = (now + self.ttl, {name: getattr(row, name) for name in self._columns})
        return row

    def forget(self, key: Hashable | None = None) -> None:
        """Drop one key (after the row changed), or everything."""
        if key is None:
            self._rows.clear()
        else:
            self._rows.pop(key, None)


class UnitOfWork:
    """One transaction: a session plus the events and after-commit hooks it collected."""

    def __init__(self, session: AsyncSession, events: EventCollector, listeners: Sequence[TicketListener] = ()) -> None:
        self.session = session
        self.events = events
        self.listeners = listeners
        self._on_commit: list[Callable[[], Awaitable[None] | None]] = []

    def on_commit(self, callback: Callable[[], Awaitable[None] | None]) -> None:
        """Run `callback` in this process right after the commit (drop a cached copy, wake a job), never on rollback."""
        self._on_commit.append(callback)

    async def flush(self) -> None:
        """Send the pending writes (ids and defaults the answer needs); the commit is the request's (`web.get_uow`)."""
        await self.session.flush()

    async def commit(self) -> None:
        """Commit, then let the collected events and hooks leave."""
        await self.session.commit()
        await self.events.flush()
        callbacks, self._on_commit = self._on_commit, []
        for callback in callbacks:
            result = callback()
            if result is not None:
                await result

    async def rollback(self) -> None:
        """Roll back and drop whatever was collected."""
        await self.session.rollback()
        self.events.clear()
        self._on_commit.clear()


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
                events.clear()
                try:
                    await session.rollback()
                except Exception as exc:  # a dead connection: its server already threw the transaction away
                    log.warning("rollback failed (%s); the connection is discarded", type(exc).__name__)
