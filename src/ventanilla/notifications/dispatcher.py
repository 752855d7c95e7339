"""The email outbox as a job queue: claim a (ticket, recipient) batch, compose, send, record."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.adapters.smtp import Mailer, MailError, mailer_from_settings
from ventanilla.context import AppContext
from ventanilla.db import utcnow
from ventanilla.entities.models import Entity
from ventanilla.jobs.base import SessionQueue
from ventanilla.jobs.runner import DONE as OUTCOME_DONE
from ventanilla.jobs.runner import FAILED as OUTCOME_FAILED
from ventanilla.jobs.runner import RETRY, Backlog, Backoff, DeadJob
from ventanilla.jobs.runner import SKIPPED as OUTCOME_SKIPPED
from ventanilla.notifications import emails, repository
from ventanilla.notifications.models import FAILED, PENDING, SENT, SKIPPED, EmailOutbox
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket
from ventanilla.users import repository as users_repo

log = logging.getLogger(__name__)

_ROLE_RANK = {"oncall": 0, "agent": 1, "inbox": 2, "citizen": 3, "follower": 4}
HISTORY_LIMIT = 80
KIND = "email"


@dataclass(frozen=True, slots=True)
class Batch:
    """The rows of one (ticket, recipient) claimed together, and the claim's token."""

    rows: tuple[EmailOutbox, ...]
    token: str


@dataclass(frozen=True, slots=True)
class Composed:
    """An email ready to send, or why there is none."""

    message: EmailMessage | None
    status: str | None = None
    reason: str | None = None


class EmailQueue(SessionQueue):
    """The outbox as a job queue: one job per (ticket, recipient), holding every row pending for it."""

    kind = KIND
    concurrency = 4

    def __init__(self, ctx: AppContext, mailer: Mailer | None = None, *, backoff: Backoff | None = None) -> None:
        self.ctx = ctx
        self.sessions = ctx.sessions
        self.mailer = mailer or mailer_from_settings(ctx.settings)
        self.backoff = backoff or ctx.settings.job_backoff()

    async def claim(self, limit: int, lease_until: dt.datetime) -> Sequence[Batch]:
        """Take the pending rows of up to `limit` due (ticket, recipient) pairs."""
        batches: list[Batch] = []
        while len(batches) < limit:
            token = secrets.token_hex(16)
            async with self.ctx.sessions() as session:
                rows = await repository.claim(session, utcnow(), lease_until, token)
                await session.commit()
            if not rows:
                break
            batches.append(Batch(tuple(rows), token))
        return batches

    async def run(self, job: Batch) -> str:
        """Compose and send one email."""
        rows, token = job.rows, job.token
        ids = [row.id for row in rows]
        first = rows[0]
        try:
            async with self.ctx.sessions() as session:
                composed = await self._compose(session, rows)
        except Exception as exc:
            log.exception("composing email for ticket %s failed", first.ticket_id)
            await self._finish(ids, token, status=FAILED, error=f"no se pudo armar el email: {exc!r}")
            return OUTCOME_FAILED
        if composed.message is None:
            log.warning("email for ticket %s not sent: %s", first.ticket_id, composed.reason)
            await self._finish(ids, token, status=composed.status or FAILED, error=composed.reason)
            return OUTCOME_SKIPPED if composed.status == SKIPPED else OUTCOME_FAILED
        attempts = max(row.attempts for row in rows)
        try:
            await self.mailer.send(composed.message)
        except MailError as exc:
            return await self._failed(ids, token, first, attempts, str(exc), permanent=exc.permanent)
        except Exception as exc:
            log.exception("unexpected mailer error")
            return await self._failed(ids, token, first, attempts, repr(exc), permanent=False)
        await self._finish(ids, token, status=SENT, sent_message_id=str(composed.message["Message-ID"]))
        return OUTCOME_DONE

    async def release(self, job: Batch) -> None:
        """Back to pending, due now, the attempt not counted."""
        await self.write(lambda session, now: repository.release(session, [row.id for row in job.rows], job.token, now))

    def describe(self, job: Batch) -> str:
        """Rows and ticket (never the address: it is personal data)."""
        first = job.rows[0]
        return f"#{first.id} (ticket {first.ticket_id}, {first.role}, {len(job.rows)} rows)"

    async def next_due(self) -> dt.datetime | None:
        """The next debounce end or retry."""
        return await self.read(repository.next_due)

    async def backlog(self) -> Backlog:
        """Rows waiting (debounce included) and failed."""
        return await self.read(repository.backlog)

    async def dead(self, limit: int) -> Sequence[DeadJob]:
        """Rows that failed for good."""
        rows = await self.read(lambda session, _: repository.failed(session, limit))
        return [
            DeadJob(self.kind, r.id, r.attempts, r.last_error, r.created_at, f"ticket {r.ticket_id} {r.role} {r.kind}")
            for r in rows
        ]

    async def retry(self, ids: Sequence[int] | None) -> int:
        """Failed rows pending again."""
        return await self.write(lambda session, now: repository.retry(session, ids, now))

    async def _failed(
        self, ids: list[int], token: str, first: EmailOutbox, attempts: int, error: str, *, permanent: bool
    ) -> str:
        if permanent or self.backoff.exhausted(attempts):
            log.warning("email for ticket %s failed for good after %d attempts: %s", first.ticket_id, attempts, error)
            await self._finish(ids, token, status=FAILED, error=error)
            return OUTCOME_FAILED
        now = utcnow()
        retry_at = self.backoff.retry_at(now, attempts)
        log.warning(
            "email for ticket %s failed (attempt %d), next attempt in %.0f s (at %s): %s",
            first.ticket_id,
            attempts,
            (retry_at - now).total_seconds(),
            retry_at.isoformat(timespec="seconds"),
            error,
        )
        await self._finish(ids, token, status=PENDING, error=error, next_attempt_at=retry_at)
        return RETRY

    async def _finish(
        self,
        ids: list[int],
        token: str,
        *,
        status: str,
        error: str | None = None,
        sent_message_id: str | None = None,
        next_attempt_at: dt.datetime | None = None,
    ) -> None:
        for attempt in range(5):
            try:
                async with self.ctx.sessions() as session:
                    outcome = repository.Outcome(status, utcnow(), error, sent_message_id, next_attempt_at)
                    await repository.finish(session, ids, token, outcome)
                    await session.commit()
                return
            except Exception:
                log.exception("recording the outcome of email rows %s failed (attempt %d)", ids, attempt + 1)
                await asyncio.sleep(0.5 * (attempt + 1))

    async def _compose(self, session: AsyncSession, rows: Sequence[EmailOutbox]) -> Composed:
        settings, signer = self.ctx.settings, self.ctx.signer
        first = rows[0]
        ticket = await session.get(Ticket, first.ticket_id)
        entity = await session.get(Entity, first.entity_id)
        if ticket is None or entity is None:
            return Composed(None, SKIPPED, "el reclamo ya no existe")
        recipient = emails.normalize_address(first.recipient)
        if recipient is None:
            return Composed(None, FAILED, "dirección de email inválida")
        if await repository.opted_out(session, entity.id, recipient):
            return Composed(None, SKIPPED, "el destinatario se dio de baja")
        role = min((row.role for row in rows), key=lambda r: _ROLE_RANK.get(r, 9))
        history = await tickets_repo.recent_messages(session, ticket.id, HISTORY_LIMIT)
        view = emails.build_view(
            settings,
            signer,
            ticket,
            emails.Addressee(entity.name, entity.id, role, recipient, ticket.nombre_usuario),
            emails.News(
                {row.kind for row in rows}, {row.message_id for row in rows if row.message_id is not None}, history
            ),
        )
        message = emails.build_message(
            settings,
            emails.render(view),
            emails.Envelope(
                entity_name=entity.name,
                ticket_id=ticket.id,
                to=recipient,
                msg_id=emails.message_id(settings, ticket.id, min(row.id for row in rows)),
                reply_to=emails.reply_address(
                    settings, signer, ticket.id, role, await _agent_id(session, role, entity, recipient)
                ),
                unsubscribe=view.unsubscribe_url,
                date=utcnow(),
            ),
        )
        return Composed(message)


async def _agent_id(session: AsyncSession, role: str, entity: Entity, recipient: str) -> int | None:
    """The staff user an agent email goes to (their address), so their reply address names them alone."""
    if role != "agent":
        return None
    user = await users_repo.by_entity_email(session, entity.id, recipient)
    return user.id if user is not None and user.is_staff else None
