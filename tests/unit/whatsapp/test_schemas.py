"""Cloud API wire shapes: webhook parsing, signatures, button ids, limits, statuses (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.fake_graph import Invalid, validate
from ventanilla.bot.engine import (
    REQUEST_AGENT_BUTTON,
    BotReply,
    BotSettings,
    Button,
    ButtonGroup,
    ConversationState,
    Incoming,
    respond,
)
from ventanilla.whatsapp import schemas

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SECRET = "app-secret"


def delivery(*values: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value} for value in values]}],
    }


def value(phone: str = "111", messages: list[Any] | None = None, statuses: list[Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5492610000000", "phone_number_id": phone},
        "contacts": [{"profile": {"name": "Ana Gómez"}, "wa_id": "5492615551234"}],
    }
    if messages is not None:
        out["messages"] = messages
    if statuses is not None:
        out["statuses"] = statuses
    return out


def msg(wamid: str, kind: str, part: dict[str, Any], sender: str = "5492615551234") -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": str(int(NOW.timestamp()) - 5), "type": kind, kind: part}


def test_signature_is_checked_on_the_raw_body() -> None:
    body = b'{"entry": []}'
    good = schemas.sign(SECRET, body)
    assert good.startswith("sha256=") and len(good) == 7 + 64
    assert schemas.check_signature(SECRET, body, good) == "ok"
    assert schemas.check_signature(SECRET, body + b" ", good) == "bad"
    assert schemas.check_signature("other", body, good) == "bad"
    assert schemas.check_signature(SECRET, body, "sha256=") == "bad"
    assert schemas.check_signature(SECRET, body, None) == "missing"
    assert schemas.check_signature(SECRET, body, "") == "missing"


def test_batched_delivery_yields_every_message_and_status() -> None:
    data = delivery(
        value(
            messages=[
                msg("wamid.1", "text", {"body": "Hola"}),
                msg(
                    "wamid.2",
                    "interactive",
                    {"type": "button_reply", "button_reply": {"id": "request_agent", "title": "Hablar"}},
                ),
            ],
            statuses=[{"id": "wamid.OUT1", "status": "read", "timestamp": "1", "recipient_id": "5492615551234"}],
        ),
        value(phone="222", messages=[msg("wamid.3", "location", {"latitude": -32.9, "longitude": -68.8})]),
    )
    events = schemas.parse_webhook(data, NOW)
    assert [(e.kind, e.wamid, e.status, e.phone_number_id) for e in events] == [
        ("message", "wamid.1", "", "111"),
        ("message", "wamid.2", "", "111"),
        ("status", "wamid.OUT1", "read", "111"),
        ("message", "wamid.3", "", "222"),
    ]
    assert events[0].payload["name"] == "Ana Gómez" and events[0].wa_id == "5492615551234"
    assert events[0].occurred_at == NOW - dt.timedelta(seconds=5)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "x",
        {"entry": "x"},
        {"entry": [{"changes": [{"value": {"metadata": {}}}]}]},
        {"entry": [{"changes": [{"field": "account_update", "value": {}}]}]},
        delivery(value(messages=[{"type": "text"}, "junk"], statuses=[{"id": "w", "status": "weird"}])),
    ],
)
def test_malformed_deliveries_yield_nothing(data: Any) -> None:
    assert schemas.parse_webhook(data, NOW) == []


def test_future_timestamps_are_clamped_to_now() -> None:
    future = msg("wamid.f", "text", {"body": "x"})
    future["timestamp"] = str(int(NOW.timestamp()) + 3600)
    (event,) = schemas.parse_webhook(delivery(value(messages=[future])), NOW)
    assert event.occurred_at == NOW


@pytest.mark.parametrize(
    ("kind", "part", "expected"),
    [
        ("text", {"body": "Hay un bache"}, {"text": "Hay un bache", "action": None}),
        (
            "interactive",
            {"type": "button_reply", "button_reply": {"id": "request_agent", "title": "Hablar"}},
            {"text": "Hablar", "action": "request_agent", "payload": None},
        ),
        (
            "interactive",
            {"type": "list_reply", "list_reply": {"id": 'set_categoria|{"categoria":"Otros"}', "title": "Otros"}},
            {"action": "set_categoria", "payload": {"categoria": "Otros"}},
        ),
        ("button", {"payload": "confirmar_reclamo", "text": "Sí"}, {"action": "confirmar_reclamo", "text": "Sí"}),
        (
            "location",
            {"latitude": -32.89, "longitude": -68.84, "name": "Plaza"},
            {"action": "user_provided_location", "latitud": -32.89, "longitud": -68.84},
        ),
    ],
)
def test_messages_translate_to_bot_turns(kind: str, part: dict[str, Any], expected: dict[str, Any]) -> None:
    turn = schemas.read_message(msg("w", kind, part))
    for key, wanted in expected.items():
        assert getattr(turn, key) == wanted, key
    assert turn.bot_readable and turn.supported


def test_media_keeps_id_and_mime_type() -> None:
    image = schemas.read_message(msg("w", "image", {"id": "MEDIA1", "mime_type": "image/jpeg", "caption": "Mirá"}))
    assert image.text == "Mirá" and image.bot_readable
    assert image.attachment is not None
    assert image.attachment["whatsapp_media_id"] == "MEDIA1" and image.attachment["mimeType"] == "image/jpeg"
    doc = schemas.read_message(msg("w", "document", {"id": "M2", "mime_type": "application/pdf", "filename": "a.pdf"}))
    assert doc.attachment is not None and doc.attachment["name"] == "a.pdf"
    for kind in ("audio", "video", "sticker"):
        turn = schemas.read_message(msg("w", kind, {"id": "M3", "mime_type": "audio/ogg"}))
        assert turn.supported and not turn.bot_readable and turn.attachment is not None
    for kind, part in (("contacts", []), ("unsupported", {}), ("reaction", {"emoji": "👍"}), ("image", {})):
        turn = schemas.read_message(msg("w", kind, part))  # type: ignore[arg-type]
        assert not turn.supported, kind


@pytest.mark.parametrize(
    ("action", "payload"),
    [("request_agent", None), ("set_categoria", {"categoria": "Alumbrado público"}), ("menu", {})],
)
def test_option_ids_round_trip(action: str, payload: dict[str, Any] | None) -> None:
    encoded = schemas.encode_option_id(action, payload)
    assert len(encoded) <= 200
    assert schemas.decode_option_id(encoded) == (action, payload or None)


def test_oversized_payload_is_dropped_and_junk_decodes_safely() -> None:
    assert schemas.encode_option_id("x", {"k": "v" * 300}) == "x"
    assert schemas.decode_option_id("accion|{no json") == ("accion", None)
    assert schemas.decode_option_id("accion|[1,2]") == ("accion", None)
    assert schemas.decode_option_id("  ") == (None, None)


@pytest.mark.parametrize(
    ("label", "limit", "expected"),
    [
        ("Hacer un reclamo", 20, "Hacer un reclamo"),
        ("Hablar con un representante", 20, "Hablar con un agente"),
        ("Reparación de veredas y cordones cuneta", 20, "Reparación…"),
        ("Veredas y cordones cuneta rotos", 24, "Veredas y cordones…"),
        ("Arbolado y espacios verdes", 24, "Arbolado y espacios"),
        ("Supercalifragilisticoespialidoso", 20, "Supercalifragilisti…"),
    ],
)
def test_short_titles_fit_and_read_well(label: str, limit: int, expected: str) -> None:
    assert schemas.short_title(label, limit) == expected
    assert len(schemas.short_title(label, limit)) <= limit


def test_long_text_is_split_at_boundaries() -> None:
    text = ("Párrafo de prueba. " * 150 + "\n\n") * 3
    pieces = schemas.split_text(text)
    assert len(pieces) > 1 and all(0 < len(p) <= 4096 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert schemas.split_text("x" * 5000) == ["x" * 4096, "x" * 904]


def _reply(text: str, buttons: list[Button], groups: list[ButtonGroup] | None = None) -> BotReply:
    return BotReply(respuesta=text, botones=buttons, categorias=groups or [], state=ConversationState())


def test_up_to_three_buttons_become_reply_buttons() -> None:
    reply = _reply("¿Confirmás?", [Button("Confirmar reclamo", "confirmar_reclamo"), REQUEST_AGENT_BUTTON])
    (payload,) = schemas.render(schemas.outgoing_from_reply(reply), "5492615551234")
    validate(payload)
    buttons = payload["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["confirmar_reclamo", "request_agent"]
    assert [b["reply"]["title"] for b in buttons] == ["Confirmar reclamo", "Hablar con un agente"]


def test_more_than_three_become_a_list_within_limits() -> None:
    settings = BotSettings("municipio", "Municipalidad de Prueba", live_chat_open=True)
    reply = respond(settings, ConversationState(), Incoming(text="", action="iniciar_reclamo"))
    assert len(reply.botones) == 10
    payloads = schemas.render(schemas.outgoing_from_reply(reply), "5492615551234")
    (payload,) = payloads
    validate(payload)
    rows = payload["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    decoded = [schemas.decode_option_id(r["id"]) for r in rows]
    assert decoded[0] == ("set_categoria", {"categoria": "Alumbrado público"})
    arbolado = next(r for r in rows if r["title"].startswith("Arbolado"))
    assert arbolado["description"] == "Arbolado y espacios verdes"


def test_groups_links_and_long_bodies() -> None:
    groups = [
        ButtonGroup(
            f"Grupo con un título bastante largo {i}", tuple(Button(f"Opción {i}{j}", f"a{i}{j}") for j in range(4))
        )
        for i in range(4)
    ]
    reply = _reply("x" * 1500, [Button("Sitio", url="https://example.org")], groups)
    payloads = schemas.render(schemas.outgoing_from_reply(reply), "5492615551234")
    for payload in payloads:
        validate(payload)
    assert payloads[0]["type"] == "text" and "https://example.org" in payloads[0]["text"]["body"]
    last = payloads[-1]["interactive"]
    assert last["body"]["text"] == schemas.CHOOSE_TEXT
    assert sum(len(s["rows"]) for s in last["action"]["sections"]) == 10


def test_plain_text_and_nothing() -> None:
    assert schemas.render(schemas.Outgoing("Hola"), "549261") == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "549261",
            "type": "text",
            "text": {"preview_url": False, "body": "Hola"},
        }
    ]
    assert schemas.render(schemas.Outgoing(""), "549261") == []
    stored = schemas.outgoing_from_reply(_reply("Hola", [REQUEST_AGENT_BUTTON])).to_json()
    assert schemas.Outgoing.from_json(json.loads(json.dumps(stored))).option_count == 1


def test_template_parameters_are_flattened() -> None:
    flat = schemas.template_parameter("Hola\n\nTu reclamo\tavanza    bien")
    assert "\n" not in flat and "\t" not in flat and "    " not in flat
    assert len(schemas.template_parameter("x" * 5000)) == 1024


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (None, "sent", True),
        ("pending", "sent", True),
        ("sent", "delivered", True),
        ("delivered", "read", True),
        ("read", "delivered", False),
        ("read", "sent", False),
        ("delivered", "sent", False),
        ("sent", "failed", True),
        ("read", "failed", False),
        ("failed", "delivered", False),
        ("sent", "sent", False),
        ("undeliverable_no_template", "sent", True),
    ],
)
def test_statuses_never_downgrade(current: str | None, new: str, allowed: bool) -> None:
    assert schemas.upgrade_status(current, new) is allowed


def test_fake_graph_refuses_what_the_real_api_refuses() -> None:
    base = {"messaging_product": "whatsapp", "to": "5492615551234"}
    with pytest.raises(Invalid):
        validate({**base, "type": "text", "text": {"body": "x" * 4097}})
    with pytest.raises(Invalid):
        validate(
            {
                **base,
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": "x"},
                    "action": {
                        "buttons": [{"type": "reply", "reply": {"id": str(i), "title": str(i)}} for i in range(4)]
                    },
                },
            }
        )
    with pytest.raises(Invalid):
        validate(
            {
                **base,
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": "x"},
                    "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "x" * 21}}]},
                },
            }
        )
