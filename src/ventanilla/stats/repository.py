"""Queries behind the statistics: the entity's tickets in a period, their first agent reply and their closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.tickets.models import CLOSED_ESTADOS, Ticket, TicketEvent, TicketMessage


async def tickets_between(
    session: AsyncSession, entity_id: int, start: dt.datetime | None, end: dt.datetime | None
) -> Sequence[Any]:
    """(id, nro, estado, categoria, channel, created_at, latitud, longitud, direccion, prioridad) of the entity's
    tickets created in [start, end)."""
    stmt = select(
        Ticket.id,
        Ticket.nro_ticket,
        Ticket.estado,
        Ticket.categoria,
        Ticket.channel,
        Ticket.created_at,
        Ticket.latitud,
        Ticket.longitud,
        Ticket.direccion,
        Ticket.prioridad,
    ).where(Ticket.entity_id == entity_id)
    if start is not None:
        stmt = stmt.where(Ticket.created_at >= start)
    if end is not None:
        stmt = stmt.where(Ticket.created_at < end)
    return (await session.execute(stmt.order_by(Ticket.id))).all()


async def first_agent_replies(
    session: AsyncSession, entity_id: int, ticket_ids: Sequence[int]
) -> dict[int, dt.datetime]:
    """When an agent first wrote in each ticket."""
    if not ticket_ids:
        return {}
    stmt = (
        select(TicketMessage.ticket_id, func.min(TicketMessage.created_at))
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(Ticket.entity_id == entity_id, TicketMessage.author_kind == "agent")
        .group_by(TicketMessage.ticket_id)
    )
    wanted = set(ticket_ids)
    return {tid: at for tid, at in (await session.execute(stmt)).all() if tid in wanted and at is not None}


async def first_closings(session: AsyncSession, entity_id: int, ticket_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """When each ticket was first resolved or closed."""
    if not ticket_ids:
        return {}
    stmt = (
        select(TicketEvent.ticket_id, func.min(TicketEvent.created_at))
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(Ticket.entity_id == entity_id, TicketEvent.kind == "estado", TicketEvent.to_value.in_(CLOSED_ESTADOS))
        .group_by(TicketEvent.ticket_id)
    )
    wanted = set(ticket_ids)
    return {tid: at for tid, at in (await session.execute(stmt)).all() if tid in wanted and at is not None}
