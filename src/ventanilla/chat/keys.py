"""Chat-session keys: every channel names its conversations in its own namespace (`web:`, `whatsapp:`).

A key is built here from what the channel proves (a server-checked browser UUID, a number Meta signed for),
never taken from a client as is: no string a browser sends can name another channel's conversation.
"""

from __future__ import annotations

import re

from ventanilla.domain import Channel

WEB = "web:"
WHATSAPP = "whatsapp:"
# What both widgets send (`uuidv4()` of the `uuid` package): lower-case hex in 8-4-4-4-12 groups.
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class InvalidSessionId(ValueError):
    """A browser's chat session id that is not the UUID the widgets generate."""


def web(raw: str) -> str:
    """The key of a browser's chat session, from its `X-Chat-Session-Id` (a UUID; upper case is folded)."""
    value = raw.strip().lower()
    if not _UUID.match(value):
        raise InvalidSessionId(raw)
    return f"{WEB}{value}"


def whatsapp(wa_id: str) -> str:
    """The key of a WhatsApp number's conversation."""
    return f"{WHATSAPP}{wa_id}"


def channel_of(key: str | None) -> Channel | None:
    """The channel whose namespace a key is in (None for no key or a key of no namespace)."""
    if not key:
        return None
    if key.startswith(WEB) and _UUID.match(key[len(WEB) :]):
        return Channel.WEB
    if key.startswith(WHATSAPP) and len(key) > len(WHATSAPP):
        return Channel.WHATSAPP
    return None


def whatsapp_number(key: str | None) -> str | None:
    """The wa_id of a WhatsApp conversation's key, else None."""
    return key[len(WHATSAPP) :] if channel_of(key) == Channel.WHATSAPP and key else None
