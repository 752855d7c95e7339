"""Import every domain's models so the metadata (and Alembic) sees all tables."""

import ventanilla.notifications.models  # noqa: F401  (email outbox, opt-outs)
from ventanilla.chat.models import ChatSession
from ventanilla.entities.models import Entity
from ventanilla.knowledge import models as knowledge_models  # noqa: F401  (knowledge base entries)
from ventanilla.tickets.models import Ticket, TicketEvent, TicketMessage
from ventanilla.users.models import NotificationPrefs, User
from ventanilla.whatsapp import models as whatsapp_models  # noqa: F401  (accounts, webhook inbox, outbound queue)

__all__ = ["ChatSession", "Entity", "NotificationPrefs", "Ticket", "TicketEvent", "TicketMessage", "User"]
