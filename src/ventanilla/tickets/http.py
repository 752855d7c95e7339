"""Tickets over HTTP: the agents' panel, the citizen's views and the public PIN lookup."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ventanilla.attachments import service as attachments
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork
from ventanilla.entities import repository as entities_repo
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
LOOKUP_PURPOSE = "pin-lookup"
LOOKUP_COOKIE_SECONDS = 30 * 60


def lookup_cookie_name(ticket_id: int) -> str:
    """The cookie that lets one browser keep reading one ticket after a successful PIN lookup."""
    return f"ventanilla_pin_{ticket_id}"


def grant_lookup(response: Response, ctx: AppContext, ticket: Ticket) -> None:
    """After the PIN matched: a short-lived, signed, HttpOnly cookie valid for this ticket only.

    The lookup page of `63f867f1` asks for the ticket's timeline and messages without the PIN.
    """
    response.set_cookie(
        lookup_cookie_name(ticket.id),
        ctx.signer.sign(LOOKUP_PURPOSE, {"t": ticket.id, "p": ctx.signer.short_mac(LOOKUP_PURPOSE, ticket.pin)}),
        max_age=LOOKUP_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.session_cookie_secure,
        path="/",
    )


def lookup_granted(request: Request, ctx: AppContext, ticket: Ticket) -> bool:
    """Whether this browser looked this ticket up with its PIN recently (and the PIN has not changed since)."""
    raw = request.cookies.get(lookup_cookie_name(ticket.id))
    if not raw:
        return False
    payload = ctx.signer.unsign(LOOKUP_PURPOSE, raw, max_age=LOOKUP_COOKIE_SECONDS)
    return (
        isinstance(payload, dict)
        and payload.get("t") == ticket.id
        and secrets.compare_digest(str(payload.get("p")), ctx.signer.short_mac(LOOKUP_PURPOSE, ticket.pin))
    )


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
    ticket = await repository.get(uow.session, ticket_id)
    if ticket is None:
        raise NotFound("No existe ese reclamo.")
    allowed = service.citizen_owns(ticket, user=user, session_key=session_key_of(request), entity=entity) or (
        user is not None and user.rol == "super_admin"
    )
    by_pin = False
    if not allowed and pin is not None:
        by_pin = allowed = await pins.verify_pin(request.app.state.ctx, ticket, pin, client=client_of(request))
    if not allowed and pin is None:
        # Only for calls without a PIN (what the reference lookup page sends): a wrong PIN stays wrong.
        by_pin = allowed = lookup_granted(request, request.app.state.ctx, ticket)
    if not allowed:
        if user is not None and user.is_staff:
            raise NotFound("No existe ese reclamo.")
        raise Forbidden("No tenés acceso a este reclamo.")
    owner = await entities_repo.get(uow.session, ticket.entity_id)
    if owner is None:
        raise NotFound("No existe ese reclamo.")
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


def _shift(ctx: Ctx, view: schemas.View, field: schemas.DateField) -> dt.timedelta:
    return schemas.date_shift(view, field, ctx.settings.panel_date_shift_hours)


async def _detail(ctx: Ctx, uow: UnitOfWork, ticket: Ticket, view: schemas.View) -> dict[str, Any]:
    messages = await repository.messages(uow.session, ticket.id)
    events = await repository.events(uow.session, ticket.id)
    agent = await repository.agent_summary(uow.session, ticket.assigned_agent_id)
    last = messages[-1].text if messages else None
    ticket_shift = _shift(ctx, view, schemas.DateField.TICKET)
    message_shift = _shift(ctx, view, schemas.DateField.MESSAGE)
    return {
        **schemas.ticket_wire(ticket, agent=agent, last_message=last, date_shift=ticket_shift),
        "mensajes": [schemas.message_wire(m, message_shift) for m in messages],
        "historial": schemas.timeline_wire(ticket, events, [], _shift(ctx, view, schemas.DateField.HISTORY)),
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
    shift = _shift(ctx, schemas.View.PANEL_LIST, schemas.DateField.TICKET)
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
        "prioridad": ticket.prioridad,
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
    response: Response,
    ctx: Ctx,
    uow: UoW,
    entity: OptionalEntity,
    pin: Annotated[str, Query(min_length=1, max_length=12)],
) -> dict[str, Any]:
    """Public lookup by ticket number and PIN; the browser may then read that ticket's timeline and messages."""
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
    grant_lookup(response, ctx, found)
    return _lookup_wire(_for_pin_viewer(await _detail(ctx, uow, found, schemas.View.LOOKUP)))


def _lookup_wire(detail: dict[str, Any]) -> dict[str, Any]:
    # The lookup page refreshes with `performSearch(ticket.nro_ticket, pin)`, which calls `.trim()` on it.
    return {**detail, "nro_ticket": str(detail["nro_ticket"])}


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
    if user is not None and user.is_staff:
        dates = schemas.View.PANEL_DETAIL
    elif view.by_pin:
        dates = schemas.View.LOOKUP
    else:
        dates = schemas.View.CITIZEN_DETAIL
    detail = await _detail(ctx, uow, ticket, dates)
    if view.by_pin:
        detail = _lookup_wire(_for_pin_viewer(detail))
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
    view = schemas.View.TIMELINE
    history_shift = _shift(ctx, view, schemas.DateField.HISTORY)
    message_shift = _shift(ctx, view, schemas.DateField.MESSAGE)
    timeline = schemas.timeline_wire(ticket, events, messages, history_shift, message_shift)
    return {"estado_chat": ticket.estado, "prioridad": ticket.prioridad, "timeline": timeline}


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
