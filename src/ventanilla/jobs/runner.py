"""The one job loop: claim due jobs with a lease, run them, back off on failure, wake after commits, stop cleanly.

Each kind of job keeps its own table and claim query (a `Queue`); everything else is written once here.
A job claimed by a process that died comes back when its lease ends; `stop()` stops claiming, lets the running
jobs finish for a grace period, then cancels and releases whatever is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from prometheus_client import Counter, Histogram

log = logging.getLogger(__name__)

JOBS_RUN = Counter("ventanilla_jobs_total", "Jobs run, by kind and outcome", ["kind", "outcome"])
JOB_SECONDS = Histogram("ventanilla_job_seconds", "Time a job took, by kind", ["kind"])

DONE, RETRY, FAILED, SKIPPED, RELEASED = "done", "retry", "failed", "skipped", "released"


class JobError(Exception):
    """A job failed: `permanent` ones go to the dead letters at once, others are retried with backoff."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff; transient failures are retried until `window_seconds` of waiting add up."""

    base_seconds: float = 5.0
    cap_seconds: float = 600.0
    window_seconds: float = 48 * 3600.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the n-th failed attempt (a longer Retry-After wins, up to the cap)."""
        delay: float = min(self.base_seconds * 2.0 ** max(attempts - 1, 0), self.cap_seconds)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap_seconds))
        return delay

    def waited(self, attempts: int) -> float:
        """Total seconds of backoff before the (n+1)-th attempt."""
        total, n = 0.0, 1
        while n <= attempts:
            step = self.delay(n)
            if step >= self.cap_seconds:
                return total + step * (attempts - n + 1)
            total += step
            n += 1
        return total

    def exhausted(self, attempts: int) -> bool:
        """Whether a job that failed `attempts` times has been retried for the whole window."""
        return self.waited(attempts - 1) >= self.window_seconds

    def retry_at(self, now: dt.datetime, attempts: int, retry_after: float | None = None) -> dt.datetime:
        """When to try again after the n-th failed attempt."""
        return now + dt.timedelta(seconds=self.delay(attempts, retry_after))


@dataclass(frozen=True, slots=True)
class Backlog:
    """What a queue owes: jobs waiting (due or not), the age of the oldest, and the dead letters."""

    pending: int
    oldest_seconds: float
    failed: int


@dataclass(frozen=True, slots=True)
class DeadJob:
    """A job that failed for good, kept with its last error until someone retries it."""

    kind: str
    id: int
    attempts: int
    error: str | None
    created_at: dt.datetime
    summary: str


J = TypeVar("J")


class Queue(Protocol[J]):
    """One kind of durable job: its table, claim query and work."""

    kind: str
    concurrency: int

    async def claim(self, limit: int, lease_until: dt.datetime) -> Sequence[J]:
        """Atomically take up to `limit` due jobs until `lease_until` (SKIP LOCKED on PostgreSQL)."""
        ...

    async def run(self, job: J) -> str:
        """Do the job and record its outcome (DONE, RETRY, FAILED or SKIPPED)."""
        ...

    async def release(self, job: J) -> None:
        """Give a claimed job back untouched (shutdown)."""
        ...

    def describe(self, job: J) -> str:
        """A log-safe one-line description (ids, never bodies)."""
        ...

    async def next_due(self) -> dt.datetime | None:
        """When the next job that is not due yet becomes due."""
        ...

    async def backlog(self) -> Backlog:
        """Depth, oldest age and dead letters."""
        ...

    async def dead(self, limit: int) -> Sequence[DeadJob]:
        """Jobs that failed for good, newest first."""
        ...

    async def retry(self, ids: Sequence[int] | None) -> int:
        """Make dead jobs due again (all of them when `ids` is None); how many."""
        ...


class Runner(Generic[J]):
    """Runs one queue: up to `concurrency` jobs at once, woken after commits, polling for other processes' work."""

    def __init__(self, queue: Queue[J], *, poll_seconds: float = 1.0, lease_seconds: float = 120.0) -> None:
        self.queue = queue
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self._wakeup: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._running: dict[asyncio.Task[None], J] = {}

    @property
    def kind(self) -> str:
        """The queue's kind."""
        return self.queue.kind

    def _event(self, name: str) -> asyncio.Event:
        # Created lazily so a runner built outside the event loop binds to the loop that runs it.
        current: asyncio.Event | None = getattr(self, name)
        if current is None:
            current = asyncio.Event()
            setattr(self, name, current)
        return current

    async def wake(self) -> None:
        """After-commit hook: look at the queue now."""
        self._event("_wakeup").set()

    @property
    def in_flight(self) -> int:
        """Jobs running right now."""
        return len(self._running)

    async def run(self) -> None:
        """Until stopped: claim what is due, run it, sleep until woken, a retry is due, or the poll passes."""
        wakeup, stopping = self._event("_wakeup"), self._event("_stopping")
        log.info("job runner %s started", self.kind)
        try:
            while not stopping.is_set():
                wakeup.clear()
                claimed = 0
                free = self.queue.concurrency - len(self._running)
                if free > 0:
                    try:
                        claimed = self._start(await self._claim(free))
                    except Exception:
                        log.exception("job runner %s: claim failed", self.kind)
                if claimed and len(self._running) < self.queue.concurrency:
                    continue
                await self._idle(wakeup, stopping, full=len(self._running) >= self.queue.concurrency)
            if self._running:  # stop() bounds this wait with its grace period
                await asyncio.wait(list(self._running))
        finally:
            await self._cancel_running()

    async def _claim(self, limit: int) -> Sequence[J]:
        lease_until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.lease_seconds)
        return await self.queue.claim(limit, lease_until)

    def _start(self, jobs: Sequence[J]) -> int:
        for job in jobs:
            task = asyncio.create_task(self._one(job))
            self._running[task] = job
            task.add_done_callback(self._running.pop)
        return len(jobs)

    async def _idle(self, wakeup: asyncio.Event, stopping: asyncio.Event, *, full: bool) -> None:
        """Until woken, stopped, a running job ends (the next of its key may be due), or a retry is due."""
        waits: list[asyncio.Future[Any]] = [
            asyncio.ensure_future(wakeup.wait()),
            asyncio.ensure_future(stopping.wait()),
        ]
        if self._running:
            waits.append(asyncio.ensure_future(asyncio.wait(list(self._running), return_when=asyncio.FIRST_COMPLETED)))
        timeout = None if full else await self._pause()
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()

    async def _pause(self) -> float:
        try:
            due = await self.queue.next_due()
        except Exception:
            log.exception("job runner %s could not read the next due time", self.kind)
            return self.poll_seconds
        if due is None:
            return self.poll_seconds
        wait = (due - dt.datetime.now(dt.UTC)).total_seconds()
        return min(max(wait, 0.01), self.poll_seconds)

    async def _one(self, job: J) -> None:
        started = time.perf_counter()
        outcome = RELEASED
        try:
            outcome = await self.queue.run(job)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.queue.release(job))
            raise
        except Exception:
            outcome = RETRY
            log.exception(
                "job %s %s failed unexpectedly; it comes back after its lease", self.kind, self.queue.describe(job)
            )
        finally:
            elapsed = time.perf_counter() - started
            JOBS_RUN.labels(self.kind, outcome).inc()
            JOB_SECONDS.labels(self.kind).observe(elapsed)
            # "took", not "in": a `retry` outcome is due after its backoff, not after this run's duration.
            log.info("job %s %s: %s (took %.0f ms)", self.kind, self.queue.describe(job), outcome, elapsed * 1000)

    async def run_once(self) -> int:
        """Claim one batch and run it to the end (tests, CLI); how many jobs."""
        jobs = await self._claim(self.queue.concurrency)
        await asyncio.gather(*(self._one(job) for job in jobs))
        return len(jobs)

    async def drain(self) -> int:
        """Run everything due now; how many jobs."""
        total = 0
        while count := await self.run_once():
            total += count
        return total

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop claiming; give running jobs `grace_seconds` to finish, then cancel and release them."""
        self._event("_stopping").set()
        await self._finish_running(grace_seconds)

    async def _finish_running(self, grace_seconds: float) -> None:
        if self._running:
            await asyncio.wait(list(self._running), timeout=grace_seconds)
        await self._cancel_running()

    async def _cancel_running(self) -> None:
        running = dict(self._running)
        for task, job in running.items():
            if not task.done():
                log.warning("job %s %s cancelled at shutdown and released", self.kind, self.queue.describe(job))
                task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


class Runners:
    """The process's runners by kind."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Runner[Any]] = {}

    def add(self, runner: Runner[Any]) -> Runner[Any]:
        """Register a runner (one per kind)."""
        self._by_kind[runner.kind] = runner
        return runner

    def get(self, kind: str) -> Runner[Any] | None:
        """The runner of a kind, if that channel is installed."""
        return self._by_kind.get(kind)

    def __getitem__(self, kind: str) -> Runner[Any]:
        return self._by_kind[kind]

    def __iter__(self) -> Iterator[Runner[Any]]:
        return iter(self._by_kind.values())

    def __len__(self) -> int:
        return len(self._by_kind)

    async def stop(self, grace_seconds: float) -> None:
        """Stop every runner at once."""
        await asyncio.gather(*(runner.stop(grace_seconds) for runner in self))

    async def backlog(self) -> dict[str, Backlog]:
        """Each queue's backlog."""
        return {runner.kind: await runner.queue.backlog() for runner in self}
