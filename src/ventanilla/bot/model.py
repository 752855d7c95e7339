"""The bot's conversation model: what it remembers (pydantic, stored by the server), what comes in and goes out."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, Field

from ventanilla.knowledge.search import Item as KnowledgeItem
from ventanilla.text import MAX_MESSAGE_CHARS

from .intake import clean_text

TipoChat = Literal["municipio", "pyme"]

ESTADOS = frozenset(
    {
        "inicio",
        "recolectando_info",
        "recolectando_datos_personales",
        "confirmando_reclamo",
        "reclamo_creado",
        "conversacion_general",
    }
)
INTAKE_ESTADOS = frozenset({"recolectando_info", "recolectando_datos_personales", "confirmando_reclamo"})
AWAITING = frozenset({"categoria", "descripcion", "ubicacion", "datos_personales", "confirmacion"})
SIDES = frozenset({"consulta", "mensaje"})
WAITING_STEPS = frozenset({"ubicacion", "contacto", "listo"})
MAX_DESCRIPCION = MAX_MESSAGE_CHARS
MAX_LEN = {
    "categoria": 100,
    "descripcion": MAX_DESCRIPCION,
    "ubicacion": 300,
    "nombre": 120,
    "email": 254,
    "telefono": 32,
    "dni": 16,
    "attachment_url": 2048,
}
_STATE_JSON_VERSION = 2
_COORDS_RE = re.compile(r"(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)")


@dataclass(frozen=True, slots=True)
class Button:
    """A quick-reply button: either an action (with optional payload) or a link."""

    texto: str
    action: str | None = None
    payload: dict[str, Any] | None = None
    url: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """Frontend shape, without None keys."""
        wire: dict[str, Any] = {"texto": self.texto}
        if self.action is not None:
            wire["action"] = self.action
        if self.payload is not None:
            wire["payload"] = dict(self.payload)
        if self.url is not None:
            wire["url"] = self.url
        return wire


@dataclass(frozen=True, slots=True)
class ButtonGroup:
    """Titled group of buttons (the widget's `categorias`)."""

    titulo: str
    botones: tuple[Button, ...]

    def to_wire(self) -> dict[str, Any]:
        """Frontend shape."""
        return {"titulo": self.titulo, "botones": [b.to_wire() for b in self.botones]}


@dataclass(frozen=True, slots=True)
class BotSettings:
    """Per-entity configuration the engine needs."""

    tipo_chat: TipoChat
    entity_name: str
    live_chat_open: bool
    closed_message: str = ""
    categories: tuple[str, ...] = ()
    knowledge: tuple[KnowledgeItem, ...] = ()


def str_field(value: object, name: str) -> str | None:
    """A clean, bounded text field, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and name in ("telefono", "dni") and math.isfinite(value):
        value = str(int(value))
    text = clean_text(value, MAX_LEN.get(name, 300))
    return text or None


def coord(value: object, bound: float) -> float | None:
    """A finite coordinate within ±bound, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip()[:40])
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and -bound <= number <= bound else None


def int_or_none(value: object) -> int | None:
    """A positive integer from an int or a digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**53 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 15:
        return int(value.strip()) or None
    return None


class ComplaintDraft(BaseModel):
    """What we know so far about the complaint and the citizen."""

    categoria: str | None = None
    descripcion: str | None = None
    ubicacion: str | None = None
    nombre: str | None = None
    email: str | None = None
    telefono: str | None = None
    dni: str | None = None
    latitud: float | None = None
    longitud: float | None = None
    attachment_url: str | None = None
    attachment: dict[str, Any] | None = None
    """The attachment behind `attachment_url` as the widget described it (name, type, size), when it did."""
    nombre_guess: bool = False
    """The name is WhatsApp's profile name, not one the citizen gave: a name they give replaces it."""

    def missing(self) -> list[str]:
        """Complaint fields still needed, in the order we ask them."""
        out: list[str] = []
        if not self.categoria:
            out.append("categoria")
        if not self.descripcion:
            out.append("descripcion")
        if not self.ubicacion and (self.latitud is None or self.longitud is None):
            out.append("ubicacion")
        return out

    def missing_personal(self) -> list[str]:
        """Personal data still needed: 'nombre' and/or 'email_o_telefono' (DNI is optional)."""
        out: list[str] = []
        if not self.nombre:
            out.append("nombre")
        if not self.email and not self.telefono:
            out.append("email_o_telefono")
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every field."""
        return self.model_dump()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ComplaintDraft:
        """Lenient inverse of to_dict."""
        return cls(
            **{name: str_field(data.get(name), name) for name in MAX_LEN},
            latitud=coord(data.get("latitud"), 90.0),
            longitud=coord(data.get("longitud"), 180.0),
            attachment=_described_attachment(data.get("attachment")),
            nombre_guess=data.get("nombre_guess") is True,
        )

    def contact_only(self) -> ComplaintDraft:
        """A new complaint by the same citizen."""
        return ComplaintDraft(
            nombre=self.nombre, email=self.email, telefono=self.telefono, dni=self.dni, nombre_guess=self.nombre_guess
        )


FIXING = frozenset({"?", "categoria", "descripcion", "ubicacion", "email", "telefono", "dni", "nombre", "apellido"})
"""What `ConversationState.fixing` may hold: "?" (which field, asked) or the field being corrected."""


class ConversationState(BaseModel):
    """Everything the bot remembers between turns; the server's copy is the source of truth."""

    estado: str = "inicio"
    draft: ComplaintDraft = Field(default_factory=ComplaintDraft)
    ticket_id: int | None = None
    """Primary key of the ticket this conversation created (the widget's `id_ticket_creado`)."""
    nro_ticket: int | None = None
    """Its public number, as the citizen reads it."""
    awaiting: str | None = None
    retries: int = 0
    """Answers to `awaiting` that did not fit, in a row."""
    last_field: str | None = None
    """The field the previous answer filled ("perdón, quise decir..." corrects it)."""
    side: str | None = None
    """A side errand while the intake waits: "consulta" (number and PIN) or "mensaje" (text for a ticket)."""
    side_nro: int | None = None
    side_ticket_id: int | None = None
    """The ticket the citizen just consulted and may write to."""
    side_pin: str | None = None
    """A PIN given before the ticket number ("el pin es 077877")."""
    waiting_step: str | None = None
    """While an urgent ticket waits for a person: what the bot asked last ("ubicacion", "contacto", "listo")."""
    pin_failures: int = 0
    # --- bot21b: the city's memory ---
    kb_topic: int | None = None
    """The knowledge-base entry answered last: a follow-up question ("y hay que pedir turno?") stays on it."""
    duplicate_of: int | None = None
    """An open ticket like the draft, offered to join; the next answer decides (join, or file this one)."""
    duplicates_key: str | None = None
    """The category and place last compared with open tickets (a draft is compared once, again if they change)."""
    verified_phone: str | None = None
    """A phone number this chat proved (a code sent to its WhatsApp, or the PIN of a ticket filed with it)."""
    code_pending: bool = False
    """A one-time code was sent to a WhatsApp number; the next 6 digits typed are taken as that code."""
    # --- end bot21b ---
    photo_offered: bool = False
    """The intake said a photo may be sent (once per complaint): a "no" to the contact request declines it."""
    fixing: str | None = None
    """After a "no" at the summary: the field being corrected, or "?" while the bot asks which one."""
    pending_problems: list[str] = Field(default_factory=list)
    """Further problems told in the same message as the complaint in progress, taken one after the other."""
    transcript: list[dict[str, str]] = Field(default_factory=list)
    """The bot turns so far, `{role: citizen|bot, text, fecha}`: a person asked for later reads them in the ticket."""

    @classmethod
    def from_contexto(cls, contexto: Mapping[str, Any] | None) -> ConversationState:
        """Build from the widget's `contexto_previo` (a hint for a session the server has not seen)."""
        if not isinstance(contexto, Mapping):
            return cls()
        estado = contexto.get("estado_conversacion")
        estado = estado if isinstance(estado, str) and estado in ESTADOS else "inicio"
        datos = contexto.get("datos_reclamo")
        datos = datos if isinstance(datos, Mapping) else {}
        draft = ComplaintDraft(
            categoria=str_field(datos.get("categoria"), "categoria"),
            descripcion=str_field(datos.get("descripcion"), "descripcion"),
            ubicacion=str_field(datos.get("ubicacion"), "ubicacion"),
            nombre=str_field(datos.get("nombre_ciudadano"), "nombre"),
            email=str_field(datos.get("email_ciudadano"), "email"),
            telefono=str_field(datos.get("telefono_ciudadano"), "telefono"),
            dni=str_field(datos.get("dni_ciudadano"), "dni"),
            latitud=coord(datos.get("latitud"), 90.0),
            longitud=coord(datos.get("longitud"), 180.0),
            attachment_url=str_field(datos.get("attachment_url"), "attachment_url"),
        )
        # The widget only echoes datos_estructura fields, so coordinates survive inside the ubicacion text.
        if (draft.latitud is None or draft.longitud is None) and draft.ubicacion:
            m = _COORDS_RE.search(draft.ubicacion)
            if m:
                draft.latitud, draft.longitud = coord(m.group(1), 90.0), coord(m.group(2), 180.0)
        state = cls(estado=estado, draft=draft, ticket_id=int_or_none(contexto.get("id_ticket_creado")))
        state.awaiting = derive_awaiting(state)
        return state

    def to_contexto(self) -> dict[str, Any]:
        """The widget's context shape (extra keys inside datos_reclamo are ignored by it)."""
        d = self.draft
        return {
            "estado_conversacion": self.estado,
            "datos_reclamo": {
                "categoria": d.categoria,
                "descripcion": d.descripcion,
                "ubicacion": d.ubicacion,
                "nombre_ciudadano": d.nombre,
                "telefono_ciudadano": d.telefono,
                "email_ciudadano": d.email,
                "dni_ciudadano": d.dni,
                "latitud": d.latitud,
                "longitud": d.longitud,
                "attachment_url": d.attachment_url,
            },
            "historial_conversacion": [],
            "id_ticket_creado": self.ticket_id,
        }

    def to_json(self) -> str:
        """Serialise for server-side storage."""
        data = {"v": _STATE_JSON_VERSION, **self.model_dump(mode="json")}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any] | None) -> ConversationState:
        """Inverse of to_json (also reads version 1); any junk yields a fresh state."""
        raw: object = data
        if isinstance(raw, bytes | bytearray):
            try:
                raw = bytes(raw).decode("utf-8")
            except UnicodeDecodeError:
                return cls()
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                return cls()
        if not isinstance(raw, Mapping):
            return cls()
        estado, awaiting, side, draft = (raw.get(k) for k in ("estado", "awaiting", "side", "draft"))
        return cls(
            estado=estado if isinstance(estado, str) and estado in ESTADOS else "inicio",
            draft=ComplaintDraft.from_dict(draft) if isinstance(draft, Mapping) else ComplaintDraft(),
            ticket_id=int_or_none(raw.get("ticket_id")),
            nro_ticket=int_or_none(raw.get("nro_ticket")),
            awaiting=awaiting if isinstance(awaiting, str) and awaiting in AWAITING else None,
            retries=min(int_or_none(raw.get("retries")) or 0, 10),
            last_field=_known_field(raw.get("last_field")),
            side=side if isinstance(side, str) and side in SIDES else None,
            side_nro=int_or_none(raw.get("side_nro")),
            side_ticket_id=int_or_none(raw.get("side_ticket_id")),
            side_pin=_pin(raw.get("side_pin")),
            waiting_step=raw.get("waiting_step") if raw.get("waiting_step") in WAITING_STEPS else None,
            pin_failures=min(int_or_none(raw.get("pin_failures")) or 0, 100),
            kb_topic=_entry_id(raw.get("kb_topic")),
            duplicate_of=int_or_none(raw.get("duplicate_of")),
            duplicates_key=str_field(raw.get("duplicates_key"), "duplicates_key"),
            verified_phone=_digits(raw.get("verified_phone")),
            code_pending=raw.get("code_pending") is True,
            photo_offered=raw.get("photo_offered") is True,
            fixing=raw.get("fixing") if raw.get("fixing") in FIXING else None,
            pending_problems=_problems(raw.get("pending_problems")),
            transcript=_transcript(raw.get("transcript")),
        )

    def clone(self) -> ConversationState:
        """A deep copy the engine may change."""
        return self.model_copy(deep=True)


def _problems(value: object) -> list[str]:
    """Stored further problems: a few texts of bounded length."""
    if not isinstance(value, list):
        return []
    return [clean_text(v, MAX_MESSAGE_CHARS) for v in value[:3] if isinstance(v, str) and v.strip()]


def _described_attachment(value: object) -> dict[str, Any] | None:
    """A stored attachment description: its name, link, type and size, nothing else."""
    if not isinstance(value, Mapping) or not isinstance(value.get("url"), str):
        return None
    kept = {k: value[k] for k in ("name", "url", "mimeType") if isinstance(value.get(k), str)}
    size = value.get("size")
    if isinstance(size, int) and not isinstance(size, bool):
        kept["size"] = size
    return kept


def _transcript(value: object) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    keys = ("role", "text", "fecha")
    return [
        {k: line[k] for k in keys}
        for line in value
        if isinstance(line, Mapping) and all(isinstance(line.get(k), str) for k in keys)
    ]


def _pin(value: object) -> str | None:
    return value if isinstance(value, str) and value.isdigit() and len(value) <= 10 else None


def _digits(value: object) -> str | None:
    return value if isinstance(value, str) and value.isdigit() and len(value) <= 16 else None


def _entry_id(value: object) -> int | None:
    """A knowledge entry id (built-in answers have negative ones)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53 else None


def _known_field(value: object) -> str | None:
    return value if isinstance(value, str) and (value in MAX_LEN or value == "datos_personales") else None


def derive_awaiting(state: ConversationState) -> str | None:
    """What the intake asks next, from the draft alone."""
    if state.estado not in INTAKE_ESTADOS:
        return None
    missing = state.draft.missing()
    if missing:
        return missing[0]
    return "datos_personales" if state.draft.missing_personal() else "confirmacion"


@dataclass(frozen=True, slots=True)
class Incoming:
    """One citizen turn, from either channel."""

    text: str = ""
    action: str | None = None
    payload: Any = None
    datos_personales: Mapping[str, Any] | None = None
    latitud: float | None = None
    longitud: float | None = None
    attachment_url: str | None = None


@dataclass(frozen=True, slots=True)
class TicketView:
    """What the citizen may read of a ticket they consult."""

    ticket_id: int
    nro_ticket: int
    estado: str
    fecha: str
    categoria: str | None = None
    ultimo_mensaje: str | None = None
    ultimo_mensaje_fecha: str | None = None


@dataclass(frozen=True, slots=True)
class CreateComplaint:
    """Ask the service to store the complaint."""

    draft: ComplaintDraft


@dataclass(frozen=True, slots=True)
class RequestAgent:
    """Ask the service to open a live chat with a representative (`lead` comes before the queue status)."""

    lead: str | None = None


@dataclass(frozen=True, slots=True)
class RecallTickets:
    """A frustrated citizen: find their earlier complaints (session, phone or email) and offer a person."""


@dataclass(frozen=True, slots=True)
class CancelComplaint:
    """The citizen dropped the complaint in progress: the service forgets it."""


@dataclass(frozen=True, slots=True)
class LookupTicket:
    """Find a ticket by number (own tickets need no PIN); without a number, list the citizen's own."""

    nro_ticket: int | None = None
    pin: str | None = None
    lost_pin: bool = False
    """The citizen lost the PIN: their own tickets if this chat has any, else where the PIN is."""


@dataclass(frozen=True, slots=True)
class AddMessage:
    """Add the citizen's text to a ticket they just consulted."""

    ticket_id: int
    text: str


Effect: TypeAlias = CreateComplaint | RequestAgent | CancelComplaint | LookupTicket | AddMessage | RecallTickets


@dataclass(slots=True)
class BotReply:
    """What to show the citizen, the new state and an optional side effect for the service."""

    respuesta: str
    botones: list[Button]
    categorias: list[ButtonGroup]
    state: ConversationState
    effect: Effect | None = None
    accion_backend: str | None = None
    pedir_info: str | None = None
    datos_estructura: dict[str, Any] | None = None
    ticket_id: int | None = None

    def to_wire(self) -> dict[str, Any]:
        """Response body for the widget's /ask endpoint."""
        wire: dict[str, Any] = {
            "respuesta": self.respuesta,
            "respuesta_usuario": self.respuesta,
            "botones": [b.to_wire() for b in self.botones],
        }
        if self.categorias:
            wire["categorias"] = [g.to_wire() for g in self.categorias]
        if self.accion_backend:
            wire["accion_backend"] = self.accion_backend
        if self.pedir_info:
            wire["pedir_info"] = self.pedir_info
        if self.datos_estructura:
            wire["datos_estructura"] = dict(self.datos_estructura)
        if self.ticket_id is not None:
            wire["ticket_id"] = self.ticket_id
        wire["contexto_actualizado"] = self.state.to_contexto()
        return wire
