"""Queries on the generic jobs table, and the backlog query every queue shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from ventanilla.jobs.models import FAILED, OPEN, PENDING, RUNNING, Job
from ventanilla.jobs.runner import Backlog


def aware(value: Any) -> dt.datetime | None:
    """An aggregate's datetime as aware UTC (aggregates bypass the column type, so SQLite gives naive or text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value if isinstance(value, dt.datetime) else None


async def backlog(
    session: AsyncSession,
    *,
    pending: ColumnElement[bool],
    failed: ColumnElement[bool],
    created: InstrumentedAttribute[dt.datetime],
    now: dt.datetime,
) -> Backlog:
    """Count and oldest age of the rows matching `pending`, and the count matching `failed`."""
    table = created.class_
    count, oldest = (
        await session.execute(select(func.count(), func.min(created)).select_from(table).where(pending))
    ).one()
    dead = (await session.execute(select(func.count()).select_from(table).where(failed))).scalar_one()
    first = aware(oldest)
    age = max((now - first).total_seconds(), 0.0) if first is not None else 0.0
    return Backlog(pending=int(count), oldest_seconds=age, failed=int(dead))


def _due(kind: str, now: dt.datetime) -> ColumnElement[bool]:
    earlier = aliased(Job)
    blocked = exists().where(
        earlier.kind == kind, earlier.key == Job.key, earlier.status.in_(OPEN), earlier.id < Job.id
    )
    ready = or_(
        and_(Job.status == PENDING, Job.next_attempt_at <= now),
        and_(Job.status == RUNNING, Job.lease_until < now),
    )
    return and_(Job.kind == kind, ready, ~blocked)


async def claim(
    session: AsyncSession, kind: str, now: dt.datetime, lease_until: dt.datetime, token: str, limit: int
) -> list[Job]:
    """Take up to `limit` due jobs, the oldest open one of each key (FOR UPDATE SKIP LOCKED on PostgreSQL,
    one UPDATE statement on SQLite, whose single writer makes it atomic); the caller commits right after."""
    ids = select(Job.id).where(_due(kind, now)).order_by(Job.id).limit(limit)
    postgres = session.get_bind().dialect.name == "postgresql"
    # A plain read first: on SQLite an UPDATE takes the database's one write lock even when it matches nothing.
    chosen = list((await session.execute(ids.with_for_update(skip_locked=True) if postgres else ids)).scalars())
    if not chosen:
        return []
    await session.execute(
        update(Job)
        .where(Job.id.in_(chosen), _due(kind, now))
        .values(status=RUNNING, lease_until=lease_until, claim_token=token, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    stmt = select(Job).where(Job.claim_token == token).order_by(Job.id).execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars().all())


async def finish(session: AsyncSession, job_id: int, token: str, **values: Any) -> bool:
    """Record a claimed job's outcome, only while the claim is still ours."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.claim_token == token, Job.status == RUNNING)
        .values(lease_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def next_due(session: AsyncSession, kind: str, now: dt.datetime) -> dt.datetime | None:
    """When the next pending job not due yet becomes due."""
    stmt = select(func.min(Job.next_attempt_at)).where(
        Job.kind == kind, Job.status == PENDING, Job.next_attempt_at > now
    )
    return aware((await session.execute(stmt)).scalar_one_or_none())


async def kind_backlog(session: AsyncSession, kind: str, now: dt.datetime) -> Backlog:
    """The backlog of one kind."""
    return await backlog(
        session,
        pending=and_(Job.kind == kind, Job.status.in_(OPEN)),
        failed=and_(Job.kind == kind, Job.status == FAILED),
        created=Job.created_at,
        now=now,
    )


async def dead(session: AsyncSession, kind: str, limit: int) -> Sequence[Job]:
    """Failed jobs of a kind, newest first."""
    stmt = select(Job).where(Job.kind == kind, Job.status == FAILED).order_by(Job.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def retry(session: AsyncSession, kind: str, ids: Sequence[int] | None, now: dt.datetime) -> int:
    """Failed jobs back to pending, due now, with a fresh retry budget."""
    where = [Job.kind == kind, Job.status == FAILED]
    if ids is not None:
        where.append(Job.id.in_(ids))
    result = await session.execute(
        update(Job)
        .where(*where)
        .values(status=PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
