"""Wire shapes of tickets, messages and their events, with the Spanish names the frontend reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from ventanilla.attachments import service as attachments
from ventanilla.text import MAX_MESSAGE_CHARS, NONBLANK_PATTERN
from ventanilla.tickets.models import ESTADOS, Ticket, TicketMessage
from ventanilla.tickets.service import ESTADO_LABELS

ATTACHMENT_PLACEHOLDER = "(adjunto)"
"""The text stored for a citizen's attachment sent without words."""


def iso(value: dt.datetime | None) -> str | None:
    """ISO-8601 in UTC."""
    return value.astimezone(dt.UTC).isoformat() if value else None


def author_label(message: TicketMessage) -> str:
    """Who wrote a message, in words."""
    if message.author_name:
        return message.author_name
    return {"agent": "Agente", "bot": "Asistente virtual", "system": "Sistema"}.get(message.author_kind, "Vecino")


def shown_attachment(info: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored attachment as it may be shown: links stored before they were checked are left out."""
    return attachments.clean_attachment(info)


def attachments_wire(info: dict[str, Any] | None, owner_id: int) -> list[dict[str, Any]]:
    """An attachment as the panel's lists read it (`attachments` / `archivos_adjuntos`)."""
    info = shown_attachment(info)
    if not info:
        return []
    return [
        {
            "id": owner_id,
            "filename": info.get("name") or "adjunto",
            "url": info.get("url"),
            "mime_type": info.get("mimeType"),
            "size": info.get("size"),
            "thumbUrl": info.get("thumbUrl"),
        }
    ]


class View(StrEnum):
    """A response shape, named by the frontend views that read its dates."""

    PANEL_LIST = "panel_list"  # GET /tickets: TicketListItem
    PANEL_DETAIL = "panel_detail"  # GET /tickets/{tipo}/{id} as staff: DetailsPanel, history accordion, conversation
    CITIZEN_DETAIL = "citizen_detail"  # GET /tickets/{tipo}/{id} as its citizen: ChatPage "Creado el"
    LOOKUP = "lookup"  # por_numero (and any PIN read of a ticket): TicketLookup
    TIMELINE = "timeline"  # GET .../timeline: TicketTimeline (lookup page, ChatPage)
    CONVERSATION = "conversation"  # /mensajes, replies, socket events, the widget


class DateField(StrEnum):
    """Which date of a response."""

    TICKET = "ticket"  # the ticket's own `fecha`
    HISTORY = "history"  # status / creation / assignment entries
    MESSAGE = "message"  # messages (`fecha`, `timestamp`)


# Every view parses dates with `new Date(value)` (exact for ISO strings with an offset; local time without one),
# and some then subtract 3 h before showing them (both frontend versions): TicketListItem, DetailsPanel,
# TicketStatusBar, TicketLogisticsSummary and TicketTimeline (statuses and messages). No string reads right in
# both kinds of view, so each (view, field) pair gets the representation its reader needs. The one conflict:
# the panel's detail feeds the same `mensajes` to the conversation (unshifted) and to the history accordion
# (shifted); the conversation wins, so the accordion shows those messages 3 h early.
_SHIFTED: frozenset[tuple[View, DateField]] = frozenset(
    {
        (View.PANEL_LIST, DateField.TICKET),
        (View.PANEL_DETAIL, DateField.TICKET),
        (View.PANEL_DETAIL, DateField.HISTORY),
        (View.CITIZEN_DETAIL, DateField.HISTORY),
        (View.LOOKUP, DateField.TICKET),
        (View.LOOKUP, DateField.HISTORY),
        (View.LOOKUP, DateField.MESSAGE),
        (View.TIMELINE, DateField.HISTORY),
        (View.TIMELINE, DateField.MESSAGE),
    }
)


def date_shift(view: View, field: DateField, hours: float) -> dt.timedelta:
    """How much later than the truth a date is sent so that the view reading it shows the right local time."""
    return dt.timedelta(hours=hours) if (view, field) in _SHIFTED else dt.timedelta(0)


def message_wire(message: TicketMessage, date_shift: dt.timedelta = dt.timedelta(0)) -> dict[str, Any]:
    """A message with both the Spanish keys and the panel's {author, content, timestamp} keys."""
    fecha = panel_date(message.created_at, date_shift)
    staff = message.is_staff_side
    return {
        "id": message.id,
        "ticket_id": message.ticket_id,
        "texto": message.text,
        "comentario": message.text,
        "es_admin": staff,
        "es_bot": message.author_kind in ("bot", "system"),
        "fecha": fecha,
        "autor": author_label(message),
        "nombre_agente": message.author_name if message.author_kind == "agent" else None,
        "origen": message.origen,
        "attachment_info": shown_attachment(message.attachment),
        "attachments": attachments_wire(message.attachment, message.id),
        "archivos_adjuntos": attachments_wire(message.attachment, message.id),
        "delivery_status": message.delivery_status,
        "botones": message.buttons or [],
        "author": "agent" if staff else "user",
        "content": message.text,
        "timestamp": fecha,
    }


def description_wire(
    ticket: Ticket, messages: Sequence[TicketMessage], date_shift: dt.timedelta = dt.timedelta(0)
) -> dict[str, Any] | None:
    """The ticket's `descripcion` as the citizen's first message of the panel's conversation, unless a stored
    citizen message already says it.

    A complaint filed through the bot (or the portal, or a hand-off typed as the first line) keeps the citizen's words
    in `descripcion` only; both panels draw the conversation from `/mensajes` alone, so without this line the agent
    read "No hay mensajes" on a complaint. Its id (`descripcion-{ticket}`) is no stored message's."""
    text = (ticket.descripcion or "").strip()
    if not text or any(m.author_kind == "citizen" and m.text.strip() == text for m in messages):
        return None
    fecha = panel_date(ticket.created_at, date_shift)
    files = attachments_wire(ticket.attachment, ticket.id)
    return {
        "id": f"descripcion-{ticket.id}",
        "ticket_id": ticket.id,
        "texto": text,
        "comentario": text,
        "es_admin": False,
        "es_bot": False,
        "es_descripcion": True,
        "fecha": fecha,
        "autor": ticket.nombre_usuario or "Vecino",
        "nombre_agente": None,
        "origen": "chat" if ticket.channel == "web" else ticket.channel,
        "attachment_info": shown_attachment(ticket.attachment),
        "attachments": files,
        "archivos_adjuntos": files,
        "delivery_status": None,
        "botones": [],
        "author": "user",
        "content": text,
        "timestamp": fecha,
    }


def attachment_line(info: dict[str, Any] | None) -> str:
    """An attachment as one line of text with its link, for clients that show nothing but text."""
    shown = shown_attachment(info)
    if not shown:
        return ""
    label = "Foto" if str(shown.get("mimeType") or "").startswith("image/") else "Archivo"
    return f"{label} {shown.get('name') or 'adjunto'}: {shown['url']}"


def text_with_link(message: TicketMessage) -> str:
    """A message's text followed by its attachment's link (the placeholder of a bare attachment gives way to it)."""
    line = attachment_line(message.attachment)
    text = "" if message.text.strip() == ATTACHMENT_PLACEHOLDER else message.text
    if not line:
        return message.text
    return f"{text}\n{line}" if text.strip() else line


AGENT_SIGNATURE = "{name}, del equipo de atención:"
"""The line that leads an agent's message in the widget."""


def signed(message: TicketMessage, text: str) -> str:
    """What a widget shows of a message: an agent's words under their name.

    Both widget versions draw every entity-side message alike, with the bot's avatar and bubble: the room handler
    keeps only `comentario`, `es_admin`, `fecha` and `origen`, the bot-socket one nothing that names a person. So the
    person is named in the text."""
    if message.author_kind != "agent":
        return text
    head = AGENT_SIGNATURE.format(name=(message.author_name or "").strip() or "Agente")
    return f"{head}\n{text}" if text.strip() else head


def chat_message_event(message: TicketMessage, *, estado: str | None = None) -> dict[str, Any]:
    """`new_chat_message`: flat fields for the widget's live-chat room (whose handler shows `comentario` only, so an
    attachment's link is written into it, and an agent's name)."""
    text = signed(message, text_with_link(message))
    return {
        "id": message.id,
        "ticket_id": message.ticket_id,
        "estado": estado,
        "comentario": text,
        "texto": text,
        "es_admin": message.is_staff_side,
        "autor": author_label(message),
        "fecha": iso(message.created_at),
        "origen": message.origen,
        "attachment_info": shown_attachment(message.attachment),
        "attachments": attachments_wire(message.attachment, message.id),
        "botones": message.buttons or [],
    }


def widget_message_event(ticket: Ticket, message: TicketMessage) -> dict[str, Any]:
    """`message` on the chat-session room: an entity-side message in the shape of a bot answer (docs/contract.md §3)."""
    return {
        "id": message.id,
        "respuesta": signed(message, "" if message.text.strip() == ATTACHMENT_PLACEHOLDER else message.text),
        "ticket_id": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "estado": ticket.estado,
        "prioridad": ticket.prioridad,
        "fecha": iso(message.created_at),
        "origen": message.origen,
        "autor": author_label(message),
        "es_admin": True,
        "attachment_info": shown_attachment(message.attachment),
        "botones": message.buttons or [],
    }


def widget_replay_item(ticket: Ticket, message: TicketMessage) -> dict[str, Any]:
    """A message replayed to a reloaded live chat's bot socket, its attachment drawn as it came live: on the entity's
    side, as every bot-socket item, so the citizen's own says so."""
    event = widget_message_event(ticket, message)
    if not message.is_staff_side:
        caption = event["respuesta"]
        event.update({"respuesta": f"Vos: {caption}" if caption.strip() else "Vos:", "es_admin": False})
    return event


def widget_history_item(ticket: Ticket, message: TicketMessage) -> dict[str, Any]:
    """A message of an open ticket replayed to a reloaded widget, which shows every item on the entity's side: the
    citizen's own lines say so."""
    text = signed(message, message.text) if message.is_staff_side else f"Vos: {message.text}"
    return {
        "id": message.id,
        "respuesta": text,
        "ticket_id": ticket.id,
        "fecha": iso(message.created_at),
        "origen": message.origen,
        "autor": author_label(message),
        "es_admin": message.is_staff_side,
        "attachment_info": shown_attachment(message.attachment),
        "botones": [],
    }


def ticket_updated_event(ticket: Ticket, old: str) -> dict[str, Any]:
    """`ticket_updated` for the panel: status, priority and assignment of one ticket."""
    return {
        "id": ticket.id,
        "ticketId": ticket.id,
        "ticket_id": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "estado": ticket.estado,
        "estado_anterior": old,
        "prioridad": ticket.prioridad,
        "assigned_agent_id": ticket.assigned_agent_id,
        "direccion": ticket.direccion,
        "latitud": ticket.latitud,
        "longitud": ticket.longitud,
    }


def comment_event(ticket: Ticket, message: TicketMessage, *, with_estado: bool = True) -> dict[str, Any]:
    """`new_comment` for the panel: `comment` always present, `ticket_id` a number.

    The reference panel writes `estado` into the ticket on every event, so it always gets one. The newest panel
    redraws the open conversation whenever a ticket changes, so its message events carry no `estado` (a status
    change reaches it as its own event, `status_comment_event`).
    """
    files = attachments_wire(message.attachment, message.id)
    event: dict[str, Any] = {
        "ticket_id": ticket.id,
        "ticketId": ticket.id,
        "tipo": ticket.tipo,
        "nro_ticket": ticket.nro_ticket,
        "prioridad": ticket.prioridad,
        "comment": {
            "id": message.id,
            "comentario": message.text,
            "autor": author_label(message),
            "fecha": iso(message.created_at),
            "es_admin": message.is_staff_side,
            "origen": message.origen,
            "attachments": files,
            # The newest panel reads its live attachment from here (its `attachments` expression ends in it).
            "archivo_adjunto": files[0] if files else None,
            "botones": message.buttons or [],
        },
    }
    if with_estado:
        event["estado"] = ticket.estado
    return event


def status_comment_event(ticket: Ticket, old: str, at: dt.datetime) -> dict[str, Any]:
    """`new_comment` announcing a status change: both panels read a ticket's status only from `new_comment`.

    Its `comment` (which both panels' toasts read) is the change in words, with an id no message has.
    """
    label = ESTADO_LABELS.get(ticket.estado, ticket.estado)
    return {
        "ticket_id": ticket.id,
        "ticketId": ticket.id,
        "tipo": ticket.tipo,
        "nro_ticket": ticket.nro_ticket,
        "estado": ticket.estado,
        "estado_anterior": old,
        "prioridad": ticket.prioridad,
        "comment": {
            "id": f"estado-{ticket.id}-{int(at.timestamp() * 1000)}",
            "comentario": f"Estado: {label}",
            "autor": "Sistema",
            "fecha": iso(at),
            "es_admin": True,
            "es_estado": True,
            "origen": "sistema",
            "attachments": [],
            "archivo_adjunto": None,
            "botones": [],
        },
    }


URGENT_MARK = "⚠ URGENTE"


def urgent_open(ticket: Ticket) -> bool:
    """Whether the panels must show the ticket as urgent (urgent and not closed)."""
    return ticket.prioridad == "urgente" and not ticket.is_closed


def _marked(text: str | None, ticket: Ticket, sep: str) -> str | None:
    """`text` led by the urgency mark when the ticket is urgent and open: neither panel's list shows `prioridad`,
    only the name (bold), the number, the status, the subject and the last message."""
    if not urgent_open(ticket) or (text or "").startswith(URGENT_MARK):
        return text
    if (text or "").startswith("URGENTE"):  # the urgent intake's own asunto: "URGENTE: …"
        return f"{URGENT_MARK[0]} {text}"
    return f"{URGENT_MARK}{sep}{text}" if text else URGENT_MARK


def new_ticket_event(ticket: Ticket) -> dict[str, Any]:
    """`new_ticket` for the panel (both toast `Nuevo Ticket #{nro_ticket}` with `asunto`, then re-read the list)."""
    return {
        "id": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "asunto": _marked(ticket.asunto, ticket, " · "),
        "estado": ticket.estado,
        "prioridad": ticket.prioridad,
        "urgente": urgent_open(ticket),
        "tipo": ticket.tipo,
        "categoria": ticket.categoria,
        "fecha": iso(ticket.created_at),
        "channel": ticket.channel,
    }


def urgent_alert_event(ticket: Ticket, motivo: str) -> dict[str, Any]:
    """`urgent_ticket`: every online agent of the entity is alerted (`motivo`: nuevo, escalado, sin_respuesta)."""
    return {
        "id": ticket.id,
        "ticket_id": ticket.id,
        "ticketId": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "tipo": ticket.tipo,
        "asunto": _marked(ticket.asunto, ticket, " · "),
        "estado": ticket.estado,
        "prioridad": ticket.prioridad,
        "urgente": True,
        "motivo": motivo,
        "categoria_urgencia": (ticket.urgency or {}).get("category"),
        "assigned_agent_id": ticket.assigned_agent_id,
        "es_chat_en_vivo": ticket.is_live_chat,
    }


def ticket_wire(
    ticket: Ticket,
    *,
    agent: tuple[int, str, str | None] | None = None,
    last_message: str | None = None,
    date_shift: dt.timedelta = dt.timedelta(0),
) -> dict[str, Any]:
    """A ticket as the panel reads it (with the aliases its components use)."""
    display = ticket.nombre_usuario or ticket.email or ticket.telefono or "Vecino"
    attachments = attachments_wire(ticket.attachment, ticket.id)
    return {
        "id": ticket.id,
        "tipo": ticket.tipo,
        "nro_ticket": ticket.nro_ticket,
        "asunto": ticket.asunto,
        "estado": ticket.estado,
        "estado_chat": ticket.estado,
        "estado_label": ESTADO_LABELS.get(ticket.estado, ticket.estado),
        "fecha": panel_date(ticket.created_at, date_shift),
        "fecha_utc": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "categoria": ticket.categoria,
        "direccion": ticket.direccion,
        "latitud": ticket.latitud,
        "longitud": ticket.longitud,
        "nombre_usuario": ticket.nombre_usuario,
        "display_name": _marked(display, ticket, " · "),
        "name": display,
        "email": ticket.email,
        "telefono": ticket.telefono,
        "dni": ticket.dni,
        "informacion_personal_vecino": {
            "nombre": ticket.nombre_usuario,
            "telefono": ticket.telefono,
            "email": ticket.email,
            "direccion": ticket.direccion,
            "dni": ticket.dni,
        },
        "channel": ticket.channel,
        "assignedAgent": {"id": agent[0], "nombre_usuario": agent[1], "email": agent[2]} if agent else None,
        "assigned_agent_id": ticket.assigned_agent_id,
        "descripcion": ticket.descripcion,
        "description": ticket.descripcion,
        "detalles": ticket.descripcion,
        "prioridad": ticket.prioridad,
        "priority": "urgent" if ticket.prioridad == "urgente" else ticket.prioridad,
        "urgente": urgent_open(ticket),
        "lastMessage": last_message or ticket.descripcion,
        "hasUnreadMessages": ticket.has_unread,
        "es_chat_en_vivo": ticket.is_live_chat,
        "urgencia": ticket.urgency,
        "attachment_info": shown_attachment(ticket.attachment),
        "attachments": attachments,
        "archivos_adjuntos": attachments,
        # Neighbours who reported the same problem (the filer and those who joined); neither panel renders it yet.
        "vecinos_afectados": 1 + (ticket.followers_count or 0),
        "seguidores": ticket.followers_count or 0,
    }


def list_item_wire(
    ticket: dict[str, Any], history: list[dict[str, Any]], message_files: Sequence[tuple[int, dict[str, Any]]]
) -> dict[str, Any]:
    """A panel list item: the ticket with its `history` and every attachment, and deliberately no `messages`.

    Both panels' details pane fetches the ticket (and stores its messages in the selected ticket) only when the
    item has neither `history` nor `messages`; the conversation pane then redraws from those stored messages on
    every change of the ticket, dropping whatever arrived live. With `history` here and no `messages`, the
    conversation re-reads `/mensajes` on each change instead, so nothing said since it was opened disappears.
    """
    attachments = list(ticket["attachments"])
    for message_id, info in message_files:
        attachments.extend(attachments_wire(info, message_id))
    if ticket.get("urgente"):
        # Both panels group their list by `categoria` into collapsed sections, opening only the selected ticket's:
        # an open urgent ticket gets a section of its own, first (the list puts it first), whose title says so.
        # Its real category stays in `categoria_principal` / `categories`, which the newest panel's filter reads.
        real = ticket.get("categoria")
        ticket = {
            **ticket,
            "categoria": URGENT_MARK,
            "categoria_principal": real,
            "categories": [real] if real else [],
        }
    return {
        **ticket,
        "history": history,
        "historial": history,
        "attachments": attachments,
        "archivos_adjuntos": attachments,
    }


def panel_date(value: dt.datetime | None, shift: dt.timedelta) -> str | None:
    """A date sent `shift` later than the truth (see `date_shift`), ISO-8601 with its offset."""
    return iso(value + shift) if value else None


class History(Protocol):
    """What a history entry shows: a stored `TicketEvent` or the list's plain row."""

    @property
    def kind(self) -> str: ...
    @property
    def from_value(self) -> str | None: ...
    @property
    def to_value(self) -> str | None: ...
    @property
    def actor_name(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def created_at(self) -> dt.datetime: ...


def timeline_wire(
    ticket: Ticket,
    events: Sequence[History],
    messages: Sequence[TicketMessage],
    date_shift: dt.timedelta = dt.timedelta(0),
    message_shift: dt.timedelta | None = None,
) -> list[dict[str, Any]]:
    """Creation, status changes, escalations and messages, oldest first, with the panel's aliases."""
    items: list[tuple[dt.datetime, int, dict[str, Any]]] = []
    for ev in events:
        fecha = panel_date(ev.created_at, date_shift)
        if ev.kind == "ticket_creado":
            entry: dict[str, Any] = {"tipo": "ticket_creado", "fecha": fecha, "estado": ev.to_value}
        elif ev.kind == "estado":
            entry = {"tipo": "estado", "fecha": fecha, "estado": ev.to_value, "estado_anterior": ev.from_value}
        else:
            entry = {"tipo": ev.kind, "fecha": fecha, "valor": ev.to_value}
        if ev.actor_name:
            entry["autor"] = ev.actor_name
        entry.update({"status": entry.get("estado") or ev.kind, "date": fecha, "notes": ev.note, "texto": ev.note})
        if ev.note:
            entry["detalle"] = ev.note
        items.append((ev.created_at, 0, entry))
    for msg in messages:
        wire = message_wire(msg, date_shift if message_shift is None else message_shift)
        wire["tipo"] = "comentario"
        items.append((msg.created_at, 1, wire))
    items.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in items]


# What `attachments.safe_link` keeps: an http(s) link with a host (or one of our upload links, not documented).
LINK_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?([/?#][^\s\\]*)?$"
ATTACHMENT_LINK: JsonDict = {
    "type": "object",
    "required": ["url"],
    "properties": {"url": {"type": "string", "maxLength": 2048, "pattern": LINK_PATTERN}},
}
VISIBLE_TEXT: JsonDict = {"type": "string", "pattern": NONBLANK_PATTERN, "maxLength": MAX_MESSAGE_CHARS}
"""A message's text as a reply takes it: something visible, within the message limit (after trimming)."""


class ReplyIn(BaseModel):
    """Body of an agent or citizen reply: a text, an attachment's link, or both."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "anyOf": [
                {"required": ["comentario"], "properties": {"comentario": VISIBLE_TEXT}},
                {"required": ["attachment_info"], "properties": {"attachment_info": ATTACHMENT_LINK}},
            ]
        },
    )

    comentario: str = Field(default="", max_length=20000)
    attachment_info: dict[str, Any] | None = None


class StatusIn(BaseModel):
    """Body of a status change."""

    model_config = ConfigDict(extra="ignore")

    estado: str = Field(max_length=64, json_schema_extra={"enum": list(ESTADOS)})
