"""The process-wide objects every transport needs, built once by create_app."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import socketio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ventanilla.db import SnapshotCache, UnitOfWork, unit_of_work, utcnow
from ventanilla.entities.models import Entity
from ventanilla.events import AfterCommitQueue, EventCollector, Publisher
from ventanilla.jobs.runner import Runners
from ventanilla.ratelimit import RateLimits
from ventanilla.realtime.presence import LocalPresence, Presence
from ventanilla.security import TokenSigner
from ventanilla.settings import Settings
from ventanilla.tickets.hooks import TicketListener
from ventanilla.users.models import User

if TYPE_CHECKING:
    from ventanilla.whatsapp.runtime import Runtime

Clock = Callable[[], dt.datetime]
AgentHook = Callable[[int, int], Awaitable[None]]
BackgroundService = Callable[["AppContext"], Coroutine[Any, Any, None]]


@dataclass
class AppContext:
    """Settings, storage, real-time server, listeners and background services of one process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    sio: socketio.AsyncServer
    signer: TokenSigner
    presence: Presence = field(default_factory=LocalPresence)
    publishers: list[Publisher] = field(default_factory=list)
    listeners: list[TicketListener] = field(default_factory=list)
    clock: Clock = utcnow
    entity_cache: SnapshotCache[Entity] = field(default_factory=lambda: SnapshotCache(Entity))
    user_cache: SnapshotCache[User] = field(default_factory=lambda: SnapshotCache(User))
    agent_online_hooks: list[AgentHook] = field(default_factory=list)
    jobs: Runners = field(default_factory=Runners)
    workers: list[BackgroundService] = field(default_factory=list)
    closers: list[BackgroundService] = field(default_factory=list)
    whatsapp: Runtime | None = None
    rate_limits: RateLimits = field(default_factory=lambda: RateLimits.from_settings(None, ""))
    after_commit: AfterCommitQueue | None = None

    def collector(self) -> EventCollector:
        """A fresh event collector wired to the publishers (delivering in the background once the app runs)."""
        return EventCollector(publishers=tuple(self.publishers), background=self.after_commit)

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work for workers and socket handlers (requests get theirs from a dependency)."""
        async with unit_of_work(self.sessions, self.collector(), self.listeners_seq) as uow:
            yield uow

    @property
    def listeners_seq(self) -> Sequence[TicketListener]:
        """Listeners as an immutable sequence."""
        return tuple(self.listeners)
