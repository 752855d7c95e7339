"""Turns ticket changes into Socket.IO events for the panel and the widget's live-chat room."""

from __future__ import annotations

from ventanilla.db import UnitOfWork
from ventanilla.entities.models import Entity
from ventanilla.realtime import rooms
from ventanilla.realtime.presence import Presence
from ventanilla.tickets import schemas
from ventanilla.tickets.hooks import BaseListener
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users.models import User

# The widget already shows what the citizen typed in it; echoing it back would duplicate it.
_WIDGET_ORIGINS = frozenset({"chat", "web"})


class RealtimeListener(BaseListener):
    """Records `new_ticket`, `new_comment` and `new_chat_message` on the unit of work."""

    def __init__(self, presence: Presence | None = None) -> None:
        self.presence = presence

    async def ticket_created(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """Tell the entity's agents about a new ticket."""
        uow.events.emit("new_ticket", schemas.new_ticket_event(ticket), rooms.panel_room(entity.id))

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None:
        """Panel always (but not the author's sockets showing this conversation); the widget room unless it is the
        widget's own message."""
        skip: tuple[str, ...] = ()
        if author is not None and message.author_kind == "agent" and self.presence is not None:
            # The newest panel already shows its own reply optimistically (with a temporary id, so it cannot
            # de-duplicate): the author's sockets that have this conversation open must not get it again.
            skip = tuple(sorted(await self.presence.viewers(ticket.id, author.id)))
        uow.events.emit("new_comment", schemas.comment_event(ticket, message), rooms.panel_room(entity.id), skip)
        if message.author_kind == "citizen" and message.origen in _WIDGET_ORIGINS:
            return
        uow.events.emit(
            "new_chat_message", schemas.chat_message_event(message), rooms.ticket_room(ticket.tipo, ticket.id)
        )

    async def status_changed(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, old: str, actor: User | None
    ) -> None:
        """Panels refresh a ticket's status."""
        uow.events.emit(
            "ticket_updated",
            {
                "id": ticket.id,
                "ticketId": ticket.id,
                "estado": ticket.estado,
                "estado_anterior": old,
                "prioridad": ticket.prioridad,
                "assigned_agent_id": ticket.assigned_agent_id,
            },
            rooms.panel_room(entity.id),
        )
