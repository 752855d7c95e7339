"""Turns ticket changes into Socket.IO events for the panel and the citizen's widget."""

from __future__ import annotations

from ventanilla.chat import keys
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.domain import Channel, Estado
from ventanilla.entities.models import Entity
from ventanilla.realtime import rooms
from ventanilla.realtime.presence import Presence
from ventanilla.tickets import schemas
from ventanilla.tickets.hooks import BaseListener
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users.models import User

# The widget already shows what the citizen typed in it; echoing it back would duplicate it.
_WIDGET_ORIGINS = frozenset({"chat", "web"})
_ENTITY_SIDE = frozenset({"agent", "bot", "system"})


def widget_session_key(ticket: Ticket) -> str | None:
    """The chat session whose widget bot socket hears this ticket's news, if it was opened from the web widget.

    Every entity-side message goes to the ticket room `ticket_{tipo}_{id}` as `new_chat_message` (the contract),
    and to the chat-session room as `message` for the widgets that are not in the ticket room: the newest widget
    joins it only for live chats, and a reloaded widget has not joined it yet. Neither widget de-duplicates the
    two events against each other, so a bot socket whose browser already has a socket in the ticket room is
    skipped (see `RealtimeListener._also_in`).
    """
    if ticket.channel == "whatsapp" or keys.channel_of(ticket.chat_session_key) != Channel.WEB:
        return None
    return ticket.chat_session_key


class RealtimeListener(BaseListener):
    """Records `new_ticket`, `new_comment` and `new_chat_message` on the unit of work."""

    def __init__(self, presence: Presence | None = None) -> None:
        self.presence = presence

    async def ticket_created(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """Tell the entity's agents about a new ticket (and sound the alarm when it is urgent)."""
        uow.events.emit("new_ticket", schemas.new_ticket_event(ticket), rooms.panel_room(entity.id))
        if ticket.prioridad == "urgente":
            uow.events.emit(
                "urgent_ticket", schemas.urgent_alert_event(ticket, Estado.NUEVO), rooms.panel_room(entity.id)
            )

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None:
        """Panel always (but not the author's sockets showing this conversation); the citizen's widget once
        (session room or ticket room), never its own message."""
        skip: tuple[str, ...] = ()
        if author is not None and message.author_kind == "agent" and self.presence is not None:
            # The newest panel already shows its own reply optimistically (with a temporary id, so it cannot
            # de-duplicate): the author's sockets that have this conversation open must not get it again.
            skip = tuple(sorted(await self.presence.viewers(ticket.id, author.id)))
        reference = rooms.panel_version_room(entity.id, rooms.PanelVersion.REFERENCE)
        newest = rooms.panel_version_room(entity.id, rooms.PanelVersion.NEWEST)
        uow.events.emit("new_comment", schemas.comment_event(ticket, message), reference, skip)
        uow.events.emit("new_comment", schemas.comment_event(ticket, message, with_estado=False), newest, skip)
        if message.author_kind == "citizen" and message.origen in _WIDGET_ORIGINS:
            return
        if message.told_in_answer:
            return  # the widget draws it from this turn's answer; a socket copy came before it (docs/live-chat.md)
        ticket_room = rooms.ticket_room(ticket.tipo, ticket.id)
        chat_event = schemas.chat_message_event(message, estado=ticket.estado)
        session_key = widget_session_key(ticket)
        if session_key is None or message.author_kind not in _ENTITY_SIDE:
            uow.events.emit("new_chat_message", chat_event, ticket_room)
            return
        session_room = rooms.session_room(entity.id, session_key)
        widget_event = schemas.widget_message_event(ticket, message)
        if widget_event["attachment_info"]:
            # The room socket's handler keeps the text only (the photo would be a link); the bot socket draws it.
            uow.events.emit("new_chat_message", chat_event, ticket_room, await self._also_in(ticket_room, session_room))
            uow.events.emit("message", widget_event, session_room)
            return
        uow.events.emit("new_chat_message", chat_event, ticket_room)
        uow.events.emit("message", widget_event, session_room, await self._also_in(session_room, ticket_room))

    async def _also_in(self, room: str, other: str) -> tuple[str, ...]:
        """Sockets of `room` whose browser also has a socket in `other` (that one shows the news)."""
        if self.presence is None:
            return ()
        browsers = set((await self.presence.attendees(other)).values())
        if not browsers:
            return ()
        here = await self.presence.attendees(room)
        return tuple(sorted(sid for sid, browser in here.items() if browser in browsers))

    async def status_changed(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, old: str, actor: User | None
    ) -> None:
        """Panels refresh a ticket's status (the citizen hears it as the bot's notice message)."""
        uow.events.emit("ticket_updated", schemas.ticket_updated_event(ticket, old), rooms.panel_room(entity.id))
        event = schemas.status_comment_event(ticket, old, utcnow())
        for version in rooms.PanelVersion:
            uow.events.emit("new_comment", event, rooms.panel_version_room(entity.id, version))

    async def location_changed(self, uow: UnitOfWork, entity: Entity, ticket: Ticket, actor: User | None) -> None:
        """Panels see the new address or point."""
        uow.events.emit(
            "ticket_updated", schemas.ticket_updated_event(ticket, ticket.estado), rooms.panel_room(entity.id)
        )

    async def escalated(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """Panels see at once that a ticket became urgent: both re-read their list and toast on `new_ticket`."""
        room = rooms.panel_room(entity.id)
        uow.events.emit("ticket_updated", schemas.ticket_updated_event(ticket, ticket.estado), room)
        uow.events.emit("new_ticket", schemas.new_ticket_event(ticket), room)
        uow.events.emit("urgent_ticket", schemas.urgent_alert_event(ticket, "escalado"), room)

    async def urgent_unanswered(self, uow: UnitOfWork, entity: Entity, ticket: Ticket) -> None:
        """Every agent of the entity is alerted again: nobody answered the urgent chat."""
        room = rooms.panel_room(entity.id)
        uow.events.emit("new_ticket", schemas.new_ticket_event(ticket), room)
        uow.events.emit("urgent_ticket", schemas.urgent_alert_event(ticket, "sin_respuesta"), room)
