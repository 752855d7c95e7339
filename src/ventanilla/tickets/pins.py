"""The one PIN check of the public lookups."""

from __future__ import annotations

import hmac

from ventanilla.context import AppContext
from ventanilla.tickets.models import Ticket


async def verify_pin(ctx: AppContext, ticket: Ticket, pin: str | None, *, client: str) -> bool:
    """Whether `pin` is the ticket's PIN (constant-time); False on a wrong or absent PIN."""
    if not pin:
        return False
    return hmac.compare_digest(pin.strip().encode(), (ticket.pin or "").encode())
