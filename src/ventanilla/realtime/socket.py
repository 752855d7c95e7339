"""Socket.IO transport: identify sockets, put agents in their panel room, let clients join chat rooms."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from ventanilla.context import AppContext
from ventanilla.entities import repository as entities_repo
from ventanilla.realtime import rooms
from ventanilla.realtime.presence import Presence
from ventanilla.tickets import repository as tickets_repo
from ventanilla.users import service as users

log = logging.getLogger(__name__)

AgentHook = Callable[[int, int], Awaitable[None]]
MAX_FAILED_JOINS = 20


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def _query(environ: dict[str, Any], name: str) -> str | None:
    values = parse_qs(environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def register(ctx: AppContext, presence: Presence) -> None:
    """Attach the connection and room handlers to the Socket.IO server."""
    sio = ctx.sio
    online_hooks: list[AgentHook] = ctx.agent_online_hooks

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        auth = auth if isinstance(auth, dict) else {}
        token = auth.get("token") if isinstance(auth.get("token"), str) else None
        token = token or _cookie(environ, ctx.settings.session_cookie_name)
        entity_token = auth.get("entityToken") or _query(environ, "entityToken") or _query(environ, "token")
        session: dict[str, Any] = {}
        async with ctx.sessions() as db:
            user = await users.user_from_token(db, ctx.signer, token, ctx.settings.token_max_age_seconds)
            if isinstance(entity_token, str) and entity_token:
                entity = await entities_repo.by_token(db, entity_token)
                if entity is not None:
                    session["entity_id"] = entity.id
        if user is not None:
            session["user_id"] = user.id
            if user.is_staff and user.entity_id is not None:
                session["staff_entity_id"] = user.entity_id
                session.setdefault("entity_id", user.entity_id)
        await sio.save_session(sid, session)
        if "staff_entity_id" in session:
            entity_id, user_id = session["staff_entity_id"], session["user_id"]
            await sio.enter_room(sid, rooms.panel_room(entity_id))
            await presence.add(entity_id, user_id, sid)
            for hook in online_hooks:
                try:
                    await hook(entity_id, user_id)
                except Exception:
                    log.exception("agent-online hook failed")
        return True

    async def disconnect(sid: str, *args: Any) -> None:
        session = await sio.get_session(sid)
        if "staff_entity_id" in session:
            entity_id, user_id = session["staff_entity_id"], session["user_id"]
            await presence.remove(entity_id, user_id, sid)

    async def _room_for(sid: str, data: Any) -> str | dict[str, str]:
        raw = data.get("room") if isinstance(data, dict) else data
        if not isinstance(raw, str) or not raw:
            return {"error": "Falta el nombre de la sala."}
        ticket_ref = rooms.parse_ticket_room(raw)
        if ticket_ref is not None:
            tipo, ticket_id = ticket_ref
            async with ctx.sessions() as db:
                ticket = await tickets_repo.get(db, ticket_id)
            staff_of = (await sio.get_session(sid)).get("staff_entity_id")
            # The widget's room socket carries no credentials (the frontend's design): the unguessable ticket id
            # is the capability. Sockets that do say who they are only get their own entity's rooms.
            if ticket is None or ticket.tipo != tipo or (staff_of is not None and staff_of != ticket.entity_id):
                return {"error": "No existe esa conversación."}
            return rooms.ticket_room(tipo, ticket_id)
        session = await sio.get_session(sid)
        entity_id = session.get("entity_id")
        if entity_id is None or not rooms.valid_session_key(raw):
            return {"error": "Sala inválida."}
        return rooms.session_room(int(entity_id), raw)

    async def join(sid: str, data: Any = None) -> dict[str, Any]:
        room = await _room_for(sid, data)
        if isinstance(room, dict):
            session = await sio.get_session(sid)
            session["failed_joins"] = session.get("failed_joins", 0) + 1
            if session["failed_joins"] > MAX_FAILED_JOINS:
                # Nobody legitimate guesses rooms; cut enumeration short.
                await sio.disconnect(sid)
            return {"ok": False, **room}
        await sio.enter_room(sid, room)
        return {"ok": True}

    async def leave(sid: str, data: Any = None) -> dict[str, Any]:
        room = await _room_for(sid, data)
        if isinstance(room, dict):
            return {"ok": False, **room}
        await sio.leave_room(sid, room)
        return {"ok": True}

    for handler in (connect, disconnect, join, leave):
        sio.on(handler.__name__, handler)
