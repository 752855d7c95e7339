"""Socket.IO transport: identify sockets, put agents in their panel room, let clients join chat rooms."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import socketio
from starlette.types import Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ventanilla.chat import keys
from ventanilla.context import AppContext
from ventanilla.entities import service as entities
from ventanilla.errors import Conflict
from ventanilla.realtime import access, replay, rooms
from ventanilla.realtime.caps import SocketCap
from ventanilla.realtime.presence import Presence
from ventanilla.tickets import service as tickets
from ventanilla.tickets.auth import LOOKUP_COOKIE_PREFIX
from ventanilla.users import service as users
from ventanilla.users.models import User

log = logging.getLogger(__name__)

AgentHook = Callable[[int, int], Awaitable[None]]
MAX_FAILED_JOINS = 20
# How long a ticket-room join without proof waits for its browser's bot socket to prove the chat session.
JOIN_PROOF_GRACE_SECONDS = 1.5
NO_ACCESS = "No tenés acceso a esa conversación."
_ENGINEIO_TYPES = frozenset("0123456")


TOO_MANY_SOCKETS = "Demasiadas conexiones abiertas desde esta dirección."


class Server(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server, logging client faults in one line and our own faults with their traceback.

    With a `socket_cap`, an address over its cap of open connections is refused at the Engine.IO handshake
    (HTTP 401 with a message, before any Socket.IO state exists).
    """

    socket_cap: SocketCap | None = None

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        cap = self.socket_cap
        if cap is not None and not await cap.admit(_address(environ), eio_sid):
            log.warning("socket refused: %s is at its cap of open connections", _address(environ))
            return TOO_MANY_SOCKETS
        return await super()._handle_eio_connect(eio_sid, environ)

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any = None) -> None:
        environ = self.environ.get(eio_sid)
        try:
            await super()._handle_eio_disconnect(eio_sid, reason)
        finally:
            if self.socket_cap is not None and environ is not None:
                await self.socket_cap.release(_address(environ), eio_sid)

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

    python-engineio decodes those frames outside any handler: they would end in a traceback. With
    `trust_proxies`, the client address and scheme come from X-Forwarded-* when the peer is one of them.
    """

    _entry: Any = None

    def trust_proxies(self, proxies: list[str]) -> None:
        """Believe X-Forwarded-For/-Proto from these peers only (addresses or networks)."""
        self._entry = ProxyHeadersMiddleware(self._serve, trusted_hosts=proxies)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await (self._entry or self._serve)(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not (scope["path"] + "/").startswith(self.engineio_path):
            await self.other_asgi_app(scope, receive, send)  # the HTTP API: no Engine.IO dispatch on the way
            return
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


def _address(environ: dict[str, Any]) -> str:
    """The client address of the connection (python-engineio's REMOTE_ADDR is a constant under ASGI): the peer, or
    what a configured trusted proxy forwarded (`App.trust_proxies` rewrites the scope's client)."""
    client = (environ.get("asgi.scope") or {}).get("client")
    return str(client[0]) if client else access.UNKNOWN_ADDRESS


def _cookies(environ: dict[str, Any]) -> dict[str, str]:
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    return _cookies(environ).get(name)


def _query(environ: dict[str, Any], name: str) -> str | None:
    values = parse_qs(environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def browser_of(environ: dict[str, Any]) -> str:
    """The address a socket comes from: a widget's bot socket and its ticket-room socket share it (the room socket
    carries no credentials, so nothing else ties the two together). `X-Forwarded-For` counts only from a configured
    trusted proxy: a client cannot pose as another browser's address."""
    return _address(environ)[:64]


def register(ctx: AppContext, presence: Presence) -> None:
    """Attach the connection and room handlers to the Socket.IO server."""
    sio = ctx.sio
    online_hooks: list[AgentHook] = ctx.agent_online_hooks

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        auth = auth if isinstance(auth, dict) else {}
        token = auth.get("token") if isinstance(auth.get("token"), str) else None
        token = token or _cookie(environ, ctx.settings.session_cookie_name)
        entity_token = auth.get("entityToken") or _query(environ, "entityToken") or _query(environ, "token")
        slug = auth.get("tenantSlug") or _query(environ, "tenant_slug") or _query(environ, "tenant")
        session: dict[str, Any] = {"browser": browser_of(environ)}
        pin_cookies = {k: v for k, v in _cookies(environ).items() if k.startswith(LOOKUP_COOKIE_PREFIX)}
        if pin_cookies:
            session["cookies"] = dict(list(pin_cookies.items())[:20])
        async with ctx.sessions() as db:
            user = await users.user_from_token(db, ctx.signer, token, ctx.settings.token_max_age_seconds)
            try:
                hint = await entities.named(
                    db,
                    token=entity_token if isinstance(entity_token, str) else None,
                    slug=slug[:64] if isinstance(slug, str) else None,
                )
            except Conflict as exc:
                raise socketio.exceptions.ConnectionRefusedError(exc.message) from exc
        named = hint.entity
        if named is not None:
            session["entity_id"] = named.id
        await sio.save_session(sid, session)
        if user is not None:
            # Only the newest panel sends `auth.token`; the reference one is known by its cookie alone.
            newest = isinstance(auth.get("token"), str) and bool(auth.get("token"))
            await _identify(sid, user, rooms.PanelVersion.NEWEST if newest else rooms.PanelVersion.REFERENCE)
        return True

    async def _identify(sid: str, user: User, version: rooms.PanelVersion) -> None:
        """Remember who the socket is; staff join their entity's panel rooms and count as online."""
        session = await sio.get_session(sid)
        if session.get("user_id") == user.id:
            await _panel_version(sid, version)
            return
        session["user_id"] = user.id
        if not user.is_staff:
            # A logged-in citizen's widget: its live-chat room socket (no credentials) stands on this one.
            room = rooms.citizen_presence(user.id)
            session.setdefault("widget_rooms", []).append(room)
            await presence.attend(room, sid, str(session.get("browser", access.UNKNOWN_ADDRESS)))
            return
        if user.entity_id is None:
            return
        session["staff_entity_id"] = user.entity_id
        session.setdefault("entity_id", user.entity_id)
        await sio.enter_room(sid, rooms.panel_room(user.entity_id))
        await _panel_version(sid, version)
        await presence.add(user.entity_id, user.id, sid)
        for hook in online_hooks:
            try:
                await hook(user.entity_id, user.id)
            except Exception:
                log.exception("agent-online hook failed")

    async def _panel_version(sid: str, version: rooms.PanelVersion) -> None:
        """Put a staff socket in its panel version's room; a socket that acts as the newest panel becomes one."""
        session = await sio.get_session(sid)
        entity_id = session.get("staff_entity_id")
        current = session.get("panel_version")
        if entity_id is None or current == version.value or current == rooms.PanelVersion.NEWEST.value:
            return
        if current is not None:
            await sio.leave_room(sid, rooms.panel_version_room(entity_id, rooms.PanelVersion(current)))
        session["panel_version"] = version.value
        await sio.enter_room(sid, rooms.panel_version_room(entity_id, version))

    async def subscribe_ticket_updates(sid: str, data: Any = None) -> dict[str, Any]:
        """The newest panel names itself with its token after connecting; already-known sockets just say ok."""
        token = data.get("token") if isinstance(data, dict) else None
        if isinstance(token, str) and token:
            async with ctx.sessions() as db:
                user = await users.user_from_token(db, ctx.signer, token, ctx.settings.token_max_age_seconds)
            if user is not None:
                await _identify(sid, user, rooms.PanelVersion.NEWEST)
        session = await sio.get_session(sid)
        if "staff_entity_id" not in session:
            return {"ok": False, "error": "Iniciá sesión como agente para recibir novedades de los reclamos."}
        await _panel_version(sid, rooms.PanelVersion.NEWEST)
        return {"ok": True}

    async def disconnect(sid: str, *args: Any) -> None:
        session = await sio.get_session(sid)
        if "staff_entity_id" in session:
            entity_id, user_id = session["staff_entity_id"], session["user_id"]
            await presence.remove(entity_id, user_id, sid)
            for ticket_id in session.get("viewing", ()):
                await presence.unview(ticket_id, user_id, sid)
        for room in session.get("widget_rooms", ()):
            await presence.absent(room, sid)

    async def _conversation(sid: str, raw: str, entering: bool) -> dict[str, Any] | None:
        """Join or leave `ticket-{tipo}-{id}`: only an agent of the ticket's entity may; None when not such a name."""
        ref = rooms.parse_conversation_room(raw)
        if ref is None:
            return None
        tipo, ticket_id = ref
        session = await sio.get_session(sid)
        staff_of = session.get("staff_entity_id")
        async with ctx.sessions() as db:
            ticket = await tickets.find(db, ticket_id) if staff_of is not None else None
        # The panel's path tipo is not checked (it asks for municipio rooms of pyme tickets, as in its REST calls).
        if ticket is None or ticket.entity_id != staff_of:
            return {"ok": False, "error": "No existe esa conversación."}
        room = rooms.conversation_room(tipo, ticket_id)
        viewing: list[int] = session.setdefault("viewing", [])
        await _panel_version(sid, rooms.PanelVersion.NEWEST)
        if entering:
            await sio.enter_room(sid, room)
            await presence.view(ticket_id, session["user_id"], sid)
            if ticket_id not in viewing:
                viewing.append(ticket_id)
        else:
            await sio.leave_room(sid, room)
            await presence.unview(ticket_id, session["user_id"], sid)
            if ticket_id in viewing:
                viewing.remove(ticket_id)
        return {"ok": True}

    def connected(sid: str) -> bool:
        return bool(sio.manager.is_connected(sid, "/"))

    async def session_of(sid: str) -> dict[str, Any]:
        """The socket's session; empty once it disconnected (frames queued before still run)."""
        try:
            session: dict[str, Any] = await sio.get_session(sid)
        except KeyError:
            return {}
        return session

    async def _ticket_room(sid: str, tipo: str, ticket_id: int, checked: bool) -> str | dict[str, str]:
        """The ticket's live-chat room, if this socket (or its browser's other socket) owns the ticket."""
        if not checked:
            return rooms.ticket_room(tipo, ticket_id)
        session = await session_of(sid)
        proofs = access.SocketProofs(
            address=str(session.get("browser", access.UNKNOWN_ADDRESS)),
            user_id=session.get("user_id"),
            sessions=tuple(session.get("web_sessions", ())),
            cookies=session.get("cookies", {}),
        )
        async with ctx.sessions() as db:
            found = await tickets.find_with_entity(db, ticket_id)
            if found is not None and found[0].tipo != tipo:
                found = None
            allowed = found is not None and await access.proves(ctx, db, presence, *found, proofs)
        staff = "staff_entity_id" in session
        if found is None:
            if not staff:
                await asyncio.sleep(JOIN_PROOF_GRACE_SECONDS)  # a refusal takes as long whether the ticket exists
            return {"error": NO_ACCESS}
        if not allowed and not staff:
            allowed = await access.sibling_within(presence, *found, proofs.address, JOIN_PROOF_GRACE_SECONDS)
        if not allowed:
            log.info("socket %s refused ticket room %s (no proof of ownership from %s)", sid, ticket_id, proofs.address)
            return {"error": NO_ACCESS}
        return rooms.ticket_room(tipo, ticket_id)

    async def _room_for(sid: str, data: Any, checked: bool = True) -> str | dict[str, str]:
        raw = data.get("room") if isinstance(data, dict) else data
        if not connected(sid):
            return {"error": "La conexión se cerró."}
        if not isinstance(raw, str) or not raw:
            return {"error": "Falta el nombre de la sala."}
        ticket_ref = rooms.parse_ticket_room(raw)
        if ticket_ref is not None:
            return await _ticket_room(sid, *ticket_ref, checked=checked)
        session = await session_of(sid)
        entity_id = session.get("entity_id")
        if entity_id is None or (session_room := rooms.web_session_room(int(entity_id), raw)) is None:
            return {"error": "Sala inválida."}
        proven: list[tuple[int, str]] = session.setdefault("web_sessions", [])
        if checked and (int(entity_id), keys.web(raw)) not in proven and len(proven) < MAX_FAILED_JOINS:
            # Knowing the UUID is what proves the web chat session, here as with `X-Chat-Session-Id` on REST.
            proven.append((int(entity_id), keys.web(raw)))
        return session_room

    gone = {"ok": False, "error": "La conexión se cerró."}

    async def join(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        # Frames queued before a disconnect still arrive here: answer them quietly, touch no session.
        if not connected(sid):
            return gone
        raw = data.get("room") if isinstance(data, dict) else data
        joined = await _conversation(sid, raw, entering=True) if isinstance(raw, str) else None
        if joined is not None and joined["ok"]:
            return joined
        room = await _room_for(sid, data) if joined is None else {"error": str(joined["error"])}
        if not connected(sid):
            return gone
        if isinstance(room, dict):
            if isinstance(raw, str) and rooms.parse_ticket_room(raw) is not None:
                # The widgets' room sockets ask for no acknowledgement: tell them in an event.
                await sio.emit("join_error", {"room": raw, **room}, to=sid)
            session = await session_of(sid)
            session["failed_joins"] = session.get("failed_joins", 0) + 1
            if session["failed_joins"] > MAX_FAILED_JOINS:
                # Nobody legitimate guesses rooms; cut enumeration short.
                log.info("socket %s disconnected after %d failed room joins", sid, session["failed_joins"])
                await sio.disconnect(sid)
            return {"ok": False, **room}
        await sio.enter_room(sid, room)
        session = await session_of(sid)
        widget_rooms: list[str] = session.setdefault("widget_rooms", [])
        if room not in widget_rooms:
            widget_rooms.append(room)
        await presence.attend(room, sid, str(session.get("browser", access.UNKNOWN_ADDRESS)))
        await replay.on_ticket_room(ctx, sio, presence, sid, room, str(session.get("browser", access.UNKNOWN_ADDRESS)))
        return {"ok": True}

    async def leave(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        if not connected(sid):
            return gone
        raw = data.get("room") if isinstance(data, dict) else data
        left = await _conversation(sid, raw, entering=False) if isinstance(raw, str) else None
        if left is not None:
            return left
        room = await _room_for(sid, data, checked=False)  # leaving a room one is not in changes nothing
        if not connected(sid):
            return gone
        if isinstance(room, dict):
            return {"ok": False, **room}
        await sio.leave_room(sid, room)
        await presence.absent(room, sid)
        session = await session_of(sid)
        if room in session.get("widget_rooms", ()):
            session["widget_rooms"].remove(room)
        return {"ok": True}

    for handler in (connect, disconnect, join, leave, subscribe_ticket_updates):
        sio.on(handler.__name__, handler)
