"""The one PIN check of a ticket (minimal version: constant-time compare; limits come with the security work)."""

from __future__ import annotations

import hmac

from ventanilla.context import AppContext
from ventanilla.tickets.models import Ticket


async def verify_pin(ctx: AppContext, ticket: Ticket, pin: str | None, *, client: str) -> bool:
    """True when `pin` is the ticket's PIN; False on a wrong or absent PIN."""
    if not pin or not ticket.pin:
        return False
    return hmac.compare_digest(pin.strip().encode("utf-8"), ticket.pin.encode("utf-8"))
