"""The two WhatsApp queues the job runner works: the webhook inbox and the outbound messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ventanilla.context import AppContext
from ventanilla.jobs.base import SessionQueue
from ventanilla.jobs.runner import SKIPPED, Backlog, DeadJob
from ventanilla.whatsapp import inbox, outbound, repository
from ventanilla.whatsapp.runtime import INBOX, OUTBOX, Runtime


@dataclass(frozen=True, slots=True)
class InboxTurn:
    """A go at the oldest due event; the event itself is claimed inside the turn's transaction."""

    seen_id: int


class InboxQueue(SessionQueue):
    """Webhook events, one at a time per process, in arrival order."""

    kind = INBOX
    concurrency = 1

    def __init__(self, ctx: AppContext, runtime: Runtime) -> None:
        self.ctx = ctx
        self.sessions = ctx.sessions
        self.runtime = runtime

    async def claim(self, limit: int, lease_until: dt.datetime) -> Sequence[InboxTurn]:
        """A turn when some event is due (the transaction that processes it holds it: no lease needed)."""
        due = await self.read(repository.next_inbound_id)
        return [InboxTurn(due)] if due is not None else []

    async def run(self, job: InboxTurn) -> str:
        """Process the oldest due event."""
        return await inbox.process_next(self.ctx, self.runtime) or SKIPPED

    async def release(self, job: InboxTurn) -> None:
        """Nothing to give back: a cancelled turn's transaction rolls back."""

    def describe(self, job: InboxTurn) -> str:
        """The event that was oldest when the turn started."""
        return f"#{job.seen_id}"

    async def next_due(self) -> dt.datetime | None:
        """The next deferred or retried event."""
        return await self.read(repository.next_inbound_due)

    async def backlog(self) -> Backlog:
        """Events waiting and dead letters."""
        return await self.read(repository.inbox_backlog)

    async def dead(self, limit: int) -> Sequence[DeadJob]:
        """Events whose processing kept failing."""
        rows = await self.read(lambda session, _: repository.dead_inbound(session, limit))
        return [DeadJob(self.kind, r.id, r.attempts, r.error, r.received_at, f"{r.kind} {r.wamid}") for r in rows]

    async def retry(self, ids: Sequence[int] | None) -> int:
        """Dead letters processed again."""
        return await self.write(lambda session, now: repository.retry_inbound(session, ids, now))


class OutboxQueue(SessionQueue):
    """Outbound messages, the oldest open one of each recipient at a time, so order holds."""

    kind = OUTBOX

    def __init__(self, ctx: AppContext, runtime: Runtime) -> None:
        self.ctx = ctx
        self.sessions = ctx.sessions
        self.runtime = runtime
        self.concurrency = runtime.concurrency

    async def claim(self, limit: int, lease_until: dt.datetime) -> Sequence[outbound.Claimed]:
        """Take due rows (a conditional UPDATE each: atomic on both backends)."""
        ids = await self.read(lambda session, now: repository.due_outbound(session, now, limit))
        claimed = [await outbound.claim(self.ctx, outbound_id, lease_until) for outbound_id in ids]
        return [job for job in claimed if job is not None]

    async def run(self, job: outbound.Claimed) -> str:
        """Send it."""
        return await outbound.deliver(self.ctx, self.runtime, job)

    async def release(self, job: outbound.Claimed) -> None:
        """Back to pending."""
        await outbound.release(self.ctx, job.outbound_id)

    def describe(self, job: outbound.Claimed) -> str:
        """Row and entity."""
        return f"#{job.outbound_id} (entity {job.entity_id})"

    async def next_due(self) -> dt.datetime | None:
        """The next retry."""
        return await self.read(repository.next_outbound_due)

    async def backlog(self) -> Backlog:
        """Messages waiting and failed."""
        return await self.read(repository.outbox_backlog)

    async def dead(self, limit: int) -> Sequence[DeadJob]:
        """Messages that failed for good."""
        rows = await self.read(lambda session, _: repository.dead_outbound(session, limit))
        return [
            DeadJob(
                self.kind, r.id, r.attempts, r.last_error, r.created_at, f"entity {r.entity_id} ticket {r.ticket_id}"
            )
            for r in rows
        ]

    async def retry(self, ids: Sequence[int] | None) -> int:
        """Failed messages sent again."""
        return await self.write(lambda session, now: repository.retry_outbound(session, ids, now))
