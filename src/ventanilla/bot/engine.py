"""Pure, deterministic conversation state machine shared by the web widget and WhatsApp."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias

from . import texts
from .intake import (
    CANCEL_WORDS,
    CONFIRM_WORDS,
    MAX_INPUT_CHARS,
    MENU_WORDS,
    SOFT_CANCEL_WORDS,
    clean_text,
    extract_address,
    extract_personal,
    infer_category,
    is_agent_request,
    is_complaint_intent,
    is_consult_intent,
    is_descriptive,
    is_greeting,
    is_thanks,
    is_tramites_intent,
    match_category,
    normalize,
    valid_dni,
    valid_email,
    valid_name,
    valid_phone,
)

__all__ = [
    "REQUEST_AGENT_BUTTON",
    "BotReply",
    "BotSettings",
    "Button",
    "ButtonGroup",
    "CancelComplaint",
    "ComplaintDraft",
    "ConversationState",
    "CreateComplaint",
    "Effect",
    "Incoming",
    "RequestAgent",
    "TipoChat",
    "complaint_created",
    "is_agent_request",
    "live_chat_closed",
    "live_chat_requested",
    "respond",
]

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
_INTAKE_ESTADOS = frozenset({"recolectando_info", "recolectando_datos_personales", "confirmando_reclamo"})
INTAKE_ESTADOS = _INTAKE_ESTADOS
_AWAITING = frozenset({"categoria", "descripcion", "ubicacion", "datos_personales", "confirmacion"})
_MENU_ACTIONS = frozenset({"menu", "volver_menu", "menu_principal", "mostrar_menu"})

MAX_DESCRIPCION = 4000
_MAX_LEN = {
    "categoria": 100,
    "descripcion": MAX_DESCRIPCION,
    "ubicacion": 300,
    "nombre": 120,
    "email": 254,
    "telefono": 32,
    "dni": 16,
    "attachment_url": 2048,
}
_STATE_JSON_VERSION = 1
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


REQUEST_AGENT_BUTTON = Button(texts.AGENT_BUTTON, action="request_agent")
_CANCEL_BUTTON = Button(texts.CANCEL_BUTTON, action="cancelar_reclamo")
_COMPLETE_DATA_BUTTON = Button(texts.COMPLETE_DATA_BUTTON, action="iniciar_creacion_reclamo")


@dataclass(frozen=True, slots=True)
class BotSettings:
    """Per-entity configuration the engine needs."""

    tipo_chat: TipoChat
    entity_name: str
    live_chat_open: bool
    closed_message: str = ""
    categories: tuple[str, ...] = ()


@dataclass(slots=True)
class ComplaintDraft:
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
        return {
            "categoria": self.categoria,
            "descripcion": self.descripcion,
            "ubicacion": self.ubicacion,
            "nombre": self.nombre,
            "email": self.email,
            "telefono": self.telefono,
            "dni": self.dni,
            "latitud": self.latitud,
            "longitud": self.longitud,
            "attachment_url": self.attachment_url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ComplaintDraft:
        """Lenient inverse of to_dict."""
        return cls(
            categoria=_str_field(data.get("categoria"), "categoria"),
            descripcion=_str_field(data.get("descripcion"), "descripcion"),
            ubicacion=_str_field(data.get("ubicacion"), "ubicacion"),
            nombre=_str_field(data.get("nombre"), "nombre"),
            email=_str_field(data.get("email"), "email"),
            telefono=_str_field(data.get("telefono"), "telefono"),
            dni=_str_field(data.get("dni"), "dni"),
            latitud=_coord(data.get("latitud"), 90.0),
            longitud=_coord(data.get("longitud"), 180.0),
            attachment_url=_str_field(data.get("attachment_url"), "attachment_url"),
        )


def _str_field(value: object, name: str) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and name in ("telefono", "dni") and math.isfinite(value):
        value = str(int(value))
    text = clean_text(value, _MAX_LEN.get(name, 300))
    return text or None


def _coord(value: object, bound: float) -> float | None:
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


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None  # ids are 64-bit columns
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip()) or None
    return None


@dataclass(slots=True)
class ConversationState:
    """Everything the bot remembers between turns."""

    estado: str = "inicio"
    draft: ComplaintDraft = field(default_factory=ComplaintDraft)
    ticket_id: int | None = None
    awaiting: str | None = None

    @classmethod
    def from_contexto(cls, contexto: Mapping[str, Any] | None) -> ConversationState:
        """Build from the widget's `contexto_previo`, tolerating junk."""
        if not isinstance(contexto, Mapping):
            return cls()
        estado = contexto.get("estado_conversacion")
        estado = estado if isinstance(estado, str) and estado in ESTADOS else "inicio"
        datos = contexto.get("datos_reclamo")
        datos = datos if isinstance(datos, Mapping) else {}
        draft = ComplaintDraft(
            categoria=_str_field(datos.get("categoria"), "categoria"),
            descripcion=_str_field(datos.get("descripcion"), "descripcion"),
            ubicacion=_str_field(datos.get("ubicacion"), "ubicacion"),
            nombre=_str_field(datos.get("nombre_ciudadano"), "nombre"),
            email=_str_field(datos.get("email_ciudadano"), "email"),
            telefono=_str_field(datos.get("telefono_ciudadano"), "telefono"),
            dni=_str_field(datos.get("dni_ciudadano"), "dni"),
            latitud=_coord(datos.get("latitud"), 90.0),
            longitud=_coord(datos.get("longitud"), 180.0),
            attachment_url=_str_field(datos.get("attachment_url"), "attachment_url"),
        )
        # The widget only echoes datos_estructura fields, so coordinates survive inside the ubicacion text.
        if (draft.latitud is None or draft.longitud is None) and draft.ubicacion:
            m = _COORDS_RE.search(draft.ubicacion)
            if m:
                draft.latitud, draft.longitud = _coord(m.group(1), 90.0), _coord(m.group(2), 180.0)
        state = cls(estado=estado, draft=draft, ticket_id=_int_or_none(contexto.get("id_ticket_creado")))
        state.awaiting = _derive_awaiting(state)
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
        """Serialise for server-side storage (WhatsApp)."""
        data = {
            "v": _STATE_JSON_VERSION,
            "estado": self.estado,
            "awaiting": self.awaiting,
            "ticket_id": self.ticket_id,
            "draft": self.draft.to_dict(),
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any] | None) -> ConversationState:
        """Inverse of to_json; any junk yields a fresh state."""
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
        estado = raw.get("estado")
        awaiting = raw.get("awaiting")
        draft = raw.get("draft")
        return cls(
            estado=estado if isinstance(estado, str) and estado in ESTADOS else "inicio",
            draft=ComplaintDraft.from_dict(draft) if isinstance(draft, Mapping) else ComplaintDraft(),
            ticket_id=_int_or_none(raw.get("ticket_id")),
            awaiting=awaiting if isinstance(awaiting, str) and awaiting in _AWAITING else None,
        )


def _derive_awaiting(state: ConversationState) -> str | None:
    if state.estado not in _INTAKE_ESTADOS:
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
class CreateComplaint:
    """Ask the service to store the complaint."""

    draft: ComplaintDraft


@dataclass(frozen=True, slots=True)
class RequestAgent:
    """Ask the service to open a live chat with a representative."""


@dataclass(frozen=True, slots=True)
class CancelComplaint:
    """The citizen dropped the complaint in progress."""


Effect: TypeAlias = CreateComplaint | RequestAgent | CancelComplaint


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


@dataclass(frozen=True, slots=True)
class _Turn:
    text: str
    norm: str
    action: str | None
    payload: Mapping[str, Any]
    datos_personales: Mapping[str, Any] | None
    latitud: float | None
    longitud: float | None
    attachment_url: str | None


def _read_turn(incoming: object) -> _Turn:
    if not isinstance(incoming, Incoming):
        incoming = Incoming()
    text = clean_text(incoming.text, MAX_INPUT_CHARS)
    action = incoming.action.strip()[:64] if isinstance(incoming.action, str) else None
    payload = incoming.payload if isinstance(incoming.payload, Mapping) else {}
    dp = incoming.datos_personales if isinstance(incoming.datos_personales, Mapping) else None
    lat, lon = _coord(incoming.latitud, 90.0), _coord(incoming.longitud, 180.0)
    if lat is None or lon is None:
        lat = lon = None
    return _Turn(
        text=text,
        norm=normalize(text),
        action=action or None,
        payload=payload,
        datos_personales=dp,
        latitud=lat,
        longitud=lon,
        attachment_url=_str_field(incoming.attachment_url, "attachment_url"),
    )


def _clone(state: object) -> ConversationState:
    if not isinstance(state, ConversationState):
        return ConversationState()
    draft = replace(state.draft) if isinstance(state.draft, ComplaintDraft) else ComplaintDraft()
    estado = state.estado if state.estado in ESTADOS else "inicio"
    awaiting = state.awaiting if state.awaiting in _AWAITING else None
    return ConversationState(estado=estado, draft=draft, ticket_id=state.ticket_id, awaiting=awaiting)


def _categories(settings: BotSettings) -> tuple[str, ...]:
    cats = tuple(c for c in settings.categories if isinstance(c, str) and c.strip())
    return cats or texts.DEFAULT_CATEGORIES.get(settings.tipo_chat, texts.DEFAULT_CATEGORIES["municipio"])


def category_from_description(settings: BotSettings, descripcion: str | None) -> str | None:
    """The category the description's words point to, if any (settings: only tipo and categories are read)."""
    return infer_category(normalize(descripcion), _categories(settings)) if descripcion else None


def _menu_buttons(settings: BotSettings, *, with_agent: bool = True) -> list[Button]:
    menu = texts.MENU.get(settings.tipo_chat, texts.MENU["municipio"])
    buttons = [Button(label, action=action) for label, action in menu]
    if with_agent and settings.live_chat_open:
        buttons.append(REQUEST_AGENT_BUTTON)
    return buttons


def _estructura(draft: ComplaintDraft) -> dict[str, Any] | None:
    mapping = {
        "categoria": draft.categoria,
        "descripcion": draft.descripcion,
        "ubicacion": draft.ubicacion,
        "nombre_usuario_detectado": draft.nombre,
        "telefono_detectado": draft.telefono,
        "email_detectado": draft.email,
        "dni_detectado": draft.dni,
    }
    out = {k: v for k, v in mapping.items() if v}
    return out or None


def _join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


def _fresh_draft(old: ComplaintDraft) -> ComplaintDraft:
    """New complaint, same citizen."""
    return ComplaintDraft(nombre=old.nombre, email=old.email, telefono=old.telefono, dni=old.dni)


def _begin_intake(state: ConversationState) -> None:
    state.draft = _fresh_draft(state.draft)
    state.estado = "recolectando_info"
    state.awaiting = None


def _apply_media(draft: ComplaintDraft, turn: _Turn) -> list[str]:
    notes: list[str] = []
    if turn.latitud is not None and turn.longitud is not None:
        draft.latitud, draft.longitud = turn.latitud, turn.longitud
        if not draft.ubicacion:
            draft.ubicacion = f"Ubicación compartida ({turn.latitud:.6f}, {turn.longitud:.6f})"
        notes.append(texts.LOCATION_SAVED)
    if turn.attachment_url:
        draft.attachment_url = turn.attachment_url
        notes.append(texts.ATTACHMENT_SAVED)
    return notes


def _reply(
    state: ConversationState,
    text: str,
    buttons: list[Button] | None = None,
    **extra: Any,
) -> BotReply:
    return BotReply(respuesta=text, botones=buttons or [], categorias=[], state=state, **extra)


def _menu(settings: BotSettings, state: ConversationState, text: str, estado: str = "inicio") -> BotReply:
    state.estado = estado
    state.awaiting = None
    return _reply(state, text, _menu_buttons(settings))


def _greeting(settings: BotSettings) -> BotReply:
    state = ConversationState()
    return _reply(state, texts.welcome(settings.tipo_chat, settings.entity_name), _menu_buttons(settings))


def _cancel(settings: BotSettings) -> BotReply:
    state = ConversationState()
    text = texts.cancelled(settings.tipo_chat)
    return _reply(state, text, _menu_buttons(settings), effect=CancelComplaint())


def _request_agent(state: ConversationState) -> BotReply:
    return _reply(state, texts.CONNECTING, effect=RequestAgent())


def _ask(settings: BotSettings, state: ConversationState, field_name: str, lead: list[str]) -> BotReply:
    state.estado = "recolectando_info"
    state.awaiting = field_name
    buttons: list[Button] = []
    if field_name == "categoria":
        buttons = [Button(c, action="set_categoria", payload={"categoria": c}) for c in _categories(settings)]
    buttons.append(_CANCEL_BUTTON)
    return _reply(
        state,
        _join([*lead, texts.ask_field(field_name, settings.tipo_chat)]),
        buttons,
        accion_backend="crear_reclamo",
        pedir_info=field_name,
        datos_estructura=_estructura(state.draft),
    )


def _contacto(draft: ComplaintDraft) -> str | None:
    parts = [p for p in (draft.email, draft.telefono) if p]
    return " / ".join(parts) or None


def _summary(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    d = state.draft
    missing_personal = d.missing_personal()
    state.estado = "confirmando_reclamo"
    state.awaiting = "datos_personales" if missing_personal else "confirmacion"
    tipo = settings.tipo_chat
    recap = texts.summary(
        tipo,
        categoria=d.categoria,
        descripcion=d.descripcion,
        ubicacion=d.ubicacion,
        has_attachment=bool(d.attachment_url),
        nombre=d.nombre,
        contacto=_contacto(d),
    )
    tail = texts.ask_personal_inline(tipo) if missing_personal else texts.ASK_CONFIRM
    buttons = [Button(texts.confirm_button(tipo), action="confirmar_reclamo")]
    if missing_personal:
        buttons.append(_COMPLETE_DATA_BUTTON)
    buttons.append(_CANCEL_BUTTON)
    text = "\n\n".join(p for p in (_join(lead), recap, tail) if p)
    return _reply(state, text, buttons, accion_backend="crear_reclamo", datos_estructura=_estructura(d))


def _advance(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    missing = state.draft.missing()
    if missing:
        return _ask(settings, state, missing[0], lead)
    return _summary(settings, state, lead)


def _ask_personal(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    state.estado = "recolectando_datos_personales"
    state.awaiting = "datos_personales"
    missing = state.draft.missing_personal() or ["nombre", "email_o_telefono"]
    return _reply(
        state,
        _join([*lead, texts.ask_personal(missing, settings.tipo_chat)]),
        [_COMPLETE_DATA_BUTTON, _CANCEL_BUTTON],
        accion_backend="crear_reclamo",
        pedir_info="datos_personales",
        datos_estructura=_estructura(state.draft),
    )


_PERSONAL_KEYS = {
    "nombre": ("nombre", "nombre_ciudadano", "name"),
    "email": ("email", "email_ciudadano", "mail"),
    "telefono": ("telefono", "telefono_ciudadano", "phone"),
    "dni": ("dni", "dni_ciudadano"),
}
_VALIDATORS = {"nombre": valid_name, "email": valid_email, "telefono": valid_phone, "dni": valid_dni}


def _merge_personal(draft: ComplaintDraft, data: Mapping[str, Any] | None) -> list[str]:
    """Copy valid personal data into the draft; return the names of provided-but-invalid fields."""
    if data is None:
        return []
    invalid: list[str] = []
    for name, keys in _PERSONAL_KEYS.items():
        raw: object = next((data[k] for k in keys if data.get(k) not in (None, "")), None)
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str) or not raw.strip():
            continue
        value = _VALIDATORS[name](raw[: _MAX_LEN[name] * 2])
        if value is None:
            invalid.append(name)
        else:
            setattr(draft, name, value)
    return invalid


def _confirm(
    settings: BotSettings, state: ConversationState, datos: Mapping[str, Any] | None, lead: list[str]
) -> BotReply:
    invalid = _merge_personal(state.draft, datos)
    d = state.draft
    if d.descripcion and len(d.descripcion) > MAX_DESCRIPCION:
        d.descripcion = d.descripcion[:MAX_DESCRIPCION]
    if d.missing():
        return _advance(settings, state, [*lead, texts.STILL_MISSING])
    if invalid:
        return _ask_personal(settings, state, [*lead, texts.invalid_fields(invalid)])
    if d.missing_personal():
        return _ask_personal(settings, state, lead)
    state.estado = "confirmando_reclamo"
    state.awaiting = None
    return _reply(state, texts.creating(settings.tipo_chat), effect=CreateComplaint(replace(d)))


def _apply_free_description(settings: BotSettings, state: ConversationState, turn: _Turn) -> None:
    """Use a free-text problem description to fill whatever it reveals."""
    d = state.draft
    if not d.descripcion:
        d.descripcion = turn.text[:MAX_DESCRIPCION]
    if not d.categoria:
        d.categoria = infer_category(turn.norm, _categories(settings))
    if not d.ubicacion:
        d.ubicacion = extract_address(turn.text)


def _on_intake_text(settings: BotSettings, state: ConversationState, turn: _Turn) -> BotReply:
    lead = _apply_media(state.draft, turn)
    norm = turn.norm
    awaiting = state.awaiting or _derive_awaiting(state) or "categoria"
    in_confirm = awaiting in ("datos_personales", "confirmacion")
    if norm in (CANCEL_WORDS if in_confirm else SOFT_CANCEL_WORDS):
        return _cancel(settings)
    if not norm:
        return _summary(settings, state, lead) if in_confirm else _advance(settings, state, lead)
    if in_confirm:
        if norm in CONFIRM_WORDS:
            return _confirm(settings, state, None, lead)
        found = extract_personal(turn.text, allow_bare_name=not state.draft.nombre)
        if found.any():
            d = state.draft
            d.nombre = found.nombre or d.nombre
            d.email = found.email or d.email
            d.telefono = found.telefono or d.telefono
            d.dni = found.dni or d.dni
            lead.append(texts.thanks_name(d.nombre))
            if d.missing_personal():
                return _ask_personal(settings, state, lead)
            return _summary(settings, state, lead)
        if is_greeting(norm):
            lead.append(texts.HELLO_AGAIN)
        else:
            lead.append(texts.NOT_UNDERSTOOD)
        if state.draft.missing():
            return _advance(settings, state, lead)
        return _summary(settings, state, lead)

    if is_greeting(norm):
        return _advance(settings, state, [*lead, texts.HELLO_AGAIN])
    d = state.draft
    missing = d.missing()
    field_name = awaiting if awaiting in missing else (missing[0] if missing else None)
    if field_name == "categoria":
        match = match_category(turn.text, _categories(settings))
        if match is None:
            if is_descriptive(norm, 4) and not d.descripcion:
                _apply_free_description(settings, state, turn)
                if d.categoria is None:
                    return _ask(settings, state, "categoria", [*lead, texts.KEPT_DESCRIPTION])
            else:
                return _ask(settings, state, "categoria", [*lead, texts.UNKNOWN_CATEGORY])
        else:
            d.categoria = match
            if is_descriptive(norm, 4) and not d.descripcion:
                _apply_free_description(settings, state, turn)
    elif field_name == "descripcion":
        if len(norm) < 3 or not any(ch.isalpha() for ch in norm):
            return _ask(settings, state, "descripcion", [*lead, texts.TOO_SHORT])
        _apply_free_description(settings, state, turn)
    elif field_name == "ubicacion":
        if len(norm) < 3:
            return _ask(settings, state, "ubicacion", [*lead, texts.TOO_SHORT])
        d.ubicacion = turn.text[: _MAX_LEN["ubicacion"]]
    return _advance(settings, state, lead)


def _on_text(settings: BotSettings, state: ConversationState, turn: _Turn) -> BotReply:
    norm = turn.norm
    if is_agent_request(turn.text):
        return _request_agent(state)
    if norm in MENU_WORDS:
        return _menu(settings, state, texts.MENU_INTRO)
    if state.estado in _INTAKE_ESTADOS:
        return _on_intake_text(settings, state, turn)
    has_media = turn.attachment_url is not None or turn.latitud is not None
    if not norm:
        if has_media:
            _begin_intake(state)
            return _advance(settings, state, _apply_media(state.draft, turn))
        return _menu(settings, state, texts.MENU_INTRO)
    tipo = settings.tipo_chat
    if is_consult_intent(norm):
        return _menu(settings, state, texts.consult(tipo), estado="conversacion_general")
    category = infer_category(norm, _categories(settings))
    if category is not None or is_complaint_intent(norm, tipo):
        _begin_intake(state)
        state.draft.categoria = category
        if is_descriptive(norm, 4):
            _apply_free_description(settings, state, turn)
        return _advance(settings, state, _apply_media(state.draft, turn))
    if is_tramites_intent(norm):
        text = texts.info(tipo, settings.entity_name, settings.live_chat_open)
        return _menu(settings, state, text, estado="conversacion_general")
    if is_greeting(norm):
        return _menu(settings, state, texts.GREETING_SHORT)
    if is_thanks(norm):
        return _menu(settings, state, texts.THANKS, estado=state.estado)
    return _menu(settings, state, texts.fallback(settings.live_chat_open), estado="conversacion_general")


def respond(settings: BotSettings, state: ConversationState, incoming: Incoming) -> BotReply:
    """Advance the conversation by one citizen turn; never raises on junk input."""
    st = _clone(state)
    turn = _read_turn(incoming)
    action = turn.action
    tipo = settings.tipo_chat
    if action == "initial_greeting":
        return _greeting(settings)
    if action == "cancelar_reclamo":
        return _cancel(settings)
    if action == "request_agent":
        return _request_agent(st)
    if action in _MENU_ACTIONS:
        return _menu(settings, st, texts.MENU_INTRO)
    if action == "consultar_reclamo":
        return _menu(settings, st, texts.consult(tipo), estado="conversacion_general")
    if action == "info_tramites":
        text = texts.info(tipo, settings.entity_name, settings.live_chat_open)
        return _menu(settings, st, text, estado="conversacion_general")
    if action == "iniciar_reclamo":
        _begin_intake(st)
        preset = turn.payload.get("categoria")
        if isinstance(preset, str):
            st.draft.categoria = match_category(preset, _categories(settings), allow_index=False)
        return _advance(settings, st, _apply_media(st.draft, turn))
    if action == "set_categoria":
        if st.estado not in _INTAKE_ESTADOS:
            _begin_intake(st)
        lead = _apply_media(st.draft, turn)
        raw = turn.payload.get("categoria")
        match = match_category(raw if isinstance(raw, str) else turn.text, _categories(settings))
        if match is None:
            return _ask(settings, st, "categoria", [*lead, texts.UNKNOWN_CATEGORY])
        st.draft.categoria = match
        return _advance(settings, st, lead)
    if action == "user_provided_location":
        if st.estado not in _INTAKE_ESTADOS:
            _begin_intake(st)
        lead = _apply_media(st.draft, turn)
        if turn.latitud is None:
            lead.append(texts.LOCATION_UNREADABLE)
        return _advance(settings, st, lead)
    if action == "confirmar_reclamo":
        return _confirm(settings, st, turn.datos_personales, _apply_media(st.draft, turn))
    if action == "iniciar_creacion_reclamo":
        lead = _apply_media(st.draft, turn)
        if st.draft.missing():
            return _advance(settings, st, lead)
        return _ask_personal(settings, st, lead)
    return _on_text(settings, st, turn)


def complaint_created(
    settings: BotSettings, state: ConversationState, *, nro_ticket: int, pin: str, estado: str
) -> BotReply:
    """Final answer once the service stored the complaint."""
    st = _clone(state)
    st.draft = _fresh_draft(st.draft)
    st.estado = "reclamo_creado"
    st.ticket_id = nro_ticket
    st.awaiting = None
    text = texts.created(settings.tipo_chat, nro_ticket, str(pin), str(estado or ""))
    return _reply(st, text, _menu_buttons(settings), ticket_id=nro_ticket)


def live_chat_closed(settings: BotSettings, state: ConversationState) -> BotReply:
    """No representatives now: say so and offer to file a complaint instead."""
    st = _clone(state)
    if st.estado not in _INTAKE_ESTADOS:
        st.estado = "conversacion_general"
        st.awaiting = None
    text = texts.live_chat_closed(settings.tipo_chat, settings.closed_message)
    return _reply(st, text, _menu_buttons(settings, with_agent=False))


def live_chat_requested(
    settings: BotSettings,
    state: ConversationState,
    *,
    nro_ticket: int,
    position: int,
    agent_name: str | None,
) -> BotReply:
    """Queue status after a live chat was opened."""
    st = _clone(state)
    st.estado = "conversacion_general"
    st.awaiting = None
    name = clean_text(agent_name, 80) or None
    return _reply(st, texts.live_chat_requested(nro_ticket, int(position), name))
