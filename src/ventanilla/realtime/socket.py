"""Socket.IO transport: identify sockets, put agents in their panel room, let clients join chat rooms."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import socketio
from starlette.types import Message, Receive, Scope, Send

from ventanilla.context import AppContext
from ventanilla.entities import repository as entities_repo
from ventanilla.realtime import rooms
from ventanilla.realtime.presence import Presence
from ventanilla.tickets import repository as tickets_repo
from ventanilla.users import service as users

log = logging.getLogger(__name__)

AgentHook = Callable[[int, int], Awaitable[None]]
MAX_FAILED_JOINS = 20
_ENGINEIO_TYPES = frozenset("0123456")


class Server(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server, logging client faults in one line and our own faults with their traceback."""

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:
            # Handlers cannot get here (see _trigger_event): this is a packet that does not decode.
            log.warning("malformed Socket.IO packet refused (%s: %s)", type(exc).__name__, exc)

    async def _trigger_event(self, event: str, namespace: str, *args: Any) -> Any:
        try:
            return await super()._trigger_event(event, namespace, *args)
        except Exception:
            log.exception("Socket.IO handler %r failed", event)
            return False if event == "connect" else None


class App(socketio.ASGIApp):  # type: ignore[misc]
    """The ASGI app, closing a websocket whose frame is not an Engine.IO packet with one log line.

    python-engineio decodes those frames outside any handler: they would end in a traceback.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await super().__call__(scope, receive, send)
            return

        async def checked() -> Message:
            message = await receive()
            text = message.get("text") if message["type"] == "websocket.receive" else None
            if text is not None and (not text or text[0] not in _ENGINEIO_TYPES):
                client = scope.get("client") or ("?", 0)
                log.warning("malformed Engine.IO frame from %s refused; closing", client[0])
                return {"type": "websocket.disconnect", "code": 1002}
            return message

        await super().__call__(scope, checked, send)


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
    online_hooks: list[AgentHook] = ctx.services.setdefault("agent_online_hooks", [])

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

    def connected(sid: str) -> bool:
        return bool(sio.manager.is_connected(sid, "/"))

    async def session_of(sid: str) -> dict[str, Any]:
        """The socket's session; empty once it disconnected (frames queued before still run)."""
        try:
            session: dict[str, Any] = await sio.get_session(sid)
        except KeyError:
            return {}
        return session

    async def _room_for(sid: str, data: Any) -> str | dict[str, str]:
        raw = data.get("room") if isinstance(data, dict) else data
        if not connected(sid):
            return {"error": "La conexión se cerró."}
        if not isinstance(raw, str) or not raw:
            return {"error": "Falta el nombre de la sala."}
        ticket_ref = rooms.parse_ticket_room(raw)
        if ticket_ref is not None:
            tipo, ticket_id = ticket_ref
            async with ctx.sessions() as db:
                ticket = await tickets_repo.get(db, ticket_id)
            staff_of = (await session_of(sid)).get("staff_entity_id")
            # The widget's room socket carries no credentials (the frontend's design): the unguessable ticket id
            # is the capability. Sockets that do say who they are only get their own entity's rooms.
            if ticket is None or ticket.tipo != tipo or (staff_of is not None and staff_of != ticket.entity_id):
                return {"error": "No existe esa conversación."}
            return rooms.ticket_room(tipo, ticket_id)
        session = await session_of(sid)
        entity_id = session.get("entity_id")
        if entity_id is None or not rooms.valid_session_key(raw):
            return {"error": "Sala inválida."}
        return rooms.session_room(int(entity_id), raw)


    gone = {"ok": False, "error": "La conexión se cerró."}

    async def join(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        # Frames queued before a disconnect still arrive here: answer them quietly, touch no session.
        if not connected(sid):
            return gone
        room = await _room_for(sid, data)
        if not connected(sid):
            return gone
        if isinstance(room, dict):
            session = await session_of(sid)
            session["failed_joins"] = session.get("failed_joins", 0) + 1
            if session["failed_joins"] > MAX_FAILED_JOINS:
                # Nobody legitimate guesses rooms; cut enumeration short.
                log.info("socket %s disconnected after %d failed room joins", sid, session["failed_joins"])
                await sio.disconnect(sid)
            return {"ok": False, **room}
        await sio.enter_room(sid, room)
        return {"ok": True}

    async def leave(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        if not connected(sid):
            return gone
        room = await _room_for(sid, data)
        if not connected(sid):
            return gone
        if isinstance(room, dict):
            return {"ok": False, **room}
        await sio.leave_room(sid, room)
        return {"ok": True}

    for handler in (connect, disconnect, join, leave):
        sio.on(handler.__name__, handler)
