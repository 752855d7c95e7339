"""The process-wide objects every transport needs, built once by create_app."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import socketio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ventanilla.db import UnitOfWork, unit_of_work, utcnow
from ventanilla.events import EventCollector, Publisher
from ventanilla.ratelimit import RateLimits
from ventanilla.security import TokenSigner
from ventanilla.settings import Settings
from ventanilla.tickets.hooks import TicketListener

Clock = Callable[[], dt.datetime]


@dataclass
class AppContext:
    """Settings, storage, real-time server, listeners and background services of one process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    sio: socketio.AsyncServer
    signer: TokenSigner
    publishers: list[Publisher] = field(default_factory=list)
    listeners: list[TicketListener] = field(default_factory=list)
    clock: Clock = utcnow
    services: dict[str, Any] = field(default_factory=dict)
    rate_limits: RateLimits = field(default_factory=lambda: RateLimits.from_settings(None, ""))
    background: list[Any] = field(default_factory=list)

    def collector(self) -> EventCollector:
        """A fresh event collector wired to the publishers."""
        return EventCollector(publishers=tuple(self.publishers))

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work for workers and socket handlers (requests get theirs from a dependency)."""
        async with unit_of_work(self.sessions, self.collector(), self.listeners_seq) as uow:
            yield uow

    @property
    def listeners_seq(self) -> Sequence[TicketListener]:
        """Listeners as an immutable sequence."""
        return tuple(self.listeners)
