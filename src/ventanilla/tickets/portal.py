"""Complaints filed from the citizen portal (`POST /app/tickets`): the bot's rules without the conversation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ventanilla.db import UnitOfWork, utcnow
from ventanilla.domain import Estado
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest
from ventanilla.text import MAX_MESSAGE_CHARS, one_line
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket
from ventanilla.urgency import classify
from ventanilla.users.models import User


@dataclass(slots=True)
class PortalComplaint:
    """What the portal's form sends."""

    descripcion: str
    categoria: str | None = None
    latitud: float | None = None
    longitud: float | None = None
    direccion: str | None = None
    nombre: str | None = None
    email: str | None = None
    telefono: str | None = None


async def file_complaint(
    uow: UnitOfWork, entity: Entity, form: PortalComplaint, *, citizen: User | None, now: dt.datetime
) -> Ticket:
    """Create the ticket as the bot would: canonical category, urgency verdict, listeners (panel, emails)."""
    descripcion = (form.descripcion or "").strip()
    if not descripcion:
        raise BadRequest("Contanos qué pasó en la descripción.")
    descripcion = descripcion[:MAX_MESSAGE_CHARS]
    found = entities.category_id(entity, form.categoria)
    categoria = entities.categories_of(entity)[found - 1] if found else (one_line(form.categoria, 120) or None)
    verdict = classify(descripcion)
    urgent = verdict.urgent
    urgency: dict[str, Any] | None = None
    if urgent:
        urgency = {
            **verdict.to_dict(),
            "notify_oncall": not entities.live_chat_open(entity, now),
            "detected_at": utcnow().isoformat(),
        }
    summary = f"{categoria}: {descripcion}" if categoria else descripcion
    ticket, _ = await tickets.create_ticket(
        uow,
        entity,
        tickets.NewTicket(
            asunto=(f"URGENTE: {summary}" if urgent else summary)[:120],
            descripcion=descripcion,
            categoria=categoria,
            direccion=one_line(form.direccion, 500) or None,
            latitud=form.latitud,
            longitud=form.longitud,
            channel="web",
            nombre=one_line(form.nombre) or None,
            email=form.email,
            telefono=form.telefono,
            prioridad="urgente" if urgent else "media",
            citizen=citizen,
            urgency=urgency,
        ),
    )
    if urgent:
        reasons = ", ".join(verdict.reasons) or "mensaje urgente"
        tickets.record_event(uow, ticket, "urgencia", to_value=verdict.category, note=f"Escalado: {reasons}")
    return ticket


_PORTAL_STATUS: dict[str, str] = {
    Estado.NUEVO: "open",
    Estado.EN_PROCESO: "in_progress",
    Estado.ESPERANDO_AGENTE: "pending",
    Estado.EN_VIVO: "in_progress",
    Estado.RESUELTO: "resolved",
    Estado.CERRADO: "closed",
}


def portal_item(ticket: dict[str, Any]) -> dict[str, Any]:
    """A ticket with the newest portal's "Mis reclamos" keys beside the panel's: `status` (its English values),
    `subject`, `created_at` (a date it formats; an invalid one breaks the page) and `messages [{content}]`."""
    last = ticket.get("lastMessage")
    return {
        **ticket,
        "status": _PORTAL_STATUS.get(str(ticket.get("estado")), "open"),
        "subject": ticket.get("asunto") or ticket.get("categoria") or f"Reclamo N.º {ticket.get('nro_ticket')}",
        "created_at": ticket.get("fecha_utc") or ticket.get("fecha"),
        "messages": [{"content": last}] if last else [],
    }
