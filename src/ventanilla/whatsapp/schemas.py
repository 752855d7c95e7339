"""Wire shapes of the Cloud API: webhook parsing, signatures, button ids, and outbound rendering (all pure)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ventanilla.adapters import whatsapp_client as wa
from ventanilla.adapters.whatsapp_client import ReplyOption
from ventanilla.bot.engine import BotReply, Button
from ventanilla.text import MAX_MESSAGE_CHARS

log = logging.getLogger(__name__)

UNSUPPORTED_TEXT = "Por ahora solo puedo leer texto, ubicación, fotos y documentos."
LIST_BUTTON_LABEL = "Ver opciones"
DEFAULT_SECTION = "Opciones"
CHOOSE_TEXT = "Elegí una opción:"
MAX_TEMPLATE_PARAM = 1024
MEDIA_KINDS = frozenset({"image", "document", "audio", "video", "sticker"})
BOT_READABLE = frozenset({"text", "interactive", "button", "location", "image", "document"})
STATUS_RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}
KNOWN_STATUSES = frozenset({"sent", "delivered", "read", "failed"})

# Labels the bot uses that do not fit a 20-character button, with hand-made short forms.
SHORT_LABELS = {
    "Hablar con un representante": "Hablar con un agente",
    "Hacer un pedido / consulta": "Pedido o consulta",
    "Consultar mi solicitud": "Mi solicitud",
    "Arbolado y espacios verdes": "Arbolado y espacios",
    "Tránsito y señalización": "Tránsito y señales",
}

Signature = Literal["ok", "missing", "bad"]


def check_signature(secret: str, body: bytes, header: str | None) -> Signature:
    """Compare `X-Hub-Signature-256` with the HMAC-SHA256 of the raw body, in constant time."""
    if not header:
        return "missing"
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return "ok" if hmac.compare_digest(expected.encode(), header.strip().encode()) else "bad"


def sign(secret: str, body: bytes) -> str:
    """The header value Meta would send for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """A message or a status found in a webhook delivery."""

    kind: Literal["message", "status"]
    wamid: str
    status: str
    phone_number_id: str
    wa_id: str
    payload: dict[str, Any]
    occurred_at: dt.datetime


def _epoch(value: object, now: dt.datetime) -> dt.datetime:
    try:
        when = dt.datetime.fromtimestamp(int(str(value)), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return min(when, now)


def _str(value: object, limit: int = 200) -> str:
    return value[:limit] if isinstance(value, str) else ""


def parse_webhook(data: object, now: dt.datetime) -> list[ParsedEvent]:
    """Every message and status of a (possibly batched) delivery; malformed parts are skipped."""
    found: list[ParsedEvent] = []
    entries = data.get("entry") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        return found
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, Mapping) else None
        for change in changes if isinstance(changes, list) else []:
            if not isinstance(change, Mapping) or change.get("field", "messages") != "messages":
                continue
            value = change.get("value")
            if not isinstance(value, Mapping):
                continue
            metadata = value.get("metadata")
            phone_number_id = _str(metadata.get("phone_number_id"), 64) if isinstance(metadata, Mapping) else ""
            if not phone_number_id:
                continue
            names = _contact_names(value.get("contacts"))
            for message in value.get("messages") or []:
                wamid = _str(message.get("id")) if isinstance(message, Mapping) else ""
                wa_id = _str(message.get("from"), 32) if isinstance(message, Mapping) else ""
                if not wamid or not wa_id:
                    log.warning("whatsapp webhook: message without id or sender skipped")
                    continue
                payload = {"message": dict(message), "name": names.get(wa_id)}
                occurred = _epoch(message.get("timestamp"), now)
                found.append(ParsedEvent("message", wamid, "", phone_number_id, wa_id, payload, occurred))
            for status in value.get("statuses") or []:
                if not isinstance(status, Mapping):
                    continue
                wamid, state = _str(status.get("id")), _str(status.get("status"), 16)
                if not wamid or state not in KNOWN_STATUSES:
                    log.info("whatsapp webhook: status %r skipped", state)
                    continue
                recipient = _str(status.get("recipient_id"), 32)
                occurred = _epoch(status.get("timestamp"), now)
                found.append(ParsedEvent("status", wamid, state, phone_number_id, recipient, dict(status), occurred))
            for error in value.get("errors") or []:
                log.warning("whatsapp webhook: error notification %s", error)
    return found


def _contact_names(contacts: object) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in contacts if isinstance(contacts, list) else []:
        if not isinstance(contact, Mapping):
            continue
        profile = contact.get("profile")
        name = profile.get("name") if isinstance(profile, Mapping) else None
        if isinstance(contact.get("wa_id"), str) and isinstance(name, str) and name.strip():
            names[contact["wa_id"]] = name.strip()[:200]
    return names


@dataclass(frozen=True, slots=True)
class InboundTurn:
    """A citizen's WhatsApp message in the bot's terms."""

    kind: str
    text: str = ""
    action: str | None = None
    payload: Any = None
    latitud: float | None = None
    longitud: float | None = None
    attachment: dict[str, Any] | None = None

    @property
    def bot_readable(self) -> bool:
        """Whether the bot engine can use this message."""
        return self.kind in BOT_READABLE

    @property
    def supported(self) -> bool:
        """Whether the message carries anything we keep (text, choice, place or media)."""
        return self.kind in BOT_READABLE or self.kind in MEDIA_KINDS


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def read_message(message: Mapping[str, Any]) -> InboundTurn:
    """Translate one webhook message into text, a button action, a location or an attachment."""
    kind = _str(message.get("type"), 32) or "unknown"
    body = message.get(kind)
    part: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    if kind == "text":
        return InboundTurn(kind, text=_str(part.get("body"), 8000))
    if kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply")
        if not isinstance(reply, Mapping):
            return InboundTurn("unsupported")
        action, payload = decode_option_id(_str(reply.get("id"), 256))
        return InboundTurn(kind, text=_str(reply.get("title"), 100), action=action, payload=payload)
    if kind == "button":
        action, payload = decode_option_id(_str(part.get("payload"), 256))
        return InboundTurn(kind, text=_str(part.get("text"), 100), action=action, payload=payload)
    if kind == "location":
        lat, lon = _float(part.get("latitude")), _float(part.get("longitude"))
        if lat is None or lon is None:
            return InboundTurn("unsupported")
        label = ", ".join(p for p in (_str(part.get("name")), _str(part.get("address"))) if p)
        text = f"📍 Ubicación compartida: {lat:.6f}, {lon:.6f}" + (f" ({label})" if label else "")
        return InboundTurn(kind, text=text, action="user_provided_location", latitud=lat, longitud=lon)
    if kind in MEDIA_KINDS:
        media_id = _str(part.get("id"))
        if not media_id:
            return InboundTurn("unsupported")
        attachment = {
            "whatsapp_media_id": media_id,
            "mimeType": _str(part.get("mime_type"), 100) or None,
            "name": _str(part.get("filename"), 200) or f"{kind}-{media_id[-8:]}",
            "kind": kind,
            "url": f"whatsapp-media:{media_id}",
        }
        return InboundTurn(kind, text=_str(part.get("caption"), MAX_MESSAGE_CHARS), attachment=attachment)
    return InboundTurn(kind)


def encode_option_id(action: str, payload: Mapping[str, Any] | None, limit: int = wa.MAX_ROW_ID) -> str:
    """`action`, or `action|<compact json payload>` when it fits."""
    action = action[:64]
    if not payload:
        return action
    encoded = f"{action}|{json.dumps(payload, ensure_ascii=False, separators=(',', ':'), sort_keys=True)}"
    if len(encoded) <= limit:
        return encoded
    log.warning("whatsapp button payload of %r too long; sent without payload", action)
    return action


def decode_option_id(option_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """Inverse of encode_option_id; junk yields the bare text as action and no payload."""
    option_id = option_id.strip()
    if not option_id:
        return None, None
    action, sep, raw = option_id.partition("|")
    if not sep:
        return action[:64], None
    try:
        payload = json.loads(raw)
    except ValueError:
        return action[:64], None
    return action[:64], payload if isinstance(payload, dict) else None


_TRAILING = re.compile(r"[\s,.;:/\-–]+$")
_DANGLING = frozenset({"y", "e", "o", "u", "de", "del", "la", "el", "los", "las", "a", "con", "en", "un", "una"})


def short_title(label: str, limit: int) -> str:
    """A label that fits `limit`: a known short form, else cut at a word boundary with an ellipsis."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    short = SHORT_LABELS.get(label)
    if short is not None and len(short) <= limit:
        return short
    cut = label[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    words = cut.split(" ")
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return _TRAILING.sub("", " ".join(words)) + "…"


def split_text(text: str, limit: int = wa.MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line or word boundaries when possible."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


@dataclass(slots=True)
class Outgoing:
    """What to send: text and optional choices, grouped in sections (stored as JSON in the queue)."""

    text: str
    sections: list[tuple[str, list[dict[str, str]]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The queue row's body."""
        return {"text": self.text, "sections": [{"title": t, "options": o} for t, o in self.sections]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outgoing:
        """Inverse of to_json."""
        sections = []
        for section in data.get("sections") or []:
            options = [o for o in section.get("options") or [] if isinstance(o, dict) and o.get("id")]
            if options:
                sections.append((str(section.get("title") or DEFAULT_SECTION), options))
        return cls(text=str(data.get("text") or ""), sections=sections)

    @property
    def option_count(self) -> int:
        """How many choices in all."""
        return sum(len(options) for _, options in self.sections)


def _option(button: Button) -> dict[str, str] | None:
    if button.action is None:
        return None
    return {"id": encode_option_id(button.action, button.payload), "label": button.texto}


def outgoing_from_reply(reply: BotReply) -> Outgoing:
    """The bot's reply for WhatsApp: link buttons become lines of text, the rest become choices."""
    text = reply.respuesta.strip()
    links = [f"{b.texto}: {b.url}" for b in reply.botones if b.url and not b.action]
    for group in reply.categorias:
        links.extend(f"{b.texto}: {b.url}" for b in group.botones if b.url and not b.action)
    if links:
        text = "\n\n".join(p for p in (text, "\n".join(links)) if p)
    sections: list[tuple[str, list[dict[str, str]]]] = []
    main = [o for o in (_option(b) for b in reply.botones) if o]
    if main:
        sections.append((DEFAULT_SECTION, main))
    for group in reply.categorias:
        options = [o for o in (_option(b) for b in group.botones) if o]
        if options:
            sections.append((group.titulo or DEFAULT_SECTION, options))
    return Outgoing(text=text, sections=sections)


def _unique(options: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[str] = set()
    out = []
    for option in options:
        if option["id"] not in seen:
            seen.add(option["id"])
            out.append(option)
    return out


def render(outgoing: Outgoing, to: str) -> list[dict[str, Any]]:
    """Graph payloads: text pieces, then buttons (≤ 3 choices) or a list (more), within every limit."""
    options = _unique([o for _, opts in outgoing.sections for o in opts])
    text = outgoing.text.strip()
    if not options:
        return [wa.text_payload(to, piece) for piece in split_text(text)]
    payloads: list[dict[str, Any]] = []
    body = text
    if not body or len(body) > wa.MAX_INTERACTIVE_BODY:
        payloads.extend(wa.text_payload(to, piece) for piece in split_text(text))
        body = CHOOSE_TEXT
    if len(options) <= wa.MAX_BUTTONS:
        buttons = [
            ReplyOption(o["id"][: wa.MAX_BUTTON_ID], short_title(o["label"], wa.MAX_BUTTON_TITLE)) for o in options
        ]
        payloads.append(wa.buttons_payload(to, body, buttons))
        return payloads
    budget = wa.MAX_LIST_ROWS
    sections: list[tuple[str, list[ReplyOption]]] = []
    seen: set[str] = set()
    for title, opts in outgoing.sections:
        rows = []
        for o in opts:
            if budget == 0 or o["id"] in seen:
                continue
            seen.add(o["id"])
            budget -= 1
            row_title = short_title(o["label"], wa.MAX_ROW_TITLE)
            description = o["label"][: wa.MAX_ROW_DESCRIPTION] if row_title != o["label"] else None
            rows.append(ReplyOption(o["id"][: wa.MAX_ROW_ID], row_title, description))
        if rows:
            sections.append((short_title(title, wa.MAX_SECTION_TITLE), rows))
    if len(options) > wa.MAX_LIST_ROWS:
        log.info("whatsapp list: %d options, only the first %d sent", len(options), wa.MAX_LIST_ROWS)
    payloads.append(wa.list_payload(to, body, LIST_BUTTON_LABEL, sections))
    return payloads


def template_parameter(text: str) -> str:
    """Template body parameters may not hold newlines, tabs or long runs of spaces."""
    flat = re.sub(r"\s*\n\s*", " · ", text.strip())
    flat = re.sub(r"[\t ]{2,}", " ", flat.replace("\t", " "))
    return flat if len(flat) <= MAX_TEMPLATE_PARAM else flat[: MAX_TEMPLATE_PARAM - 1] + "…"


def upgrade_status(current: str | None, new: str) -> bool:
    """Whether a delivery status may replace the current one (never read→delivered, never after failed)."""
    if current == new:
        return False
    if new == "failed":
        return current not in ("delivered", "read")
    if current == "failed":
        return False
    return STATUS_RANK.get(new, -1) > STATUS_RANK.get(current or "pending", 0) or current not in STATUS_RANK
