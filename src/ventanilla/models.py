"""Import every domain's models so the metadata (and Alembic) sees all tables."""

from ventanilla.chat.models import ChatSession
from ventanilla.entities.models import Entity
from ventanilla.tickets.models import Ticket, TicketEvent, TicketMessage
from ventanilla.users.models import NotificationPrefs, User

__all__ = ["ChatSession", "Entity", "NotificationPrefs", "Ticket", "TicketEvent", "TicketMessage", "User"]
