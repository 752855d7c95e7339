"""The background worker that turns due outbox rows into emails: claim, compose, send, record; retries with backoff."""

from __future__ import annotations

import asyncio
import contextlib
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
from ventanilla.notifications import emails, repository
from ventanilla.notifications.models import FAILED, PENDING, SENT, SKIPPED, EmailOutbox
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket

log = logging.getLogger(__name__)

_ROLE_RANK = {"oncall": 0, "agent": 1, "inbox": 2, "citizen": 3}
HISTORY_LIMIT = 80


@dataclass(frozen=True, slots=True)
class Composed:
    """An email ready to send, or why there is none."""

    message: EmailMessage | None
    status: str | None = None
    reason: str | None = None


class Dispatcher:
    """Sends the outbox: one email per (ticket, recipient) holding every row pending for it."""

    def __init__(
        self,
        ctx: AppContext,
        mailer: Mailer | None = None,
        *,
        poll_seconds: float = 1.0,
        retry_base_seconds: float = 5.0,
        retry_max_seconds: float = 3600.0,
        max_attempts: int = 10,
    ) -> None:
        self.ctx = ctx
        self.mailer = mailer or mailer_from_settings(ctx.settings)
        self.poll_seconds = poll_seconds
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self.max_attempts = max_attempts
        self.lease_seconds = max(60.0, ctx.settings.smtp_timeout_seconds * 4)
        self._wakeup: asyncio.Event | None = None

    @property
    def wakeup(self) -> asyncio.Event:
        """Set by after-commit hooks so new rows do not wait for the next poll."""
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        return self._wakeup

    async def wake(self) -> None:
        """After-commit hook: look at the outbox now."""
        self.wakeup.set()

    async def run(self) -> None:
        """Forever: send what is due, then sleep until woken or the poll interval passes."""
        log.info("email dispatcher started (%s)", type(self.mailer).__name__)
        while True:
            self.wakeup.clear()
            try:
                worked = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("email dispatcher iteration failed")
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), self.poll_seconds)

    async def run_once(self) -> bool:
        """Claim and deliver one batch; False when nothing was due."""
        token = secrets.token_hex(16)
        now = utcnow()
        async with self.ctx.sessions() as session:
            rows = await repository.claim(session, now, now + dt.timedelta(seconds=self.lease_seconds), token)
            await session.commit()
        if not rows:
            return False
        await self._deliver(rows, token)
        return True

    async def drain(self) -> int:
        """Send everything due now (tests, CLI); the number of batches."""
        count = 0
        while await self.run_once():
            count += 1
        return count

    async def _deliver(self, rows: Sequence[EmailOutbox], token: str) -> None:
        ids = [row.id for row in rows]
        first = rows[0]
        try:
            async with self.ctx.sessions() as session:
                composed = await self._compose(session, rows)
        except Exception as exc:
            log.exception("composing email for ticket %s failed", first.ticket_id)
            await self._finish(ids, token, status=FAILED, error=f"no se pudo armar el email: {exc!r}")
            return
        if composed.message is None:
            log.warning("email to %s for ticket %s not sent: %s", first.recipient, first.ticket_id, composed.reason)
            await self._finish(ids, token, status=composed.status or FAILED, error=composed.reason)
            return
        attempts = max(row.attempts for row in rows)
        try:
            await self.mailer.send(composed.message)
        except MailError as exc:
            await self._failed(ids, token, first, attempts, str(exc), permanent=exc.permanent)
            return
        except Exception as exc:
            log.exception("unexpected mailer error")
            await self._failed(ids, token, first, attempts, repr(exc), permanent=False)
            return
        msg_id = str(composed.message["Message-ID"])
        log.info("email %s sent to %s (ticket %s, %d rows)", msg_id, first.recipient, first.ticket_id, len(ids))
        await self._finish(ids, token, status=SENT, sent_message_id=msg_id)

    async def _failed(
        self, ids: list[int], token: str, first: EmailOutbox, attempts: int, error: str, *, permanent: bool
    ) -> None:
        if permanent or attempts >= self.max_attempts:
            log.warning("email to %s for ticket %s failed for good: %s", first.recipient, first.ticket_id, error)
            await self._finish(ids, token, status=FAILED, error=error)
            return
        delay = min(self.retry_max_seconds, self.retry_base_seconds * 2 ** max(0, attempts - 1))
        log.warning(
            "email to %s for ticket %s failed (attempt %d), retrying in %.1fs: %s",
            first.recipient,
            first.ticket_id,
            attempts,
            delay,
            error,
        )
        retry_at = utcnow() + dt.timedelta(seconds=delay)
        await self._finish(ids, token, status=PENDING, error=error, next_attempt_at=retry_at)

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
                    await repository.finish(
                        session,
                        ids,
                        token,
                        status=status,
                        now=utcnow(),
                        error=error,
                        sent_message_id=sent_message_id,
                        next_attempt_at=next_attempt_at,
                    )
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
            entity_name=entity.name,
            entity_id=entity.id,
            ticket=ticket,
            role=role,
            recipient=recipient,
            kinds={row.kind for row in rows},
            new_message_ids={row.message_id for row in rows if row.message_id is not None},
            history=history,
            recipient_name=ticket.nombre_usuario,
        )
        message = emails.build_message(
            settings,
            emails.render(view),
            entity_name=entity.name,
            ticket_id=ticket.id,
            to=recipient,
            msg_id=emails.message_id(settings, ticket.id, min(row.id for row in rows)),
            reply_to=emails.reply_address(settings, signer, ticket.id, role),
            unsubscribe=view.unsubscribe_url,
            date=utcnow(),
        )
        return Composed(message)
