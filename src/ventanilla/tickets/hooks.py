"""What other domains (real-time, email, WhatsApp, Pusher) hear about tickets, inside the transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ventanilla.db import UnitOfWork
    from ventanilla.entities.models import Entity
    from ventanilla.tickets.models import Ticket, TicketMessage
    from ventanilla.users.models import User


class TicketListener(Protocol):
    """Reacts to ticket changes by recording events, outbox rows or hooks on the unit of work."""

    async def ticket_created(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None: ...

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None: ...

    async def status_changed(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, old: str, actor: User | None
    ) -> None: ...

    async def escalated(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None: ...

    async def urgent_unanswered(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None: ...

    async def location_changed(self, uow: UnitOfWork, entity: Entity, ticket: Ticket, actor: User | None) -> None: ...


class BaseListener:
    """A listener that ignores everything; subclasses override what they need."""

    async def ticket_created(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """A ticket was created."""

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None:
        """A message was added to a ticket."""

    async def status_changed(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, old: str, actor: User | None
    ) -> None:
        """A ticket's estado changed from `old` to `ticket.estado`."""

    async def escalated(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """An existing ticket became urgent (`ticket.urgency` says why)."""

    async def urgent_unanswered(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """No agent answered an urgent live chat in time (the citizen was just told so)."""

    async def location_changed(self, uow: UnitOfWork, entity: Entity, ticket: Ticket, actor: User | None) -> None:
        """The ticket's address or point changed."""
