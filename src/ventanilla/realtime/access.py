"""Who may hear a ticket's live chat on a socket: the REST routes' ownership rule, applied to what a socket proves.

A socket proves what it carried when it connected (an account by `auth.token` or the login cookie, a PIN lookup's
cookie) and the chat sessions whose room it joined with their id (the browser's secret UUID, as
`X-Chat-Session-Id` is on REST). Both widgets open the live-chat room socket with nothing at all (`io(url)`, no
auth, no credentials on polling), so that socket stands on what the same browser's bot socket proved: a socket
from the same client address (behind `VENTANILLA_TRUSTED_PROXIES`, the forwarded one) that is in the ticket's
chat-session room, or is logged in as the ticket's citizen. See docs/security.md, "Live-chat rooms".
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.context import AppContext
from ventanilla.domain import Rol
from ventanilla.entities.models import Entity
from ventanilla.realtime import rooms
from ventanilla.realtime.presence import Presence
from ventanilla.tickets import auth as ticket_auth
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.service import citizen_owns
from ventanilla.users import repository as users_repo

UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True, slots=True)
class SocketProofs:
    """What one socket proved: its account, the web chat sessions it joined (entity id, `web:` key), its
    handshake cookies and the client address it comes from."""

    address: str
    user_id: int | None = None
    sessions: tuple[tuple[int, str], ...] = ()
    cookies: Mapping[str, str] = field(default_factory=dict)


async def proves(
    ctx: AppContext, db: AsyncSession, presence: Presence, ticket: Ticket, owner: Entity, proofs: SocketProofs
) -> bool:
    """Whether the socket, or another socket of its browser, owns the ticket by `tickets.service.citizen_owns`
    (its citizen's account, staff of its entity, the web chat session that filed it), is a super admin, or holds
    the ticket's PIN-lookup cookie."""
    user = await users_repo.get(db, proofs.user_id) if proofs.user_id is not None else None
    if user is not None and (
        user.rol == Rol.SUPER_ADMIN or citizen_owns(ticket, user=user, session_key=None, entity=None)
    ):
        return True
    if user is not None and user.is_staff:
        return False  # staff of another entity: never through the browser's other sockets
    for entity_id, key in proofs.sessions:
        if entity_id == owner.id and citizen_owns(ticket, user=None, session_key=key, entity=owner):
            return True
    if ticket_auth.lookup_cookie_valid(ctx, ticket, proofs.cookies.get(ticket_auth.lookup_cookie_name(ticket.id))):
        return True
    return await sibling_proves(presence, ticket, owner, proofs.address)


async def sibling_proves(presence: Presence, ticket: Ticket, owner: Entity, address: str) -> bool:
    """Whether a socket from this client address proved the ticket's web chat session (it is in that session's room)
    or its citizen's account (it connected logged in as the ticket's citizen)."""
    if address == UNKNOWN_ADDRESS:
        return False
    key = ticket.chat_session_key
    # Only a web key passes `citizen_owns` here (channel check): a WhatsApp conversation has no browser.
    if (
        key
        and citizen_owns(ticket, user=None, session_key=key, entity=owner)
        and address in (await presence.attendees(rooms.session_room(owner.id, key))).values()
    ):
        return True
    if ticket.citizen_id is not None:
        # The account the other socket proved is the ticket's citizen: `citizen_owns`' first clause.
        return address in (await presence.attendees(rooms.citizen_presence(ticket.citizen_id))).values()
    return False


async def sibling_within(presence: Presence, ticket: Ticket, owner: Entity, address: str, seconds: float) -> bool:
    """`sibling_proves`, waiting up to `seconds` for the bot socket's join still on its way (it is sent before the
    request whose answer makes the widget open the room socket, but over another connection)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        await asyncio.sleep(0.1)
        if await sibling_proves(presence, ticket, owner, address):
            return True
    return False
