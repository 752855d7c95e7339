"""Neighbours who join an open ticket instead of filing the same problem again: they hear its status news."""

from __future__ import annotations

from dataclasses import dataclass

from ventanilla.db import UnitOfWork, utcnow
from ventanilla.tickets import repository
from ventanilla.tickets.models import Ticket, TicketEvent, TicketFollower


@dataclass(frozen=True, slots=True)
class Joiner:
    """Who joins, and how they hear the news (email, or the WhatsApp number of their chat)."""

    session_key: str
    channel: str
    nombre: str | None = None
    email: str | None = None
    telefono: str | None = None
    wa_id: str | None = None


async def follow(uow: UnitOfWork, ticket: Ticket, joiner: Joiner) -> bool:
    """Add the neighbour to the ticket (once per chat session; never its own filer); True when new."""
    if ticket.chat_session_key == joiner.session_key:
        return False
    if await repository.follower(uow.session, ticket.id, joiner.session_key) is not None:
        return False
    now = utcnow()
    await repository.add_follower(
        uow.session,
        TicketFollower(
            ticket_id=ticket.id,
            chat_session_key=joiner.session_key[:128],
            channel=joiner.channel[:16],
            nombre=(joiner.nombre or None) and joiner.nombre[:200],
            email=(joiner.email or None) and joiner.email[:320],
            telefono=(joiner.telefono or None) and joiner.telefono[:32],
            wa_id=(joiner.wa_id or None) and joiner.wa_id[:32],
            created_at=now,
        ),
    )
    uow.session.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind="seguidor",
            actor_name=joiner.nombre,
            note="Un vecino informó el mismo problema y se sumó al reclamo.",
            created_at=now,
        )
    )
    await uow.session.refresh(ticket, ["followers_count"])
    return True
