"""Events decided inside a transaction and published only after it commits."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
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


async def deliver(publishers: Sequence[Publisher], events: Sequence[Event], hooks: Sequence[AfterCommit]) -> None:
    """Publish the events and run the hooks; failures are logged, never raised to the caller."""
    for publisher in publishers:
        try:
            await publisher.publish(events)
        except Exception:
            log.exception("publishing %d events failed", len(events))
    for hook in hooks:
        try:
            await hook()
        except Exception:
            log.exception("after-commit hook failed")


class AfterCommitQueue:
    """Delivers what each commit collected in a background task, so no request waits for a slow publisher.

    One consumer takes the batches in commit order, so events of a ticket keep their order and each batch
    leaves exactly once; `close()` (at shutdown) waits for the batches still queued.
    """

    def __init__(self, publishers: Sequence[Publisher]) -> None:
        self.publishers = publishers
        self._batches: deque[tuple[list[Event], list[AfterCommit]]] = deque()
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """Batches not delivered yet."""
        return len(self._batches)

    def submit(self, events: list[Event], hooks: list[AfterCommit]) -> None:
        """Queue one commit's events and hooks."""
        if not events and not hooks:
            return
        self._batches.append((events, hooks))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._consume(), name="after-commit")

    async def _consume(self) -> None:
        while self._batches:
            events, hooks = self._batches[0]
            try:
                await deliver(self.publishers, events, hooks)
            finally:
                self._batches.popleft()

    async def close(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109  (a plain wait bound)
        """Wait (up to `timeout`) for the queued batches to leave."""
        if self._task is not None and not self._task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
            except TimeoutError:
                log.warning("%d after-commit batches not delivered at shutdown", len(self._batches))


@dataclass
class EventCollector:
    """Collects events and after-commit hooks of one unit of work."""

    publishers: Sequence[Publisher] = ()
    events: list[Event] = field(default_factory=list)
    hooks: list[AfterCommit] = field(default_factory=list)
    background: AfterCommitQueue | None = None

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
        """Hand the events and hooks to the background queue (or deliver them now when there is none)."""
        events, hooks = list(self.events), list(self.hooks)
        self.clear()
        if self.background is not None:
            self.background.submit(events, hooks)
        else:
            await deliver(self.publishers, events, hooks)
