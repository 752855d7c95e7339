"""The one ownership rule: account, staff of the entity, or the same channel's session in the same entity."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ventanilla.chat import keys
from ventanilla.tickets.service import citizen_owns

UUID = "0b8a4a36-5c4c-4f43-9a0e-0c3f0a4b6f11"


def ticket(channel: str, key: str | None, entity_id: int = 1, citizen_id: int | None = None) -> Any:
    return SimpleNamespace(channel=channel, chat_session_key=key, entity_id=entity_id, citizen_id=citizen_id)


def owns(t: Any, key: str | None = None, user: Any = None, entity_id: int | None = None) -> bool:
    entity = SimpleNamespace(id=entity_id) if entity_id is not None else None
    return bool(citizen_owns(t, user=user, session_key=key, entity=entity))


def test_a_session_owns_only_its_channels_ticket_in_its_entity() -> None:
    web, wa = keys.web(UUID), keys.whatsapp("5492611234567")
    assert owns(ticket("web", web), web) and owns(ticket("web", web), web, entity_id=1)
    assert not owns(ticket("web", web), web, entity_id=2)
    assert owns(ticket("whatsapp", wa), wa)  # the WhatsApp bot's own turns
    assert not owns(ticket("whatsapp", wa), web)
    # Even a stored key that looks like another channel's is owned by nobody else's channel.
    assert not owns(ticket("whatsapp", web), web) and not owns(ticket("web", wa), wa)
    # Keys of no namespace (never built by the server) own nothing.
    assert not owns(ticket("whatsapp", "wa-5492611234567"), "wa-5492611234567")
    assert not owns(ticket("web", None), None)


def test_accounts_and_staff() -> None:
    citizen = SimpleNamespace(id=7, is_staff=False, entity_id=1)
    agent = SimpleNamespace(id=8, is_staff=True, entity_id=1)
    other_agent = SimpleNamespace(id=9, is_staff=True, entity_id=2)
    t = ticket("whatsapp", keys.whatsapp("1"), citizen_id=7)
    assert owns(t, user=citizen) and owns(t, user=agent) and not owns(t, user=other_agent)
