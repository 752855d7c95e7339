"""Wire shapes of tickets, messages and their events, with the Spanish names the frontend reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ventanilla.tickets.models import Ticket, TicketEvent, TicketMessage
from ventanilla.tickets.service import ESTADO_LABELS


def iso(value: dt.datetime | None) -> str | None:
    """ISO-8601 in UTC."""
    return value.astimezone(dt.UTC).isoformat() if value else None


def author_label(message: TicketMessage) -> str:
    """Who wrote a message, in words."""
    if message.author_name:
        return message.author_name
    return {"agent": "Agente", "bot": "Asistente virtual", "system": "Sistema"}.get(message.author_kind, "Vecino")


def message_wire(message: TicketMessage) -> dict[str, Any]:
    """A message with both the Spanish keys and the panel's {author, content, timestamp} keys."""
    fecha = iso(message.created_at)
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
        "attachment_info": message.attachment,
        "delivery_status": message.delivery_status,
        "author": "agent" if staff else "user",
        "content": message.text,
        "timestamp": fecha,
    }


def chat_message_event(message: TicketMessage) -> dict[str, Any]:
    """`new_chat_message`: flat fields for the widget's live-chat room."""
    return {
        "id": message.id,
        "ticket_id": message.ticket_id,
        "comentario": message.text,
        "texto": message.text,
        "es_admin": message.is_staff_side,
        "autor": author_label(message),
        "fecha": iso(message.created_at),
        "origen": message.origen,
        "attachment_info": message.attachment,
    }


def comment_event(ticket: Ticket, message: TicketMessage) -> dict[str, Any]:
    """`new_comment` for the panel: `comment` and `estado` always present."""
    return {
        "ticketId": ticket.id,
        "tipo": ticket.tipo,
        "nro_ticket": ticket.nro_ticket,
        "estado": ticket.estado,
        "prioridad": ticket.prioridad,
        "comment": {
            "id": message.id,
            "comentario": message.text,
            "autor": author_label(message),
            "fecha": iso(message.created_at),
            "es_admin": message.is_staff_side,
            "origen": message.origen,
        },
    }


def new_ticket_event(ticket: Ticket) -> dict[str, Any]:
    """`new_ticket` for the panel."""
    return {
        "id": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "asunto": ticket.asunto,
        "estado": ticket.estado,
        "prioridad": ticket.prioridad,
        "tipo": ticket.tipo,
        "categoria": ticket.categoria,
        "fecha": iso(ticket.created_at),
        "channel": ticket.channel,
    }


def ticket_wire(ticket: Ticket, *, agent_name: str | None = None, last_message: str | None = None) -> dict[str, Any]:
    """A ticket as the panel reads it."""
    return {
        "id": ticket.id,
        "tipo": ticket.tipo,
        "nro_ticket": ticket.nro_ticket,
        "asunto": ticket.asunto,
        "estado": ticket.estado,
        "estado_chat": ticket.estado,
        "estado_label": ESTADO_LABELS.get(ticket.estado, ticket.estado),
        "fecha": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "categoria": ticket.categoria,
        "direccion": ticket.direccion,
        "latitud": ticket.latitud,
        "longitud": ticket.longitud,
        "nombre_usuario": ticket.nombre_usuario,
        "email": ticket.email,
        "telefono": ticket.telefono,
        "dni": ticket.dni,
        "channel": ticket.channel,
        "assignedAgent": agent_name,
        "assigned_agent_id": ticket.assigned_agent_id,
        "descripcion": ticket.descripcion,
        "prioridad": ticket.prioridad,
        "lastMessage": last_message,
        "hasUnreadMessages": ticket.has_unread,
        "es_chat_en_vivo": ticket.is_live_chat,
        "urgencia": ticket.urgency,
        "attachment_info": ticket.attachment,
    }


def timeline_wire(
    ticket: Ticket, events: Sequence[TicketEvent], messages: Sequence[TicketMessage]
) -> list[dict[str, Any]]:
    """Creation, status changes, escalations and messages, oldest first."""
    items: list[tuple[dt.datetime, int, dict[str, Any]]] = []
    for ev in events:
        if ev.kind == "ticket_creado":
            entry: dict[str, Any] = {"tipo": "ticket_creado", "fecha": iso(ev.created_at), "estado": ev.to_value}
        elif ev.kind == "estado":
            entry = {
                "tipo": "estado",
                "fecha": iso(ev.created_at),
                "estado": ev.to_value,
                "estado_anterior": ev.from_value,
            }
        else:
            entry = {"tipo": ev.kind, "fecha": iso(ev.created_at), "valor": ev.to_value}
        if ev.actor_name:
            entry["autor"] = ev.actor_name
        if ev.note:
            entry["detalle"] = ev.note
        items.append((ev.created_at, 0, entry))
    for msg in messages:
        wire = message_wire(msg)
        wire["tipo"] = "comentario"
        items.append((msg.created_at, 1, wire))
    items.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in items]


class ReplyIn(BaseModel):
    """Body of an agent or citizen reply."""

    model_config = ConfigDict(extra="ignore")

    comentario: str = Field(default="", max_length=20000)
    attachment_info: dict[str, Any] | None = None


class StatusIn(BaseModel):
    """Body of a status change."""

    model_config = ConfigDict(extra="ignore")

    estado: str = Field(max_length=64)
