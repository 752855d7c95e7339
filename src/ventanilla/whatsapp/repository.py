"""Queries on WhatsApp accounts, the webhook inbox and the outbound queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, and_, bindparam, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ventanilla.jobs import repository as jobs_repo
from ventanilla.jobs.runner import Backlog
from ventanilla.users.models import User
from ventanilla.whatsapp.models import InboundEvent, OutboundMessage, WhatsAppAccount
from ventanilla.whatsapp.schemas import ParsedEvent

OPEN_OUTBOUND = ("pending", "sending")


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def account_for_entity(session: AsyncSession, entity_id: int) -> WhatsAppAccount | None:
    """The entity's number."""
    stmt = select(WhatsAppAccount).where(WhatsAppAccount.entity_id == entity_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def account_for_phone(session: AsyncSession, phone_number_id: str) -> WhatsAppAccount | None:
    """The account of a Cloud API phone_number_id."""
    stmt = select(WhatsAppAccount).where(WhatsAppAccount.phone_number_id == phone_number_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def known_phone_ids(session: AsyncSession, phone_number_ids: Iterable[str]) -> set[str]:
    """Which of these phone_number_ids belong to a configured entity."""
    ids = set(phone_number_ids)
    if not ids:
        return set()
    stmt = select(WhatsAppAccount.phone_number_id).where(WhatsAppAccount.phone_number_id.in_(ids))
    return set((await session.execute(stmt)).scalars().all())


async def insert_events(session: AsyncSession, events: Sequence[ParsedEvent], now: dt.datetime) -> int:
    """Insert-or-ignore by (kind, wamid, status); returns how many were new."""
    if not events:
        return 0
    rows = [
        {
            "kind": e.kind,
            "wamid": e.wamid,
            "status": e.status,
            "phone_number_id": e.phone_number_id,
            "wa_id": e.wa_id,
            "payload": e.payload,
            "occurred_at": e.occurred_at,
            "received_at": now,
            "next_attempt_at": now,
            "attempts": 0,
        }
        for e in events
    ]
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    result = await session.execute(insert(InboundEvent).values(rows).on_conflict_do_nothing())
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


async def claim_inbound(session: AsyncSession, now: dt.datetime) -> InboundEvent | None:
    """The oldest due event, held by this transaction (row lock on PostgreSQL, write lock on SQLite)."""
    due = (InboundEvent.processed_at.is_(None), InboundEvent.failed_at.is_(None), InboundEvent.next_attempt_at <= now)
    if _dialect(session) == "postgresql":
        stmt = select(InboundEvent).where(*due).order_by(InboundEvent.id).limit(1).with_for_update(skip_locked=True)
        return (await session.execute(stmt)).scalar_one_or_none()
    oldest = select(InboundEvent.id).where(*due).order_by(InboundEvent.id).limit(1).scalar_subquery()
    claimed = await session.execute(
        update(InboundEvent)
        .where(InboundEvent.id == oldest, InboundEvent.processed_at.is_(None))
        .values(attempts=InboundEvent.attempts)
        .returning(InboundEvent.id)
    )
    event_id = claimed.scalar_one_or_none()
    return await session.get(InboundEvent, event_id) if event_id is not None else None


_INBOX_OPEN = and_(InboundEvent.processed_at.is_(None), InboundEvent.failed_at.is_(None))


async def next_inbound_id(session: AsyncSession, now: dt.datetime) -> int | None:
    """The oldest due event's id (a peek; processing claims it). On PostgreSQL events another process is
    processing are skipped, so two workers do not spin on one event."""
    stmt = select(InboundEvent.id).where(_INBOX_OPEN, InboundEvent.next_attempt_at <= now).order_by(InboundEvent.id)
    if _dialect(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def pending_inbound(session: AsyncSession) -> int:
    """Events not processed yet."""
    stmt = select(func.count()).select_from(InboundEvent).where(_INBOX_OPEN)
    return int((await session.execute(stmt)).scalar_one())


async def inbox_backlog(session: AsyncSession, now: dt.datetime) -> Backlog:
    """Events waiting, the oldest one's age, and the dead letters."""
    return await jobs_repo.backlog(
        session, pending=_INBOX_OPEN, failed=InboundEvent.failed_at.is_not(None), created=InboundEvent.received_at,
        now=now,
    )  # fmt: skip


async def dead_inbound(session: AsyncSession, limit: int) -> Sequence[InboundEvent]:
    """Events whose processing kept failing, newest first."""
    stmt = select(InboundEvent).where(InboundEvent.failed_at.is_not(None)).order_by(InboundEvent.id.desc())
    return (await session.execute(stmt.limit(limit))).scalars().all()


async def retry_inbound(session: AsyncSession, ids: Sequence[int] | None, now: dt.datetime) -> int:
    """Dead letters due again, with a fresh retry budget."""
    where = [InboundEvent.failed_at.is_not(None)]
    if ids is not None:
        where.append(InboundEvent.id.in_(ids))
    result = await session.execute(
        update(InboundEvent).where(*where).values(failed_at=None, attempts=0, next_attempt_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def outbox_backlog(session: AsyncSession, now: dt.datetime) -> Backlog:
    """Messages waiting to be sent, the oldest one's age, and those that failed."""
    return await jobs_repo.backlog(
        session, pending=OutboundMessage.status.in_(OPEN_OUTBOUND), failed=OutboundMessage.status == "failed",
        created=OutboundMessage.created_at, now=now,
    )  # fmt: skip


async def dead_outbound(session: AsyncSession, limit: int) -> Sequence[OutboundMessage]:
    """Messages that failed for good, newest first."""
    stmt = select(OutboundMessage).where(OutboundMessage.status == "failed").order_by(OutboundMessage.id.desc())
    return (await session.execute(stmt.limit(limit))).scalars().all()


async def retry_outbound(session: AsyncSession, ids: Sequence[int] | None, now: dt.datetime) -> int:
    """Failed messages pending again, with a fresh retry budget."""
    where = [OutboundMessage.status == "failed"]
    if ids is not None:
        where.append(OutboundMessage.id.in_(ids))
    result = await session.execute(
        update(OutboundMessage).where(*where).values(status="pending", attempts=0, next_attempt_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def last_inbound_at(session: AsyncSession, phone_number_id: str, wa_id: str) -> dt.datetime | None:
    """When the citizen last wrote to this number (opens the 24-hour window)."""
    stmt = select(func.max(InboundEvent.occurred_at)).where(
        InboundEvent.kind == "message", InboundEvent.phone_number_id == phone_number_id, InboundEvent.wa_id == wa_id
    )
    return jobs_repo.aware((await session.execute(stmt)).scalar_one_or_none())


async def citizen_by_wa_id(session: AsyncSession, entity_id: int, wa_id: str) -> User | None:
    """The entity's citizen account of a WhatsApp number."""
    stmt = (
        select(User)
        .where(User.entity_id == entity_id, User.whatsapp_id == wa_id, User.rol == "vecino")
        .order_by(User.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def due_outbound(session: AsyncSession, now: dt.datetime, limit: int) -> Sequence[int]:
    """Due queue rows that are the oldest open one of their recipient (messages leave in order)."""
    return (await session.execute(_DUE_OUTBOUND, {"now": now, "limit": limit})).scalars().all()


def _due_outbound() -> Select[int]:
    # Built once, values bound at execution: every runner polls every second, and building the aliased EXISTS was
    # most of a poll's cost.
    earlier = aliased(OutboundMessage)
    blocked = exists().where(
        earlier.entity_id == OutboundMessage.entity_id,
        earlier.wa_id == OutboundMessage.wa_id,
        earlier.status.in_(OPEN_OUTBOUND),
        earlier.id < OutboundMessage.id,
    )
    return (
        select(OutboundMessage.id)
        .where(OutboundMessage.status.in_(OPEN_OUTBOUND), OutboundMessage.next_attempt_at <= bindparam("now"), ~blocked)
        .order_by(OutboundMessage.id)
        .limit(bindparam("limit"))
    )


_DUE_OUTBOUND = _due_outbound()


async def claim_outbound(session: AsyncSession, outbound_id: int, now: dt.datetime, lease_until: dt.datetime) -> bool:
    """Take a due row for sending until `lease_until` (a crashed sender's row comes back after it)."""
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == outbound_id,
            OutboundMessage.status.in_(OPEN_OUTBOUND),
            OutboundMessage.next_attempt_at <= now,
        )
        .values(status="sending", next_attempt_at=lease_until)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def outbound_by_wamid(session: AsyncSession, wamid: str) -> OutboundMessage | None:
    """The queued message a status refers to."""
    stmt = select(OutboundMessage).where(OutboundMessage.wamid == wamid).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def last_outbound(session: AsyncSession, entity_id: int, wa_id: str) -> OutboundMessage | None:
    """The newest message queued for a recipient (drafts of the turn being processed excluded)."""
    stmt = (
        select(OutboundMessage)
        .where(
            OutboundMessage.entity_id == entity_id, OutboundMessage.wa_id == wa_id, OutboundMessage.status != "draft"
        )
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def next_inbound_due(session: AsyncSession, now: dt.datetime) -> dt.datetime | None:
    """When the next unprocessed event not due yet becomes due."""
    stmt = select(func.min(InboundEvent.next_attempt_at)).where(_INBOX_OPEN, InboundEvent.next_attempt_at > now)
    return jobs_repo.aware((await session.execute(stmt)).scalar_one_or_none())


async def next_outbound_due(session: AsyncSession, now: dt.datetime) -> dt.datetime | None:
    """When the next queued message not due yet becomes due."""
    stmt = select(func.min(OutboundMessage.next_attempt_at)).where(
        OutboundMessage.status.in_(OPEN_OUTBOUND), OutboundMessage.next_attempt_at > now
    )
    return jobs_repo.aware((await session.execute(stmt)).scalar_one_or_none())
