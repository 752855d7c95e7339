"""The one PIN check: limited per ticket and per client, and a ticket's PIN locked after repeated failures."""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Sequence

from ventanilla.context import AppContext
from ventanilla.errors import TooManyRequests
from ventanilla.ratelimit import Rule, per_minute
from ventanilla.tickets.models import Ticket

LOCKED = (
    "Por seguridad bloqueamos la consulta con PIN de este reclamo después de varios intentos fallidos. "
    "Probá de nuevo más tarde."
)
CLIENT_LOCKED = "Probaste demasiados PIN incorrectos. Esperá un rato y volvé a intentar."
TOO_FAST = "Demasiadas consultas con PIN seguidas; probá de nuevo en un momento."


def _failures_per_ticket(ctx: AppContext) -> Rule:
    return Rule("pin-failures-ticket", ctx.settings.pin_failures_per_ticket)


def _failures_per_client(ctx: AppContext) -> Rule:
    return Rule("pin-failures-client", ctx.settings.pin_failures_per_client)


def _attempts(ctx: AppContext, scope: str) -> Rule:
    # Counted atomically on every try (right or wrong), so a burst cannot slip past the failure counters.
    return per_minute(f"pin-attempts-{scope}", ctx.settings.lookup_rate_limit_per_minute)


def normalized(pin: str) -> bytes:
    """The PIN as comparable bytes: compatibility forms folded (full-width digits), spaces trimmed."""
    return unicodedata.normalize("NFKC", pin).strip().encode("utf-8", "replace")


async def find_by_pin(ctx: AppContext, tickets: Sequence[Ticket], pin: str | None, *, client: str) -> Ticket | None:
    """The ticket among `tickets` whose PIN is `pin`, or None; raises TooManyRequests when limited or locked.

    Every try is counted as a failure first, atomically (per client and per ticket, in Redis when configured),
    and given back only when the PIN was right: parallel guesses spread over processes cannot all pass a check
    made before any of them is counted. A locked ticket never matches, even with the right PIN, until its
    failures age out of the window.
    """
    given = normalized(pin) if pin is not None else b""
    if not given or not tickets:
        return None
    limits = ctx.rate_limits
    await limits.hit(_attempts(ctx, "client"), client, TOO_FAST)
    await limits.hit(_failures_per_client(ctx), client, CLIENT_LOCKED)
    open_tickets: list[Ticket] = []
    refusal: TooManyRequests | None = None
    for ticket in tickets:
        try:
            await limits.hit(_attempts(ctx, "ticket"), str(ticket.id), TOO_FAST)
            await limits.hit(_failures_per_ticket(ctx), str(ticket.id), LOCKED)
        except TooManyRequests as exc:
            refusal = refusal or exc
            continue
        open_tickets.append(ticket)
    if not open_tickets and refusal is not None:
        await limits.take_back(_failures_per_client(ctx), client)  # a refusal is not a guess
        raise refusal
    for ticket in open_tickets:
        if hmac.compare_digest(given, ticket.pin.encode()):
            for counted in open_tickets:
                await limits.take_back(_failures_per_ticket(ctx), str(counted.id))
            await limits.take_back(_failures_per_client(ctx), client)
            return ticket
    return None


async def verify_pin(ctx: AppContext, ticket: Ticket, pin: str | None, *, client: str) -> bool:
    """Whether `pin` is the ticket's PIN (False when wrong or absent); raises TooManyRequests when limited."""
    return await find_by_pin(ctx, [ticket], pin, client=client) is not None
