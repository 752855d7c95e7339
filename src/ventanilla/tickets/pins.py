"""The one PIN check of a ticket (limits and lockout are added by the PIN-guessing work)."""

from __future__ import annotations

from ventanilla.context import AppContext
from ventanilla.security import same_text
from ventanilla.tickets.models import Ticket


async def verify_pin(ctx: AppContext, ticket: Ticket, pin: str | None, *, client: str) -> bool:
    """Whether `pin` is the ticket's PIN (constant time on UTF-8 bytes: any text, never an error)."""
    if not pin or not ticket.pin:
        return False
    return same_text(pin.strip(), ticket.pin)
