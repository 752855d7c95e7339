"""A queue over the generic jobs table: a kind name plus a handler that does the work."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ventanilla.db import UnitOfWork, utcnow
from ventanilla.jobs import repository
from ventanilla.jobs.base import SessionQueue
from ventanilla.jobs.models import DONE, FAILED, PENDING, Job
from ventanilla.jobs.runner import DONE as OUTCOME_DONE
from ventanilla.jobs.runner import FAILED as OUTCOME_FAILED
from ventanilla.jobs.runner import RETRY, Backlog, Backoff, DeadJob, JobError

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job taken by this process."""

    id: int
    key: str
    payload: dict[str, Any]
    attempts: int
    token: str


def enqueue(
    uow: UnitOfWork,
    kind: str,
    key: str,
    payload: dict[str, Any],
    wake: Callable[[], Awaitable[None]],
    *,
    due: dt.datetime | None = None,
) -> Job:
    """Write a job in the caller's transaction (due now, or at `due`); its runner wakes after commit."""
    now = utcnow()
    job = Job(
        kind=kind,
        key=key[:200],
        payload=payload,
        status=PENDING,
        attempts=0,
        next_attempt_at=due or now,
        created_at=now,
    )
    uow.session.add(job)
    uow.events.after_commit(wake)
    return job


class TableQueue(SessionQueue):
    """Jobs of one kind in the `jobs` table, done by `handler` (which raises JobError on failure)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kind: str,
        handler: Handler,
        *,
        backoff: Backoff,
        concurrency: int = 4,
    ) -> None:
        self.sessions = sessions
        self.kind = kind
        self.handler = handler
        self.backoff = backoff
        self.concurrency = concurrency

    async def claim(self, limit: int, lease_until: dt.datetime) -> Sequence[Claimed]:
        """Take due jobs."""
        token = secrets.token_hex(16)
        async with self.sessions() as session:
            rows = await repository.claim(session, self.kind, utcnow(), lease_until, token, limit)
            claimed = [Claimed(r.id, r.key, dict(r.payload), r.attempts, token) for r in rows]
            await session.commit()
        return claimed

    async def run(self, job: Claimed) -> str:
        """Call the handler; record done, a retry with backoff, or a dead letter."""
        try:
            await self.handler(job.payload)
        except JobError as exc:
            return await self._failed(job, exc.message, permanent=exc.permanent, retry_after=exc.retry_after)
        except Exception as exc:
            log.exception("job %s %s raised", self.kind, self.describe(job))
            return await self._failed(job, f"{type(exc).__name__}: {exc}", permanent=False, retry_after=None)
        await self._finish(job, status=DONE, done_at=utcnow())
        return OUTCOME_DONE

    async def _failed(self, job: Claimed, error: str, *, permanent: bool, retry_after: float | None) -> str:
        if permanent or self.backoff.exhausted(job.attempts):
            log.warning(
                "job %s %s failed for good after %d attempts: %s", self.kind, self.describe(job), job.attempts, error
            )
            await self._finish(job, status=FAILED, last_error=error[:500])
            return OUTCOME_FAILED
        now = utcnow()
        retry_at = self.backoff.retry_at(now, job.attempts, retry_after)
        log.warning(
            "job %s %s attempt %d failed, next attempt in %.0f s (at %s): %s",
            self.kind,
            self.describe(job),
            job.attempts,
            (retry_at - now).total_seconds(),
            retry_at.isoformat(timespec="seconds"),
            error,
        )
        await self._finish(job, status=PENDING, last_error=error[:500], next_attempt_at=retry_at)
        return RETRY

    async def _finish(self, job: Claimed, **values: Any) -> None:
        await self.write(lambda session, _: repository.finish(session, job.id, job.token, **values))

    async def release(self, job: Claimed) -> None:
        """Back to pending, due now, the attempt not counted."""
        await self._finish(job, status=PENDING, attempts=job.attempts - 1, next_attempt_at=utcnow())

    def describe(self, job: Claimed) -> str:
        """`#id (key)`."""
        return f"#{job.id} ({job.key})"

    async def next_due(self) -> dt.datetime | None:
        """The next retry."""
        return await self.read(lambda session, now: repository.next_due(session, self.kind, now))

    async def backlog(self) -> Backlog:
        """Depth, oldest age, dead letters."""
        return await self.read(lambda session, now: repository.kind_backlog(session, self.kind, now))

    async def dead(self, limit: int) -> Sequence[DeadJob]:
        """Failed jobs with their last error."""
        rows = await self.read(lambda session, _: repository.dead(session, self.kind, limit))
        return [DeadJob(self.kind, r.id, r.attempts, r.last_error, r.created_at, r.key) for r in rows]

    async def retry(self, ids: Sequence[int] | None) -> int:
        """Failed jobs due again."""
        return await self.write(lambda session, now: repository.retry(session, self.kind, ids, now))
