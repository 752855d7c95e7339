"""Writes email outbox rows when tickets change, and wakes the dispatcher once the change commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from ventanilla.db import UnitOfWork, utcnow
from ventanilla.entities.models import Entity
from ventanilla.notifications import service
from ventanilla.notifications.models import EmailOutbox
from ventanilla.realtime.presence import Presence
from ventanilla.settings import Settings
from ventanilla.tickets.hooks import BaseListener
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users.models import User


class EmailListener(BaseListener):
    """Turns ticket_created / message_added / status_changed into outbox rows in the same transaction."""

    def __init__(self, settings: Settings, presence: Callable[[], Presence], wake: Callable[[], Awaitable[None]]):
        self._settings = settings
        self._presence = presence
        self._wake = wake

    def _after(self, uow: UnitOfWork, rows: Sequence[EmailOutbox]) -> None:
        if rows:
            uow.events.after_commit(self._wake)

    async def ticket_created(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """Agent side, citizen confirmation, on-call for urgent tickets."""
        rows = await service.enqueue_ticket_created(
            uow.session, self._settings, self._presence(), entity, ticket, utcnow()
        )
        self._after(uow, rows)

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None:
        """The side that did not write the message."""
        change = service.Change(entity, ticket, author, utcnow())
        rows = await service.enqueue_message(uow.session, self._settings, self._presence(), change, message)
        self._after(uow, rows)

    async def status_changed(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, old: str, actor: User | None
    ) -> None:
        """The citizen (and the neighbours who joined the ticket), for the changes that matter to them."""
        change = service.Change(entity, ticket, actor, utcnow())
        rows = await service.enqueue_status(uow.session, self._settings, change, old)
        rows += await service.enqueue_follower_status(uow.session, self._settings, entity, ticket, old, utcnow())
        self._after(uow, rows)

    async def escalated(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """On-call, when the ticket turned urgent outside live-chat hours."""
        rows = await service.enqueue_escalated(uow.session, self._settings, entity, ticket, utcnow())
        self._after(uow, rows)

    async def urgent_unanswered(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """Page the on-call address (else the inbox) at once."""
        self._after(uow, await service.enqueue_oncall_page(uow.session, self._settings, entity, ticket, utcnow()))
