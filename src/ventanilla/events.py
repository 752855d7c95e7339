"""Events decided inside a transaction and published only after it commits."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    """A real-time event for one room."""

    name: str
    data: Any
    room: str
    skip: tuple[str, ...] = ()


class Publisher(Protocol):
    """Something that delivers events (Socket.IO, Pusher, ...)."""

    async def publish(self, events: Sequence[Event]) -> None: ...


AfterCommit = Callable[[], Awaitable[None]]


@dataclass
class EventCollector:
    """Collects events and after-commit hooks of one unit of work."""

    publishers: Sequence[Publisher] = ()
    events: list[Event] = field(default_factory=list)
    hooks: list[AfterCommit] = field(default_factory=list)

    def emit(self, name: str, data: Any, room: str, skip: tuple[str, ...] = ()) -> None:
        """Record an event to publish after commit (`skip`: socket ids that must not get it)."""
        self.events.append(Event(name, data, room, skip))

    def after_commit(self, hook: AfterCommit) -> None:
        """Run `hook` once the transaction has committed (deduplicated by identity)."""
        if hook not in self.hooks:
            self.hooks.append(hook)

    def clear(self) -> None:
        """Forget everything collected (on rollback)."""
        self.events.clear()
        self.hooks.clear()

    async def flush(self) -> None:
        """Publish the events and run the hooks; failures are logged, never raised to the caller."""
        events, hooks = list(self.events), list(self.hooks)
        self.clear()
        for publisher in self.publishers:
            try:
                await publisher.publish(events)
            except Exception:
                log.exception("publishing %d events failed", len(events))
        for hook in hooks:
            try:
                await hook()
            except Exception:
                log.exception("after-commit hook failed")
