"""Chat-session keys: one namespace per channel, and only the widget's UUID makes a web key."""

from __future__ import annotations

import pytest

from ventanilla.chat import keys
from ventanilla.domain import Channel
from ventanilla.realtime import rooms

UUID = "0b8a4a36-5c4c-4f43-9a0e-0c3f0a4b6f11"


def test_a_web_key_is_the_widgets_uuid_in_the_web_namespace() -> None:
    assert keys.web(UUID) == f"web:{UUID}"
    assert keys.web(UUID.upper()) == f"web:{UUID}"
    assert keys.channel_of(keys.web(UUID)) == Channel.WEB


@pytest.mark.parametrize(
    "raw",
    [
        "wa-5492611234567",
        "whatsapp:5492611234567",
        "5492611234567",
        f"web:{UUID}",
        f"{UUID}-wa-1",
        f"wa-{UUID}",
        UUID.replace("-", ""),
        f"server-generated-{UUID}",
        "",
        "sesión-ñ",
    ],
)
def test_anything_else_is_no_web_session(raw: str) -> None:
    with pytest.raises(keys.InvalidSessionId):
        keys.web(raw)
    assert rooms.web_session_room(1, raw) is None


def test_channels_never_share_a_key() -> None:
    wa = keys.whatsapp("5492611234567")
    assert wa == "whatsapp:5492611234567" and keys.channel_of(wa) == Channel.WHATSAPP
    assert keys.whatsapp_number(wa) == "5492611234567"
    assert keys.whatsapp_number(keys.web(UUID)) is None
    # Keys of no namespace (what the old storage held) name no channel at all.
    assert keys.channel_of("wa-5492611234567") is None and keys.channel_of(UUID) is None
    assert keys.channel_of(None) is None and keys.channel_of("web:not-a-uuid") is None


def test_a_browser_joins_only_its_own_web_session_room() -> None:
    assert rooms.web_session_room(7, UUID) == rooms.session_room(7, f"web:{UUID}")
    assert rooms.web_session_room(7, "wa-5492611234567") is None
