"""Who may read and act on a ticket as its citizen: one rule (`service.citizen_owns`) behind every route.

A caller is its account, the web chat session the server checked (`X-Chat-Session-Id`, a UUID in the `web:`
namespace) and the entity its token names; a PIN, or the signed cookie a PIN lookup leaves, lets a browser
read one ticket. Nothing here trusts a string the client chose to name a conversation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from ventanilla.context import AppContext
from ventanilla.entities.models import Entity
from ventanilla.errors import Forbidden, NotFound
from ventanilla.tickets import pins, service
from ventanilla.tickets.models import Ticket
from ventanilla.users.models import User
from ventanilla.web import Ctx, OptionalEntity, OptionalUser, TicketId, UoW, WebSession, client_of

LOOKUP_PURPOSE = "pin-lookup"
LOOKUP_COOKIE_SECONDS = 30 * 60
LOOKUP_COOKIE_PREFIX = "ventanilla_pin_"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking: their account, their web chat session (server-checked key) and the entity they name."""

    user: User | None
    session_key: str | None
    entity: Entity | None

    def owns(self, ticket: Ticket) -> bool:
        """The ticket's citizen (account or the session that filed it), staff of its entity, or a super admin."""
        return service.citizen_owns(ticket, user=self.user, session_key=self.session_key, entity=self.entity) or (
            self.user is not None and self.user.rol == "super_admin"
        )

    @property
    def is_staff(self) -> bool:
        """Whether the caller is logged in as staff."""
        return self.user is not None and self.user.is_staff


async def caller(user: OptionalUser, entity: OptionalEntity, session_key: WebSession) -> Caller:
    """The request's caller."""
    return Caller(user=user, session_key=session_key, entity=entity)


CurrentCaller = Annotated[Caller, Depends(caller)]


def lookup_cookie_name(ticket_id: int) -> str:
    """The cookie that lets one browser keep reading one ticket after a successful PIN lookup."""
    return f"{LOOKUP_COOKIE_PREFIX}{ticket_id}"


def grant_lookup(response: Response, ctx: AppContext, ticket: Ticket) -> None:
    """After the PIN matched: a short-lived, signed, HttpOnly cookie valid for this ticket only.

    The lookup page of `63f867f1` asks for the ticket's timeline and messages without the PIN.
    """
    response.set_cookie(
        lookup_cookie_name(ticket.id),
        ctx.signer.sign(LOOKUP_PURPOSE, {"t": ticket.id, "p": ctx.signer.short_mac(LOOKUP_PURPOSE, ticket.pin)}),
        max_age=LOOKUP_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.session_cookie_secure,
        path="/",
    )


def lookup_granted(request: Request, ctx: AppContext, ticket: Ticket) -> bool:
    """Whether this browser looked this ticket up with its PIN recently (and the PIN has not changed since)."""
    return lookup_cookie_valid(ctx, ticket, request.cookies.get(lookup_cookie_name(ticket.id)))


def lookup_cookie_valid(ctx: AppContext, ticket: Ticket, raw: str | None) -> bool:
    """Whether a PIN-lookup cookie's value grants this ticket (HTTP requests and socket handshakes alike)."""
    if not raw:
        return False
    payload = ctx.signer.unsign(LOOKUP_PURPOSE, raw, max_age=LOOKUP_COOKIE_SECONDS)
    return (
        isinstance(payload, dict)
        and payload.get("t") == ticket.id
        and secrets.compare_digest(str(payload.get("p")), ctx.signer.short_mac(LOOKUP_PURPOSE, ticket.pin))
    )


@dataclass(frozen=True, slots=True)
class View:
    """A ticket the caller may use, its entity, and whether only its PIN (or PIN cookie) let the caller in."""

    owner: Entity
    ticket: Ticket
    by_pin: bool
    staff: bool = False  # the caller is logged in as staff (of this entity, or with the PIN)


async def authorize(
    request: Request, ctx: AppContext, who: Caller, ticket: Ticket, owner: Entity, pin: str | None
) -> View:
    """The ticket if the caller owns it, or proves knowing it (its PIN, or the cookie a PIN lookup left)."""
    allowed = who.owns(ticket)
    by_pin = False
    if not allowed and pin is not None:
        by_pin = allowed = await pins.verify_pin(ctx, ticket, pin, client=client_of(request))
    if not allowed and pin is None:
        # Only for calls without a PIN (what the reference lookup page sends): a wrong PIN stays wrong.
        by_pin = allowed = lookup_granted(request, ctx, ticket)
    if not allowed:
        if who.is_staff:
            raise NotFound("No existe ese reclamo.")
        raise Forbidden("No tenés acceso a este reclamo.")
    return View(owner, ticket, by_pin, staff=who.is_staff)


async def _load(uow: UoW, ticket_id: int) -> tuple[Ticket, Entity]:
    return await service.with_entity(uow.session, ticket_id)


async def readable_ticket(
    ticket_id: TicketId,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    who: CurrentCaller,
    pin: Annotated[str | None, Query(max_length=12)] = None,
) -> View:
    """A ticket the caller may read: its citizen, staff of its entity, or someone with its PIN."""
    ticket, owner = await _load(uow, ticket_id)
    return await authorize(request, ctx, who, ticket, owner, pin)


ReadableTicket = Annotated[View, Depends(readable_ticket)]


async def citizen_ticket(ticket_id: TicketId, request: Request, ctx: Ctx, uow: UoW, who: CurrentCaller) -> View:
    """A ticket the caller may write on as its citizen (no PIN in the query: only the lookup cookie stands for it)."""
    ticket, owner = await _load(uow, ticket_id)
    return await authorize(request, ctx, who, ticket, owner, None)


CitizenTicket = Annotated[View, Depends(citizen_ticket)]


async def known_ticket(
    ticket_id: TicketId,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    who: CurrentCaller,
    pin: Annotated[str | None, Query(max_length=12)] = None,
) -> View:
    """Like `ReadableTicket`, but to anyone else the ticket does not exist (404, never 403): for requests whose
    answer must tell nothing about a ticket."""
    ticket, owner = await _load(uow, ticket_id)
    try:
        return await authorize(request, ctx, who, ticket, owner, pin)
    except Forbidden:
        raise NotFound("No existe ese reclamo.") from None


KnownTicket = Annotated[View, Depends(known_ticket)]
