"""Every Socket.IO room name is built here."""

from __future__ import annotations

import re
from enum import StrEnum

from ventanilla.chat import keys

TIPOS = ("municipio", "pyme")
_TICKET_ROOM = re.compile(r"^ticket_(municipio|pyme)_(\d{1,16})$")
_CONVERSATION_ROOM = re.compile(r"^ticket-(municipio|pyme)-(\d{1,16})$")


def ticket_room(tipo: str, ticket_id: int) -> str:
    """The live-chat room the widget joins: `ticket_{tipo}_{id}`."""
    return f"ticket_{tipo}_{ticket_id}"


def parse_ticket_room(room: str) -> tuple[str, int] | None:
    """(tipo, ticket id) of a ticket room name, or None."""
    match = _TICKET_ROOM.match(room)
    return (match.group(1), int(match.group(2))) if match else None


def conversation_room(tipo: str, ticket_id: int) -> str:
    """The newest panel's room for the conversation an agent has open: `ticket-{tipo}-{id}`."""
    return f"ticket-{tipo}-{ticket_id}"


def parse_conversation_room(room: str) -> tuple[str, int] | None:
    """(tipo, ticket id) of a panel conversation room name, or None."""
    match = _CONVERSATION_ROOM.match(room)
    return (match.group(1), int(match.group(2))) if match else None


def panel_room(entity_id: int) -> str:
    """Where an entity's agents hear `new_ticket` / `new_comment` (never joinable by clients)."""
    return f"panel:{entity_id}"


class PanelVersion(StrEnum):
    """Which agent panel a socket is: they read `new_comment` differently (docs/live-chat.md)."""

    REFERENCE = "63f867f1"  # no auth, no join: identified by the login cookie
    NEWEST = "985c1f40"  # auth {token}, subscribe_ticket_updates, joins ticket-{tipo}-{id}


def panel_version_room(entity_id: int, version: PanelVersion) -> str:
    """The entity's agents of one panel version (never joinable by clients)."""
    return f"panel:{entity_id}:{version.value}"


def citizen_presence(user_id: int) -> str:
    """Where `Presence` keeps the sockets logged in as one citizen (a presence key, not a Socket.IO room)."""
    return f"citizen:{user_id}"


def session_room(entity_id: int, session_key: str) -> str:
    """The widget bot socket's room for one chat session (a namespaced key, see `chat.keys`) in one entity."""
    return f"session:{entity_id}:{session_key}"


def valid_session_key(raw: str) -> bool:
    """Whether a room name a client sends is a browser's chat-session id (the UUID the widgets generate)."""
    try:
        keys.web(raw)
    except keys.InvalidSessionId:
        return False
    return True


def web_session_room(entity_id: int, raw: str) -> str | None:
    """The session room a browser may join with its chat-session id, or None for anything but that UUID.

    The room is the one of the `web:` key, so no name a client sends reaches a WhatsApp conversation's room.
    """
    return session_room(entity_id, keys.web(raw)) if valid_session_key(raw) else None
