"""Ticket use cases: create, converse, change status, authorize; listeners hear every change."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from ventanilla.chat import keys
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.domain import Estado
from ventanilla.entities import repository as entities_repo
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict, Forbidden, NotFound, TooLarge
from ventanilla.security import same_text
from ventanilla.text import MAX_MESSAGE_CHARS, one_line
from ventanilla.tickets import repository
from ventanilla.tickets.models import CHANNELS, ESTADOS, PRIORIDADES, Ticket, TicketEvent, TicketMessage
from ventanilla.users.models import User

_ID_FLOOR = 1 << 40

# What the panel offers (nuevo, en_proceso, resuelto; cerrado shows as resolved) is allowed from any state;
# the live-chat states only make sense for live chats.
PANEL_ESTADOS = frozenset({Estado.NUEVO, Estado.EN_PROCESO, Estado.RESUELTO, Estado.CERRADO})

ESTADO_LABELS: dict[str, str] = {
    Estado.NUEVO: "Nuevo",
    Estado.EN_PROCESO: "En proceso",
    Estado.ESPERANDO_AGENTE: "Esperando un representante",
    Estado.EN_VIVO: "En conversación con un representante",
    Estado.RESUELTO: "Resuelto",
    Estado.CERRADO: "Cerrado",
}


def new_ticket_id() -> int:
    """A random id in [2**40, 2**53): unguessable, and exact in JavaScript numbers."""
    return _ID_FLOOR + secrets.randbelow((1 << 53) - _ID_FLOOR)


def new_pin() -> str:
    """A six-digit PIN for the public lookup."""
    return f"{secrets.randbelow(10**6):06d}"


@dataclass(slots=True)
class NewTicket:
    """What a new ticket is made of."""

    asunto: str
    descripcion: str | None = None
    categoria: str | None = None
    direccion: str | None = None
    latitud: float | None = None
    longitud: float | None = None
    channel: str = "web"
    nombre: str | None = None
    email: str | None = None
    telefono: str | None = None
    dni: str | None = None
    prioridad: str = "media"
    estado: str = Estado.NUEVO
    is_live_chat: bool = False
    chat_session_key: str | None = None
    idempotency_key: str | None = None
    citizen: User | None = None
    attachment: dict[str, Any] | None = None
    urgency: dict[str, Any] | None = field(default=None)


def check_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Trimmed message text within the limit."""
    text = (text or "").strip()
    if not text:
        raise BadRequest("El mensaje está vacío.")
    if len(text) > limit:
        raise TooLarge(f"El mensaje supera el máximo de {limit} caracteres.")
    return text


async def create_ticket(uow: UnitOfWork, entity: Entity, data: NewTicket) -> tuple[Ticket, bool]:
    """Create a ticket (or return the one made with the same idempotency key) and tell the listeners."""
    session = uow.session
    if data.idempotency_key:
        existing = await repository.by_idempotency_key(session, entity.id, data.idempotency_key)
        if existing is not None:
            return _same_caller(existing, data), False
    if data.channel not in CHANNELS or data.prioridad not in PRIORIDADES or data.estado not in ESTADOS:
        raise BadRequest("Datos del reclamo inválidos.")
    if data.descripcion is not None and len(data.descripcion) > MAX_MESSAGE_CHARS:
        raise TooLarge(f"La descripción supera el máximo de {MAX_MESSAGE_CHARS} caracteres.")
    now = utcnow()
    ticket = Ticket(
        id=new_ticket_id(),
        entity_id=entity.id,
        nro_ticket=await entities_repo.next_ticket_number(session, entity.id),
        pin=new_pin(),
        tipo=entity.tipo,
        asunto=(data.asunto or "Reclamo").strip()[:300],
        descripcion=data.descripcion,
        categoria=data.categoria,
        estado=data.estado,
        prioridad=data.prioridad,
        channel=data.channel,
        direccion=data.direccion,
        latitud=data.latitud,
        longitud=data.longitud,
        citizen_id=data.citizen.id if data.citizen else None,
        nombre_usuario=data.nombre or (data.citizen.name if data.citizen else None),
        email=data.email or (data.citizen.email if data.citizen else None),
        telefono=data.telefono or (data.citizen.phone if data.citizen else None),
        dni=data.dni,
        chat_session_key=data.chat_session_key,
        is_live_chat=data.is_live_chat,
        live_requested_at=now if data.is_live_chat else None,
        idempotency_key=data.idempotency_key,
        urgency=data.urgency,
        attachment=data.attachment,
        has_unread=False,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(ticket)
            await session.flush()
    except IntegrityError:
        if data.idempotency_key:
            existing = await repository.by_idempotency_key(session, entity.id, data.idempotency_key)
            if existing is not None:
                return _same_caller(existing, data), False
        raise
    session.add(TicketEvent(ticket_id=ticket.id, kind="ticket_creado", to_value=ticket.estado, created_at=now))
    for listener in uow.listeners:
        await listener.ticket_created(uow, entity, ticket)
    return ticket, True


def _same_caller(existing: Ticket, data: NewTicket) -> Ticket:
    """A repeated idempotency key returns the ticket only to whoever created it (it carries the PIN)."""
    same_session = bool(data.chat_session_key) and existing.chat_session_key == data.chat_session_key
    same_citizen = data.citizen is not None and existing.citizen_id == data.citizen.id
    if not (same_session or same_citizen):
        raise Conflict("Esa clave de idempotencia ya se usó en otra conversación.")
    return existing


async def add_message(
    uow: UnitOfWork,
    entity: Entity,
    ticket: Ticket,
    *,
    author_kind: str,
    text: str,
    origen: str,
    author: User | None = None,
    author_name: str | None = None,
    attachment: dict[str, Any] | None = None,
    external_id: str | None = None,
    allow_closed: bool = False,
    buttons: list[dict[str, str]] | None = None,
    notify: bool = True,
    told_in_answer: bool = False,
) -> TicketMessage:
    """Append a message to the conversation and tell the listeners (unless `notify` is False: the message is
    part of how the ticket opened, and the citizen already saw it as the bot's answer). `told_in_answer`: the
    citizen reads it in this turn's answer, so only the panels hear it (`TicketMessage.told_in_answer`)."""
    if ticket.is_closed and not allow_closed:
        raise Conflict("El reclamo está cerrado; no admite nuevos mensajes.")
    text = check_text(text) if not attachment else (text or "").strip()[:MAX_MESSAGE_CHARS]
    now = utcnow()
    message = TicketMessage(
        ticket_id=ticket.id,
        author_kind=author_kind,
        author_user_id=author.id if author else None,
        author_name=author_name or (author.name if author else None),
        text=text,
        origen=origen,
        attachment=attachment,
        buttons=buttons,
        external_id=external_id,
        created_at=now,
    )
    message.told_in_answer = told_in_answer
    uow.session.add(message)
    ticket.updated_at = now
    ticket.has_unread = author_kind == "citizen"
    await uow.session.flush()
    if notify:
        for listener in uow.listeners:
            await listener.message_added(uow, entity, ticket, message, author)
    return message


def transition_error(ticket: Ticket, estado: str) -> str | None:
    """Why a ticket cannot move to `estado`, or None when it can."""
    if estado not in ESTADOS:
        return f"Estado inválido: {estado!r}. Valores posibles: {', '.join(ESTADOS)}."
    if estado in PANEL_ESTADOS:
        return None
    if not ticket.is_live_chat:
        return f"'{estado}' es un estado del chat en vivo y este reclamo no es un chat en vivo."
    if estado == Estado.EN_VIVO and ticket.assigned_agent_id is None:
        return "Un chat pasa a 'en_vivo' cuando un agente lo toma (asignar o responder)."
    return None


async def change_status(
    uow: UnitOfWork, entity: Entity, ticket: Ticket, estado: str, actor: User | None, note: str | None = None
) -> bool:
    """Move a ticket to another estado, recording who did it; False when it already was there (idempotent)."""
    error = transition_error(ticket, estado)
    if error is not None:
        raise BadRequest(error) if estado not in ESTADOS else Conflict(error)
    old = ticket.estado
    if estado == old:
        return False
    ticket.estado = estado
    ticket.updated_at = utcnow()
    uow.session.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind="estado",
            from_value=old,
            to_value=estado,
            actor_user_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            note=note,
        )
    )
    await uow.session.flush()
    for listener in uow.listeners:
        await listener.status_changed(uow, entity, ticket, old, actor)
    return True


async def set_location(
    uow: UnitOfWork,
    entity: Entity,
    ticket: Ticket,
    *,
    direccion: str | None,
    latitud: float | None,
    longitud: float | None,
    actor: User | None,
) -> bool:
    """Record where the problem is (an address, a point or both); False when nothing changed."""
    changed = False
    address = one_line(direccion, 255) if direccion else ""
    if address and address != ticket.direccion:
        ticket.direccion, changed = address, True
    if latitud is not None and longitud is not None and (latitud, longitud) != (ticket.latitud, ticket.longitud):
        ticket.latitud, ticket.longitud, changed = latitud, longitud, True
    if not changed:
        return False
    ticket.updated_at = utcnow()
    where = ", ".join(part for part in (ticket.direccion, _point(ticket.latitud, ticket.longitud)) if part)
    record_event(uow, ticket, "ubicacion", to_value=where[:255], note=f"Ubicación: {where}", actor=actor)
    await uow.session.flush()
    for listener in uow.listeners:
        await listener.location_changed(uow, entity, ticket, actor)
    return True


def _point(latitud: float | None, longitud: float | None) -> str | None:
    """The point as text ("lat, lon"), when both coordinates are known."""
    return f"{latitud:.5f}, {longitud:.5f}" if latitud is not None and longitud is not None else None


def record_event(
    uow: UnitOfWork,
    ticket: Ticket,
    kind: str,
    *,
    to_value: str | None = None,
    note: str | None = None,
    actor: User | None = None,
) -> None:
    """Add an entry to the ticket's history (assignment, escalation, priority)."""
    uow.session.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind=kind,
            to_value=to_value,
            note=note,
            actor_user_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
        )
    )


async def staff_ticket(uow: UnitOfWork, user: User, ticket_id: int) -> tuple[Entity, Ticket]:
    """A ticket the agent may act on (same entity); otherwise it does not exist for them."""
    if not user.is_staff:
        raise Forbidden("Solo el personal de la entidad puede hacer esto.")
    # The path's tipo is not checked: the frontend asks for /tickets/municipio/{id} even for pyme tickets,
    # and the id alone identifies the ticket.
    found = await repository.get_with_entity(uow.session, ticket_id)
    if found is None or (user.rol != "super_admin" and found[0].entity_id != user.entity_id):
        raise NotFound("No existe ese reclamo.")
    ticket, entity = found
    return entity, ticket


def citizen_owns(ticket: Ticket, *, user: User | None, session_key: str | None, entity: Entity | None) -> bool:
    """The one ownership rule: whether a caller may act on a ticket as its citizen (or as staff of its entity).

    The caller is its account (the ticket's citizen, or staff of the ticket's entity), or the chat session that
    filed it: a server-built key (`chat.keys`) of the ticket's own channel, in the ticket's entity. A key only
    ever names a conversation of its channel, so a browser's session never owns a WhatsApp or email ticket.
    """
    if user is not None and ticket.citizen_id is not None and user.id == ticket.citizen_id:
        return True
    if user is not None and user.is_staff and user.entity_id == ticket.entity_id:
        return True
    return bool(
        session_key
        and ticket.chat_session_key
        and keys.channel_of(session_key) == ticket.channel
        and same_text(session_key, ticket.chat_session_key)
        and (entity is None or entity.id == ticket.entity_id)
    )
