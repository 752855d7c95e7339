"""Queries on the email outbox (including the claim that keeps two dispatchers from sending a row twice)."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.jobs import repository as jobs_repo
from ventanilla.jobs.runner import Backlog
from ventanilla.notifications.models import (
    FAILED,
    INBOUND_HELD,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    EmailOptOut,
    EmailOutbox,
    InboundEmail,
)
from ventanilla.tickets.models import Ticket

_ADVISORY_CLASS = 0x56454E  # "VEN": keeps our advisory locks apart from other features'
_CANDIDATES = 10


async def add(session: AsyncSession, rows: Sequence[EmailOutbox]) -> None:
    """Store new outbox rows (flushed with the caller's transaction)."""
    session.add_all(rows)
    await session.flush()


async def opted_out(session: AsyncSession, entity_id: int, address: str) -> bool:
    """Whether the address unsubscribed from the entity's emails."""
    stmt = select(EmailOptOut.id).where(EmailOptOut.entity_id == entity_id, EmailOptOut.address == address)
    return (await session.execute(stmt.limit(1))).first() is not None


async def opt_out(session: AsyncSession, entity_id: int, address: str, now: dt.datetime) -> bool:
    """Record an opt-out; False when it already existed. Pending emails to the address are dropped."""
    existed = await opted_out(session, entity_id, address)
    if not existed:
        session.add(EmailOptOut(entity_id=entity_id, address=address, created_at=now))
    await session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.entity_id == entity_id, EmailOutbox.recipient == address, EmailOutbox.status == PENDING)
        .values(status=SKIPPED, last_error="el destinatario se dio de baja")
    )
    await session.flush()
    return not existed


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(EmailOutbox.status == PENDING, EmailOutbox.not_before <= now, EmailOutbox.next_attempt_at <= now),
        and_(EmailOutbox.status == SENDING, EmailOutbox.lease_until < now),
    )


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return or_(EmailOutbox.status == PENDING, and_(EmailOutbox.status == SENDING, EmailOutbox.lease_until < now))


async def claim(session: AsyncSession, now: dt.datetime, lease_until: dt.datetime, token: str) -> list[EmailOutbox]:
    """Take every pending row of the oldest due (ticket, recipient) pair; the caller commits right after.

    PostgreSQL: one claimer per pair (transaction advisory lock), rows taken with FOR UPDATE SKIP LOCKED.
    SQLite: a single UPDATE statement (SQLite runs one writer at a time), rows found again by claim token.
    """
    if session.get_bind().dialect.name == "postgresql":
        return await _claim_postgres(session, now, lease_until, token)
    return await _claim_atomic_update(session, now, lease_until, token)


async def _claim_atomic_update(
    session: AsyncSession, now: dt.datetime, lease_until: dt.datetime, token: str
) -> list[EmailOutbox]:
    # A plain read first: the UPDATE takes SQLite's one write lock even when nothing is due.
    if (await session.execute(select(EmailOutbox.id).where(_due(now)).limit(1))).first() is None:
        return []
    first = select(EmailOutbox).where(_due(now)).order_by(EmailOutbox.id).limit(1).subquery()
    await session.execute(
        update(EmailOutbox)
        .where(
            EmailOutbox.ticket_id == select(first.c.ticket_id).scalar_subquery(),
            EmailOutbox.recipient == select(first.c.recipient).scalar_subquery(),
            _claimable(now),
        )
        .values(status=SENDING, lease_until=lease_until, claim_token=token, attempts=EmailOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    stmt = select(EmailOutbox).where(EmailOutbox.claim_token == token).order_by(EmailOutbox.id)
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars().all())


async def _claim_postgres(
    session: AsyncSession, now: dt.datetime, lease_until: dt.datetime, token: str
) -> list[EmailOutbox]:
    groups = (
        await session.execute(
            select(EmailOutbox.ticket_id, EmailOutbox.recipient)
            .where(_due(now))
            .group_by(EmailOutbox.ticket_id, EmailOutbox.recipient)
            .order_by(func.min(EmailOutbox.id))
            .limit(_CANDIDATES)
        )
    ).all()
    for ticket_id, recipient in groups:
        key = zlib.crc32(f"{ticket_id}:{recipient}".encode()) & 0x7FFFFFFF
        if not await session.scalar(select(func.pg_try_advisory_xact_lock(_ADVISORY_CLASS, key))):
            continue
        stmt = (
            select(EmailOutbox)
            .where(EmailOutbox.ticket_id == ticket_id, EmailOutbox.recipient == recipient, _claimable(now))
            .order_by(EmailOutbox.id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        rows = list((await session.execute(stmt)).scalars().all())
        # Another dispatcher may have sent the due rows since the candidates were read.
        if not any(_is_due(row, now) for row in rows):
            continue
        for row in rows:
            row.status, row.lease_until, row.claim_token = SENDING, lease_until, token
            row.attempts += 1
        await session.flush()
        return rows
    return []


def _is_due(row: EmailOutbox, now: dt.datetime) -> bool:
    if row.status == PENDING:
        return row.not_before <= now and row.next_attempt_at <= now
    return row.lease_until is not None and row.lease_until < now


@dataclass(frozen=True, slots=True)
class Outcome:
    """How sending a claimed batch ended: its new status, when, the error, the sent Message-ID, the next try."""

    status: str
    now: dt.datetime
    error: str | None = None
    sent_message_id: str | None = None
    next_attempt_at: dt.datetime | None = None


async def finish(session: AsyncSession, ids: Sequence[int], token: str, outcome: Outcome) -> int:
    """Record the outcome of a claimed batch (only while the claim is still ours)."""
    status, now, error = outcome.status, outcome.now, outcome.error
    sent_message_id, next_attempt_at = outcome.sent_message_id, outcome.next_attempt_at
    values: dict[str, object] = {"status": status, "lease_until": None}
    if error is not None:
        values["last_error"] = error[:500]
    if status == SENT:  # last_error stays: it tells why earlier attempts failed
        values.update(sent_at=now, sent_message_id=sent_message_id, claim_token=None)
    elif status == PENDING:
        values.update(next_attempt_at=next_attempt_at or now, claim_token=None)
    elif status in (FAILED, SKIPPED):
        values.update(claim_token=None)
    result = await session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id.in_(ids), EmailOutbox.claim_token == token, EmailOutbox.status == SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def for_ticket(session: AsyncSession, ticket_id: int) -> Sequence[EmailOutbox]:
    """Every outbox row of a ticket, oldest first."""
    stmt = select(EmailOutbox).where(EmailOutbox.ticket_id == ticket_id).order_by(EmailOutbox.id)
    return (await session.execute(stmt)).scalars().all()


async def recent_kind(session: AsyncSession, ticket_id: int, kind: str, since: dt.datetime) -> bool:
    """Whether an email of this kind was queued for the ticket since `since`."""
    stmt = select(EmailOutbox.id).where(
        EmailOutbox.ticket_id == ticket_id, EmailOutbox.kind == kind, EmailOutbox.created_at >= since
    )
    return (await session.execute(stmt.limit(1))).first() is not None


async def release(session: AsyncSession, ids: Sequence[int], token: str, now: dt.datetime) -> None:
    """Give claimed rows back untouched (shutdown): pending, due now, the attempt not counted."""
    await session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id.in_(ids), EmailOutbox.claim_token == token, EmailOutbox.status == SENDING)
        .values(status=PENDING, lease_until=None, claim_token=None, attempts=EmailOutbox.attempts - 1,
                next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


async def next_due(session: AsyncSession, now: dt.datetime) -> dt.datetime | None:
    """When the next pending row that is not due yet (debounce or retry) becomes due."""
    due_at = case(
        (EmailOutbox.not_before > EmailOutbox.next_attempt_at, EmailOutbox.not_before),
        else_=EmailOutbox.next_attempt_at,
    )
    stmt = select(func.min(due_at)).where(EmailOutbox.status == PENDING, due_at > now)
    return jobs_repo.aware((await session.execute(stmt)).scalar_one_or_none())


async def backlog(session: AsyncSession, now: dt.datetime) -> Backlog:
    """Rows waiting (in their debounce window or for a retry), the oldest one's age, and those that failed."""
    return await jobs_repo.backlog(
        session,
        pending=EmailOutbox.status.in_((PENDING, SENDING)),
        failed=EmailOutbox.status == FAILED,
        created=EmailOutbox.created_at,
        now=now,
    )


async def failed(session: AsyncSession, limit: int) -> Sequence[EmailOutbox]:
    """Rows that failed for good, newest first."""
    stmt = select(EmailOutbox).where(EmailOutbox.status == FAILED).order_by(EmailOutbox.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def retry(session: AsyncSession, ids: Sequence[int] | None, now: dt.datetime) -> int:
    """Failed rows pending again, due now, with a fresh retry budget."""
    where = [EmailOutbox.status == FAILED]
    if ids is not None:
        where.append(EmailOutbox.id.in_(ids))
    result = await session.execute(
        update(EmailOutbox).where(*where).values(status=PENDING, attempts=0, next_attempt_at=now, not_before=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(getattr(result, "rowcount", 0) or 0)


async def claim_inbound_email(
    session: AsyncSession, dedup_key: str, *, ticket_id: int, status: str, now: dt.datetime
) -> InboundEmail | None:
    """Record an inbound email by its key, or None when it was already recorded (parallel deliveries included).

    INSERT ... ON CONFLICT DO NOTHING: on PostgreSQL a second transaction inserting the same key waits for the
    first, then inserts nothing; on SQLite writers are serialized anyway.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(InboundEmail)
        .values(dedup_key=dedup_key, ticket_id=ticket_id, status=status, created_at=now)
        .on_conflict_do_nothing(index_elements=[InboundEmail.dedup_key])
        .returning(InboundEmail.id)
    )
    claimed = (await session.execute(stmt)).scalar_one_or_none()
    return await session.get(InboundEmail, claimed) if claimed is not None else None


async def held_emails(session: AsyncSession, entity_id: int | None = None, limit: int = 100) -> Sequence[InboundEmail]:
    """Inbound emails held for an agent to review, newest first (of one entity's tickets when given)."""
    stmt = select(InboundEmail).where(InboundEmail.status == INBOUND_HELD).order_by(InboundEmail.id.desc()).limit(limit)
    if entity_id is not None:
        stmt = stmt.join(Ticket, Ticket.id == InboundEmail.ticket_id).where(Ticket.entity_id == entity_id)
    return (await session.execute(stmt)).scalars().all()
