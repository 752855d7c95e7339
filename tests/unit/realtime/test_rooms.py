"""Room names are built and parsed in one place."""

from __future__ import annotations

import pytest

from ventanilla.realtime import rooms


def test_ticket_room_round_trip() -> None:
    assert rooms.ticket_room("municipio", 123) == "ticket_municipio_123"
    assert rooms.parse_ticket_room("ticket_pyme_9007199254740991") == ("pyme", 9007199254740991)


@pytest.mark.parametrize("room", ["ticket_otro_1", "ticket_municipio_", "ticket_municipio_1x", "panel:1", "x"])
def test_not_ticket_rooms(room: str) -> None:
    assert rooms.parse_ticket_room(room) is None


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("0b8a4a36-5c4c-4f43-9a0e-0c3f0a4b6f11", True),
        ("abc", False),
        ("ticket_municipio_1", False),
        ("panel:1", False),
        ("a" * 129, False),
    ],
)
def test_session_keys(key: str, ok: bool) -> None:
    assert rooms.valid_session_key(key) is ok


def test_internal_rooms_cannot_collide_with_client_rooms() -> None:
    assert not rooms.valid_session_key(rooms.panel_room(1))
    assert rooms.parse_ticket_room(rooms.session_room(1, "abcdef")) is None
