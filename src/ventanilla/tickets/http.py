"""Tickets over HTTP: the agents' panel, the citizen's views and the public PIN lookup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ventanilla.attachments import service as attachments
from ventanilla.chat import service as livechat
from ventanilla.db import UnitOfWork
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Forbidden, NotFound
from ventanilla.tickets import pins, repository, schemas, service
from ventanilla.tickets.models import Ticket
from ventanilla.users.models import User
from ventanilla.web import Ctx, OptionalEntity, OptionalUser, Staff, UoW, client_of, limit, session_key_of

router = APIRouter(tags=["reclamos"])
Tipo = Literal["municipio", "pyme"]
MAX_ID = 2**53
TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]
pin_limit = Depends(limit("pin", lambda ctx: ctx.settings.lookup_rate_limit_per_minute))


@dataclass(frozen=True, slots=True)
class View:
    """A ticket the caller may read, its entity, and whether only its PIN let the caller in."""

    owner: Entity
    ticket: Ticket
    by_pin: bool


async def _view(
    uow: UnitOfWork,
    request: Request,
    ticket_id: int,
    user: User | None,
    entity: Entity | None,
    pin: str | None = None,
) -> View:
    """A ticket the caller may read: staff of its entity, its citizen (account or chat session), or its PIN."""
    found = await repository.get_with_entity(uow.session, ticket_id)
    if found is None:
        raise NotFound("No existe ese reclamo.")
    ticket, owner = found
    allowed = service.citizen_owns(ticket, user=user, session_key=session_key_of(request), entity=entity) or (
        user is not None and user.rol == "super_admin"
    )
    by_pin = False
    if not allowed and pin is not None:
        by_pin = allowed = await pins.verify_pin(request.app.state.ctx, ticket, pin, client=client_of(request))
    if not allowed:
        if user is not None and user.is_staff:
            raise NotFound("No existe ese reclamo.")
        raise Forbidden("No tenés acceso a este reclamo.")
    return View(owner, ticket, by_pin)


async def _viewable(
    uow: UnitOfWork,
    request: Request,
    ticket_id: int,
    user: User | None,
    entity: Entity | None,
    pin: str | None = None,
) -> tuple[Entity, Ticket]:
    """A ticket the caller may read and its entity (see `_view`)."""
    view = await _view(uow, request, ticket_id, user, entity, pin=pin)
    return view.owner, view.ticket


def _for_pin_viewer(detail: dict[str, Any]) -> dict[str, Any]:
    """A ticket's detail without the citizen's DNI: a PIN proves knowing the ticket, not being its citizen."""
    detail["dni"] = None
    personal = detail.get("informacion_personal_vecino")
    if isinstance(personal, dict):
        personal["dni"] = None
    return detail


def _shift(ctx: Ctx) -> dt.timedelta:
    return dt.timedelta(hours=ctx.settings.panel_date_shift_hours)


async def _detail(ctx: Ctx, uow: UnitOfWork, ticket: Ticket) -> dict[str, Any]:
    messages = await repository.messages(uow.session, ticket.id)
    events = await repository.events(uow.session, ticket.id)
    agent = await repository.agent_summary(uow.session, ticket.assigned_agent_id)
    last = messages[-1].text if messages else None
    return {
        **schemas.ticket_wire(ticket, agent=agent, last_message=last, date_shift=_shift(ctx)),
        "mensajes": [schemas.message_wire(m) for m in messages],
        "historial": schemas.timeline_wire(ticket, events, [], _shift(ctx)),
    }


@router.get("/tickets")
async def list_tickets(
    user: Staff,
    ctx: Ctx,
    uow: UoW,
    estado: Annotated[str | None, Query(max_length=32)] = None,
    limit_: Annotated[int, Query(alias="limit", ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """The entity's tickets, newest activity first."""
    if user.entity_id is None:
        return {"tickets": []}
    rows = await repository.list_for_entity(uow.session, user.entity_id, limit=limit_, offset=offset, estado=estado)
    shift = _shift(ctx)
    return {"tickets": [schemas.ticket_wire(t, agent=a, last_message=m, date_shift=shift) for t, a, m in rows]}


async def _messages(
    request: Request,
    uow: UnitOfWork,
    ticket_id: int,
    user: User | None,
    entity: Entity | None,
    after: int,
    pin: str | None,
) -> dict[str, Any]:
    _, ticket = await _viewable(uow, request, ticket_id, user, entity, pin=pin)
    messages = await repository.messages(uow.session, ticket.id, after_id=after)
    if user is None or not user.is_staff:
        # The citizen's own chat page already shows what they typed there (same rule as the socket).
        messages = [m for m in messages if not (m.author_kind == "citizen" and m.origen in ("chat", "web"))]
    return {
        "estado_chat": ticket.estado,
        "estado": ticket.estado,
        "ticket_id": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "mensajes": [schemas.message_wire(m) for m in messages],
    }


@router.get("/tickets/chat/{ticket_id}/mensajes")
@router.get("/tickets/chat/pyme/{ticket_id}/mensajes")
async def chat_messages(
    ticket_id: TicketId,
    request: Request,
    uow: UoW,
    user: OptionalUser,
    entity: OptionalEntity,
    ultimo_mensaje_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    pin: Annotated[str | None, Query(max_length=12)] = None,
) -> dict[str, Any]:
    """Messages of a chat (municipio or pyme) after `ultimo_mensaje_id`: exactly what a reconnecting client missed."""
    return await _messages(request, uow, ticket_id, user, entity, ultimo_mensaje_id, pin)


@router.post("/tickets/chat/{ticket_id}/responder_ciudadano")
async def citizen_reply(
    ticket_id: TicketId,
    body: schemas.ReplyIn,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    user: OptionalUser,
    entity: OptionalEntity,
) -> dict[str, Any]:
    """The citizen writes in an open conversation."""
    owner, ticket = await _viewable(uow, request, ticket_id, user, entity)
    if user is not None and user.is_staff:
        raise Forbidden("Este endpoint es para el vecino; los agentes responden desde el panel.")
    outcome = await livechat.citizen_message(
        ctx,
        uow,
        owner,
        ticket,
        text=body.comentario,
        origen="chat",
        citizen=user,
        attachment=attachments.clean_attachment(body.attachment_info),
    )
    await uow.commit()
    return {"ok": True, **outcome}


@router.get("/tickets/municipio/por_numero/{nro}", dependencies=[pin_limit])
async def by_number(
    nro: str,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    entity: OptionalEntity,
    pin: Annotated[str, Query(min_length=1, max_length=12)],
) -> dict[str, Any]:
    """Public lookup by ticket number and PIN."""
    digits = "".join(ch for ch in nro if ch.isdigit())
    if not digits or len(digits) > 15:
        raise NotFound("No encontramos un reclamo con ese número y PIN.")
    candidates = (
        [t for t in [await repository.by_number(uow.session, entity.id, int(digits))] if t]
        if entity is not None
        else list(await repository.by_number_any_entity(uow.session, int(digits)))
    )
    found = await pins.find_by_pin(ctx, candidates, pin, client=client_of(request))
    if found is None:
        raise NotFound("No encontramos un reclamo con ese número y PIN.")
    return _for_pin_viewer(await _detail(ctx, uow, found))


@router.get("/tickets/{tipo}/{ticket_id}")
async def get_ticket(
    tipo: Tipo,
    ticket_id: TicketId,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    user: OptionalUser,
    entity: OptionalEntity,
    pin: Annotated[str | None, Query(max_length=12)] = None,
) -> dict[str, Any]:
    """A ticket with its messages and history."""
    view = await _view(uow, request, ticket_id, user, entity, pin=pin)
    ticket = view.ticket
    detail = await _detail(ctx, uow, ticket)
    if view.by_pin:
        _for_pin_viewer(detail)
    if user is not None and user.is_staff and ticket.has_unread:
        ticket.has_unread = False
        await uow.commit()
    return detail


@router.get("/tickets/{tipo}/{ticket_id}/timeline")
async def timeline(
    tipo: Tipo,
    ticket_id: TicketId,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    user: OptionalUser,
    entity: OptionalEntity,
    pin: Annotated[str | None, Query(max_length=12)] = None,
) -> dict[str, Any]:
    """Creation, status changes, escalations and comments in order."""
    _, ticket = await _viewable(uow, request, ticket_id, user, entity, pin=pin)
    events = await repository.events(uow.session, ticket.id)
    messages = await repository.messages(uow.session, ticket.id)
    return {"estado_chat": ticket.estado, "timeline": schemas.timeline_wire(ticket, events, messages, _shift(ctx))}


@router.post("/tickets/{tipo}/{ticket_id}/responder")
async def agent_reply(
    tipo: Tipo, ticket_id: TicketId, body: schemas.ReplyIn, ctx: Ctx, uow: UoW, user: Staff
) -> dict[str, Any]:
    """An agent answers; a waiting live chat is taken by the agent who replies."""
    entity, ticket = await service.staff_ticket(uow, user, ticket_id)
    attachment = attachments.clean_attachment(body.attachment_info)
    message = await livechat.agent_message(
        ctx, uow, entity, ticket, agent=user, text=body.comentario, attachment=attachment
    )
    await uow.commit()
    return {"ok": True, "mensaje": schemas.message_wire(message), "estado": ticket.estado}


@router.put("/tickets/{tipo}/{ticket_id}/estado")
async def change_status(
    tipo: Tipo, ticket_id: TicketId, body: schemas.StatusIn, ctx: Ctx, uow: UoW, user: Staff
) -> dict[str, Any]:
    """An agent changes the ticket's status; closing a live chat says goodbye and frees the agent."""
    entity, ticket = await service.staff_ticket(uow, user, ticket_id)
    await livechat.set_status(ctx, uow, entity, ticket, body.estado, actor=user)
    await uow.commit()
    return {"ok": True, "id": ticket.id, "estado": ticket.estado}


@router.post("/tickets/{tipo}/{ticket_id}/asignar")
async def assign(tipo: Tipo, ticket_id: TicketId, ctx: Ctx, uow: UoW, user: Staff) -> dict[str, Any]:
    """An agent takes a ticket (a waiting live chat becomes theirs)."""
    entity, ticket = await service.staff_ticket(uow, user, ticket_id)
    await livechat.take(ctx, uow, entity, ticket, user)
    await uow.commit()
    return {"ok": True, "id": ticket.id, "estado": ticket.estado, "assigned_agent_id": ticket.assigned_agent_id}


class LocationIn(BaseModel):
    """A place for the ticket: coordinates, an address, or both."""

    model_config = ConfigDict(extra="ignore")

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    direccion: str | None = Field(default=None, max_length=500)


@router.put("/tickets/chat/{ticket_id}/ubicacion")
@router.put("/tickets/{tipo}/{ticket_id}/ubicacion")
async def set_location(
    ticket_id: TicketId,
    body: LocationIn,
    request: Request,
    uow: UoW,
    user: OptionalUser,
    entity: OptionalEntity,
    tipo: str | None = None,
) -> dict[str, Any]:
    """The citizen (or an agent) tells where the problem is."""
    if body.direccion is None and (body.lat is None or body.lon is None):
        raise BadRequest("Mandá `lat` y `lon`, o una `direccion`.")
    _, ticket = await _viewable(uow, request, ticket_id, user, entity)
    if body.direccion is not None and body.direccion.strip():
        ticket.direccion = body.direccion.strip()
    if body.lat is not None and body.lon is not None:
        ticket.latitud, ticket.longitud = body.lat, body.lon
    await uow.commit()
    return {"ok": True, "direccion": ticket.direccion, "latitud": ticket.latitud, "longitud": ticket.longitud}
