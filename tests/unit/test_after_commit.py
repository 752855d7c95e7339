"""After-commit delivery: off the request path, in commit order, exactly once, failures logged."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ventanilla.events import AfterCommitQueue, Event, EventCollector


class SlowPublisher:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.gate = asyncio.Event()

    async def publish(self, events: Sequence[Event]) -> None:
        await self.gate.wait()
        self.seen.extend(e.name for e in events)


class BrokenPublisher:
    async def publish(self, events: Sequence[Event]) -> None:
        raise RuntimeError("redis down")


async def test_flush_returns_at_once_and_batches_leave_in_commit_order(caplog: pytest.LogCaptureFixture) -> None:
    slow = SlowPublisher()
    queue = AfterCommitQueue([BrokenPublisher(), slow])
    hooks: list[int] = []
    for n in range(3):
        collector = EventCollector(publishers=(), background=queue)
        collector.emit(f"e{n}", {}, "room")

        async def hook(n: int = n) -> None:
            hooks.append(n)

        collector.after_commit(hook)
        await asyncio.wait_for(collector.flush(), 0.1)  # never waits for the publisher
    assert queue.pending == 3 and slow.seen == []
    slow.gate.set()
    await queue.close(5)
    assert slow.seen == ["e0", "e1", "e2"] and hooks == [0, 1, 2] and queue.pending == 0
    assert "publishing 1 events failed" in caplog.text


async def test_without_a_background_queue_flush_delivers_inline() -> None:
    slow = SlowPublisher()
    slow.gate.set()
    collector = EventCollector(publishers=(slow,))
    collector.emit("now", {}, "room")
    await collector.flush()
    assert slow.seen == ["now"]
