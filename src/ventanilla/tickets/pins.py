"""The one PIN check of a ticket (minimal version; limits and lockout arrive with the security work)."""

from __future__ import annotations

import hmac

from ventanilla.context import AppContext
from ventanilla.tickets.models import Ticket


async def verify_pin(ctx: AppContext, ticket: Ticket, pin: str | None, *, client: str) -> bool:
    """Whether `pin` is the ticket's PIN (constant-time on UTF-8 bytes); False when absent or wrong."""
    if not pin:
        return False
    return hmac.compare_digest(pin.strip().encode("utf-8", "surrogatepass"), ticket.pin.encode("utf-8"))
