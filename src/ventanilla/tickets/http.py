"""Tickets over HTTP: the agents' panel, the citizen's views and the public PIN lookup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from ventanilla.attachments import service as attachments
from ventanilla.attachments.http import attachment_info, receive_upload
from ventanilla.chat import service as livechat
from ventanilla.db import UnitOfWork
from ventanilla.entities import service as entities
from ventanilla.errors import BadRequest, Forbidden, NotFound, TooLarge
from ventanilla.text import MAX_MESSAGE_CHARS, NONBLANK_PATTERN
from ventanilla.tickets import list_cache, pins, portal, schemas, service
from ventanilla.tickets.auth import CitizenTicket, ReadableTicket, grant_lookup
from ventanilla.tickets.models import Ticket
from ventanilla.users import service as users
from ventanilla.users.models import User
from ventanilla.web import (
    INT32_MAX,
    Ctx,
    CurrentUser,
    LiveFanout,
    OkOut,
    OptionalEntity,
    OptionalUser,
    ORJSONResponse,
    RequestEntity,
    Staff,
    TicketId,
    UoW,
    WireOut,
    client_of,
    errors,
    limit,
    refuse_control_characters,
)

router = APIRouter(tags=["reclamos"], responses=errors(403, 404, 409))
Tipo = Literal["municipio", "pyme"]
MAX_MESSAGE_ID = INT32_MAX  # message ids are 32-bit columns
pin_limit = Depends(limit("pin", lambda ctx: ctx.settings.lookup_rate_limit_per_minute))
MAX_REPLY_FILES = 5
MAX_BUTTONS = 3
_ERR = {"model": dict[str, str]}


class ReplyOut(OkOut):
    """The stored reply (and one more message per extra file)."""

    ok: bool
    mensaje: dict[str, Any]
    estado: str


class TicketOut(WireOut):
    """A ticket as the panel and the widget read it."""

    id: int
    tipo: str
    nro_ticket: int
    estado: str
    asunto: str | None


class TicketListOut(WireOut):
    """The entity's tickets."""

    tickets: list[TicketOut]


class TicketDetailOut(WireOut):
    """A ticket with its messages and history."""

    id: int
    tipo: str
    nro_ticket: int | str  # a string on PIN lookups: the lookup page calls `.trim()` on it
    estado: str
    asunto: str | None
    mensajes: list[dict[str, Any]]
    historial: list[dict[str, Any]]


class MessagesOut(WireOut):
    """Messages after a cursor."""

    estado_chat: str
    estado: str
    ticket_id: int
    nro_ticket: int
    mensajes: list[dict[str, Any]]


class TimelineOut(WireOut):
    """Creation, status changes, escalations and comments in order."""

    estado_chat: str
    timeline: list[dict[str, Any]]


class StatusOut(OkOut):
    """The ticket's status after the change."""

    id: int
    estado: str


class AssignOut(StatusOut):
    """Who has the ticket now."""

    assigned_agent_id: int | None


class LocationOut(OkOut):
    """Where the problem is."""

    direccion: str | None
    latitud: float | None
    longitud: float | None


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
    said_so_far = await service.conversation(uow.session, ticket)
    messages, events, agent = said_so_far.messages, said_so_far.events, said_so_far.agent
    last = messages[-1].text if messages else None
    ticket_shift = _shift(ctx, view, schemas.DateField.TICKET)
    message_shift = _shift(ctx, view, schemas.DateField.MESSAGE)
    said = [schemas.message_wire(m, message_shift) for m in messages]
    if view is schemas.View.PANEL_DETAIL and (lead := schemas.description_wire(ticket, messages, message_shift)):
        said.insert(0, lead)
    return {
        **schemas.ticket_wire(ticket, agent=agent, last_message=last, date_shift=ticket_shift),
        "mensajes": said,
        "historial": schemas.timeline_wire(ticket, events, [], _shift(ctx, view, schemas.DateField.HISTORY)),
    }


OPEN_TICKET_COOKIE = "ventanilla_abrir_ticket"
OPEN_TICKET_SECONDS = 30 * 60


@router.get("/panel/tickets/{ticket_id}", response_class=HTMLResponse)
async def open_in_panel(ticket_id: Annotated[int, Path(ge=1, lt=2**53)], ctx: Ctx) -> HTMLResponse:
    """An agent's email link: the panel's ticket list, opened on this ticket (a page that goes there at once).

    Neither panel version opens a ticket named in its URL; both open the first ticket of `GET /tickets`. So this
    remembers the ticket in a cookie for half an hour (through a login, too) and the next list puts it first, once.
    The cookie names a ticket, it grants nothing: the list is still the agent's own entity's."""
    target = escape(f"{ctx.settings.panel_url.rstrip('/')}/tickets")
    response = HTMLResponse(
        '<!doctype html><html lang="es-AR"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={target}">'
        f'<title>Abrir el reclamo</title></head><body><p><a href="{target}">Abrir el reclamo en el panel</a></p>'
        "</body></html>"
    )
    response.set_cookie(
        OPEN_TICKET_COOKIE,
        str(ticket_id),
        max_age=OPEN_TICKET_SECONDS,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.session_cookie_secure,
        path="/",
    )
    return response


def _asked_to_open(request: Request) -> int | None:
    raw = request.cookies.get(OPEN_TICKET_COOKIE, "")
    return int(raw) if raw.isdigit() and len(raw) < 17 else None


async def panel_query(
    estado: Annotated[str | None, Query(max_length=32)] = None,
    limit_: Annotated[int, Query(alias="limit", ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> service.PanelQuery:
    """The panel list's page, from the query string."""
    return service.PanelQuery(estado=estado, limit=limit_, offset=offset)


@router.get("/tickets", response_model=TicketListOut)
async def list_tickets(
    user: Staff, ctx: Ctx, uow: UoW, request: Request, query: Annotated[service.PanelQuery, Depends(panel_query)]
) -> Response:
    """The entity's tickets, newest activity first (the one an email link opened comes first, once)."""
    if user.entity_id is None:
        return ORJSONResponse({"tickets": []})
    opened = _asked_to_open(request)
    lists = list_cache.of(ctx.engine.sync_engine) if opened is None else None
    key = (user.entity_id, query.limit, query.offset, query.estado)
    if lists is not None and (body := lists.get(key)) is not None:
        return Response(body, media_type="application/json")
    generation = lists.generation if lists is not None else 0
    page = await service.panel_page(uow.session, user.entity_id, query, first=opened)
    rows, histories, files = page.rows, page.histories, page.files
    shift = _shift(ctx, schemas.View.PANEL_LIST, schemas.DateField.TICKET)
    history_shift = _shift(ctx, schemas.View.PANEL_DETAIL, schemas.DateField.HISTORY)
    # Serialised as built: `TicketListOut` documents the shape, and validating 20 wide items against it again cost
    # more than building them.
    listed = ORJSONResponse(
        {
            "tickets": [
                schemas.list_item_wire(
                    schemas.ticket_wire(t, agent=a, last_message=m, date_shift=shift),
                    schemas.timeline_wire(t, histories[t.id], [], history_shift),
                    files[t.id],
                )
                for t, a, m in rows
            ]
        }
    )
    if opened is not None:
        listed.delete_cookie(OPEN_TICKET_COOKIE, path="/")  # a returned Response does not take the injected one's
    if lists is not None:
        lists.put(key, generation, bytes(listed.body))
    return listed


class MyTicketOut(BaseModel):
    """One of the citizen's own tickets."""

    model_config = ConfigDict(extra="allow")

    id: int
    nro_ticket: int
    asunto: str
    estado: str


def _mine(ctx: Ctx, rows: Sequence[Ticket]) -> list[dict[str, Any]]:
    return [
        schemas.ticket_wire(t, date_shift=_shift(ctx, schemas.View.CITIZEN_DETAIL, schemas.DateField.TICKET))
        for t in rows
    ]


@router.get("/tickets/mis", response_model=list[MyTicketOut], responses={401: {"description": "Sin sesión.", **_ERR}})
async def my_tickets(
    ctx: Ctx,
    uow: UoW,
    user: CurrentUser,
    estado: Annotated[str | None, Query(max_length=32)] = None,
    categoria: Annotated[str | None, Query(max_length=120)] = None,
) -> list[dict[str, Any]]:
    """The logged-in citizen's own tickets, newest first (a bare array)."""
    rows = await service.of_citizen(uow.session, user.entity_id, user.id, estado=estado or None)
    if categoria:
        rows = [t for t in rows if (t.categoria or "").casefold() == categoria.casefold()]
    return _mine(ctx, rows)


@router.get(
    "/v1/portal/{slug}/tickets",
    response_model=list[MyTicketOut],
    responses={401: {"description": "Sin sesión.", **_ERR}, 404: {"description": "Tenant desconocido.", **_ERR}},
)
async def portal_tickets(slug: str, ctx: Ctx, uow: UoW, user: CurrentUser) -> list[dict[str, Any]]:
    """The caller's tickets in the portal of one tenant (the newest portal passes the tipo, `municipio`, where the
    slug goes: for a tipo that names no entity, the logged-in citizen's own entity)."""
    if slug in ("municipio", "pyme") and user.entity_id is not None:
        entity = await entities.portal_entity(uow.session, slug, user.entity_id)
    else:
        entity = await entities.by_slug(uow.session, slug)
    return [portal.portal_item(item) for item in _mine(ctx, await service.of_citizen(uow.session, entity.id, user.id))]


class PortalTicketIn(BaseModel):
    """The portal's complaint form."""

    model_config = ConfigDict(extra="ignore")

    # Documented as the default message limit (VENTANILLA_MAX_MESSAGE_CHARS) and not blank, as it is checked.
    descripcion: str = Field(
        max_length=20000, json_schema_extra={"maxLength": MAX_MESSAGE_CHARS, "pattern": NONBLANK_PATTERN}
    )
    categoria: str | None = Field(default=None, max_length=200)
    lat: Annotated[float, Strict()] | None = Field(default=None, ge=-90, le=90)
    lng: Annotated[float, Strict()] | None = Field(default=None, ge=-180, le=180)
    direccion: str | None = Field(default=None, max_length=500)
    metadata: dict[str, Any] | None = None


class PortalTicketOut(BaseModel):
    """The new ticket."""

    ok: bool
    ticket_id: int
    id: int
    nro_ticket: int
    pin: str
    estado: str


def _meta_text(meta: dict[str, Any] | None, *keys: str) -> str | None:
    for key in keys:
        value = (meta or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:320]
    return None


@router.post(
    "/app/tickets",
    status_code=201,
    response_model=PortalTicketOut,
    responses={
        400: {"description": "Datos inválidos.", **_ERR},
        404: {"description": "Tenant desconocido.", **_ERR},
        413: {"description": "Descripción demasiado larga.", **_ERR},
    },
)
async def portal_complaint(
    body: PortalTicketIn, ctx: Ctx, uow: UoW, user: OptionalUser, entity: RequestEntity
) -> dict[str, Any]:
    """File a complaint from the citizen portal, with the bot's rules (category, urgency, emails, panel)."""
    citizen = user if user is not None and not user.is_staff else None
    if len(body.descripcion) > ctx.settings.max_message_chars:
        raise TooLarge(f"La descripción supera el máximo de {ctx.settings.max_message_chars} caracteres.")
    meta = body.metadata
    ticket = await portal.file_complaint(
        uow,
        entity,
        portal.PortalComplaint(
            descripcion=body.descripcion,
            categoria=body.categoria,
            # A point needs both coordinates: half of one is no place.
            latitud=body.lat if body.lng is not None else None,
            longitud=body.lng if body.lat is not None else None,
            direccion=body.direccion or _meta_text(meta, "direccion", "address"),
            nombre=_meta_text(meta, "nombre", "name"),
            email=_meta_text(meta, "email"),
            telefono=_meta_text(meta, "telefono", "phone"),
        ),
        citizen=citizen,
        now=ctx.clock(),
    )
    answer = {
        "ok": True,
        "ticket_id": ticket.id,
        "id": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "pin": ticket.pin,
        "estado": ticket.estado,
    }
    await uow.flush()
    return answer


async def _messages(uow: UnitOfWork, user: User | None, ticket: Ticket, after: int) -> dict[str, Any]:
    messages = await service.messages_after(uow.session, ticket, after)
    staff = user is not None and user.is_staff
    lead = schemas.description_wire(ticket, messages) if staff and after == 0 else None  # the panels read only this
    if not staff:
        # The citizen's own chat page already shows what they typed there (same rule as the socket).
        messages = [m for m in messages if not (m.author_kind == "citizen" and m.origen in ("chat", "web"))]
    said = [schemas.message_wire(m) for m in messages]
    if lead is not None:
        said.insert(0, lead)
    return {
        "estado_chat": ticket.estado,
        "estado": ticket.estado,
        "prioridad": ticket.prioridad,
        "ticket_id": ticket.id,
        "nro_ticket": ticket.nro_ticket,
        "mensajes": said,
    }


@router.get("/tickets/chat/{ticket_id}/mensajes", response_model=MessagesOut)
@router.get("/tickets/chat/pyme/{ticket_id}/mensajes", response_model=MessagesOut)
async def chat_messages(
    ticket_id: TicketId,
    view: ReadableTicket,
    uow: UoW,
    user: OptionalUser,
    ultimo_mensaje_id: Annotated[int, Query(ge=0, le=MAX_MESSAGE_ID)] = 0,
    pin: Annotated[str | None, Query(max_length=12)] = None,
) -> dict[str, Any]:
    """Messages of a chat (municipio or pyme) after `ultimo_mensaje_id`: exactly what a reconnecting client missed."""
    return await _messages(uow, user, view.ticket, ultimo_mensaje_id)


@router.post("/tickets/chat/{ticket_id}/responder_ciudadano", response_model=OkOut, dependencies=[LiveFanout])
async def citizen_reply(
    ticket_id: TicketId,
    body: schemas.ReplyIn,
    view: CitizenTicket,
    ctx: Ctx,
    uow: UoW,
    user: OptionalUser,
) -> dict[str, Any]:
    """The citizen writes in an open conversation."""
    owner, ticket = view.owner, view.ticket
    if user is not None and user.is_staff:
        raise Forbidden("Este endpoint es para el vecino; los agentes responden desde el panel.")
    outcome = await livechat.citizen_message(
        ctx,
        uow,
        owner,
        ticket,
        livechat.CitizenLine(
            text=body.comentario,
            origen="chat",
            citizen=user,
            attachment=attachments.clean_attachment(body.attachment_info),
        ),
    )
    await uow.flush()
    return {"ok": True, **outcome}


@dataclass(frozen=True, slots=True)
class NumberAndPin:
    """What a public lookup asks with: the ticket's number (None when the path holds no usable one) and its PIN."""

    number: int | None
    pin: str


async def number_and_pin(nro: str, pin: Annotated[str, Query(min_length=1, max_length=12)]) -> NumberAndPin:
    """The lookup's number (its digits) and PIN, from the path and the query."""
    digits = "".join(ch for ch in nro if ch.isdecimal())  # isdigit() also takes "¹", which int() refuses
    return NumberAndPin(int(digits) if digits and len(digits) <= 15 else None, pin)


@router.get("/tickets/municipio/por_numero/{nro}", dependencies=[pin_limit], response_model=TicketDetailOut)
async def by_number(
    asked: Annotated[NumberAndPin, Depends(number_and_pin)],
    request: Request,
    response: Response,
    ctx: Ctx,
    uow: UoW,
    entity: OptionalEntity,
) -> dict[str, Any]:
    """Public lookup by ticket number and PIN; the browser may then read that ticket's timeline and messages."""
    pin = asked.pin
    if asked.number is None:
        raise NotFound("No encontramos un reclamo con ese número y PIN.")
    candidates = await service.lookup_candidates(uow.session, entity, asked.number, pins.normalized(pin).decode())
    found = await pins.find_by_pin(ctx, candidates, pin, client=client_of(request))
    if found is None:
        raise NotFound("No encontramos un reclamo con ese número y PIN.")
    grant_lookup(response, ctx, found)
    return _lookup_wire(_for_pin_viewer(await _detail(ctx, uow, found, schemas.View.LOOKUP)))


def _lookup_wire(detail: dict[str, Any]) -> dict[str, Any]:
    # The lookup page refreshes with `performSearch(ticket.nro_ticket, pin)`, which calls `.trim()` on it.
    return {**detail, "nro_ticket": str(detail["nro_ticket"])}


@router.get("/tickets/{tipo}/{ticket_id}", response_model=TicketDetailOut)
async def get_ticket(tipo: Tipo, view: ReadableTicket, ctx: Ctx, uow: UoW) -> dict[str, Any]:
    """A ticket with its messages and history (`ticket_id` and `pin` are read by `ReadableTicket`).

    An agent who opens a ticket has seen it: both panels clear the unread mark this way (neither calls `leido`), so
    the read is followed by that write, in a transaction of its own."""
    ticket = view.ticket
    if view.staff:
        dates = schemas.View.PANEL_DETAIL
    elif view.by_pin:
        dates = schemas.View.LOOKUP
    else:
        dates = schemas.View.CITIZEN_DETAIL
    detail = await _detail(ctx, uow, ticket, dates)
    if view.by_pin:
        detail = _lookup_wire(_for_pin_viewer(detail))
    if view.staff and ticket.has_unread:
        await service.mark_read_apart(ctx.uow, ticket.id)
    return detail


@router.post("/tickets/{tipo}/{ticket_id}/leido", response_model=OkOut)
async def mark_read(tipo: Tipo, ticket_id: TicketId, uow: UoW, user: Staff) -> dict[str, Any]:
    """An agent marks the ticket read (what opening it in the panel also does)."""
    _, ticket = await service.staff_ticket(uow, user, ticket_id)
    await service.mark_read(uow, ticket.id)
    return {"ok": True}


@router.get("/tickets/{tipo}/{ticket_id}/timeline", response_model=TimelineOut)
async def timeline(
    tipo: Tipo,
    ticket_id: TicketId,
    readable: ReadableTicket,
    ctx: Ctx,
    uow: UoW,
    pin: Annotated[str | None, Query(max_length=12)] = None,
) -> dict[str, Any]:
    """Creation, status changes, escalations and comments in order."""
    ticket = readable.ticket
    said_so_far = await service.conversation(uow.session, ticket)
    events, messages = said_so_far.events, said_so_far.messages
    view = schemas.View.TIMELINE
    history_shift = _shift(ctx, view, schemas.DateField.HISTORY)
    message_shift = _shift(ctx, view, schemas.DateField.MESSAGE)
    timeline = schemas.timeline_wire(ticket, events, messages, history_shift, message_shift)
    return {"estado_chat": ticket.estado, "prioridad": ticket.prioridad, "timeline": timeline}


class _ReplyOption(BaseModel):
    id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=100)


class _ReplyButton(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str = "reply"
    reply: _ReplyOption


class _InteractiveBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"required": ["text"]})

    text: str = Field(default="", max_length=20000, json_schema_extra=schemas.VISIBLE_TEXT)


class _InteractiveAction(BaseModel):
    # More than MAX_BUTTONS is a 400 of its own (WhatsApp's maximum), said in the schema.
    buttons: list[_ReplyButton] = Field(
        default_factory=list, max_length=10, json_schema_extra={"maxItems": MAX_BUTTONS}
    )


class _Interactive(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str = "button"
    body: _InteractiveBody
    action: _InteractiveAction


class InteractiveIn(BaseModel):
    """The newest panel's reply with buttons (WhatsApp's interactive shape)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["interactive"]
    interactive: _Interactive


async def _read_reply(
    ctx: Ctx, request: Request
) -> tuple[str, dict[str, Any] | None, list[UploadFile], list[dict[str, str]] | None]:
    """Text, attachment_info, files and buttons of a reply sent as JSON (both shapes) or multipart."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            form = await request.form(max_files=MAX_REPLY_FILES + 1, max_fields=50)
        except StarletteHTTPException as exc:
            if "files" in str(exc.detail).lower():
                raise TooLarge(f"Se aceptan hasta {MAX_REPLY_FILES} archivos por mensaje.") from exc
            raise BadRequest("El formulario no se pudo leer.") from exc
        parts = [f for key in ("archivos", "archivos[]") for f in form.getlist(key)]
        if any(isinstance(part, str) for part in parts):  # a text part is no file: never silently dropped
            raise BadRequest("'archivos' y 'archivos[]' llevan archivos, no texto.")
        files = [f for f in parts if not isinstance(f, str)]
        if len(files) > MAX_REPLY_FILES:
            raise TooLarge(f"Se aceptan hasta {MAX_REPLY_FILES} archivos por mensaje.")
        text = form.get("comentario")
        if text is not None and not isinstance(text, str):
            raise BadRequest("El campo 'comentario' debe ser texto.")
        if text is not None:
            refuse_control_characters(text)
        if text is not None and len(text) > 20000:
            raise TooLarge("El mensaje es demasiado largo.")
        return (text or ""), None, files, None
    try:
        raw = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError as exc:
        raise BadRequest("El cuerpo no es JSON válido.") from exc
    if not isinstance(raw, dict):
        raise BadRequest("El cuerpo debe ser un objeto JSON.")
    try:
        if raw.get("type") == "interactive":
            interactive = InteractiveIn.model_validate(raw).interactive
            buttons = [{"texto": b.reply.title, "action": b.reply.id} for b in interactive.action.buttons]
            if len(buttons) > MAX_BUTTONS:
                raise BadRequest(f"Se aceptan hasta {MAX_BUTTONS} botones (el máximo de WhatsApp).")
            return interactive.body.text, None, [], buttons or None
        plain = schemas.ReplyIn.model_validate(raw)
    except ValidationError as exc:
        problems = exc.errors()
        where = ".".join(str(p) for p in problems[0]["loc"]) if problems else ""
        raise BadRequest(f"Campo '{where}' inválido.") from exc
    return plain.comentario, plain.attachment_info, [], None


_INTERACTIVE = "interactive"
_FILES = {"type": "array", "items": {"type": "string", "format": "binary", "minLength": 1}, "maxItems": MAX_REPLY_FILES}
_REPLY_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "description": (
                    "Something to say: a visible `comentario`, or files under `archivos` or `archivos[]` (5 at most "
                    "in all; more is a 413). Stated in words only: a form's empty list is no field at all, and "
                    "schemathesis 4.32 misjudges alternatives over form fields."
                ),
                "properties": {
                    "comentario": {"type": "string", "maxLength": MAX_MESSAGE_CHARS},
                    "archivos": _FILES,
                    "archivos[]": _FILES,
                },
            }
        },
        "application/json": {
            "schema": {
                "anyOf": [
                    {
                        "allOf": [schemas.ReplyIn.model_json_schema(ref_template="#/components/schemas/{model}")],
                        # `type: interactive` is read as the other shape, whatever else the body carries.
                        "not": {
                            "type": "object",
                            "required": ["type"],
                            "properties": {"type": {"const": _INTERACTIVE}},
                        },
                    },
                    InteractiveIn.model_json_schema(ref_template="#/components/schemas/{model}"),
                ]
            }
        },
    }
}


@router.post(
    "/tickets/{tipo}/{ticket_id}/responder",
    response_model=ReplyOut,
    dependencies=[LiveFanout],
    openapi_extra={"requestBody": _REPLY_BODY},
    responses={
        400: {"description": "Cuerpo inválido.", **_ERR},
        404: {"description": "No existe ese reclamo.", **_ERR},
        413: {"description": "Archivos o texto por encima del límite.", **_ERR},
    },
)
async def agent_reply(
    tipo: Tipo, ticket_id: TicketId, request: Request, ctx: Ctx, uow: UoW, user: Staff
) -> dict[str, Any]:
    """An agent answers (JSON, interactive JSON with buttons, or multipart with files under `archivos`); on a
    resolved or closed ticket the message is a note after closing and the status stays."""
    entity, ticket = await service.staff_ticket(uow, user, ticket_id)
    text, attachment, files, buttons = await _read_reply(ctx, request)
    attachment = attachments.clean_attachment(attachment)
    stored = [attachment_info(ctx, await receive_upload(ctx, f)) for f in files]
    first = stored[0] if stored else attachment
    message = await livechat.agent_message(
        ctx, uow, entity, ticket, livechat.AgentReply(agent=user, text=text, attachment=first, buttons=buttons)
    )
    extra = [
        await livechat.agent_message(
            ctx, uow, entity, ticket, livechat.AgentReply(agent=user, text="", attachment=info)
        )
        for info in stored[1:]
    ]
    await uow.flush()
    return {
        "ok": True,
        "mensaje": schemas.message_wire(message),
        "mensajes": [schemas.message_wire(m) for m in (message, *extra)],
        "estado": ticket.estado,
    }


@router.put("/tickets/{tipo}/{ticket_id}/estado", response_model=StatusOut)
async def change_status(
    tipo: Tipo, ticket_id: TicketId, body: schemas.StatusIn, ctx: Ctx, uow: UoW, user: Staff
) -> dict[str, Any]:
    """An agent changes the ticket's status; closing a live chat says goodbye and frees the agent."""
    entity, ticket = await service.staff_ticket(uow, user, ticket_id)
    await livechat.set_status(ctx, uow, entity, ticket, body.estado, actor=user)
    await uow.flush()
    return {"ok": True, "id": ticket.id, "estado": ticket.estado}


# An id as text (the newest panel's select gives strings): digits, maybe padded with spaces; "" names nobody.
_IdText = Annotated[str, Field(pattern=r"^ *[0-9]{0,11} *$")]


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("un id no es verdadero ni falso")  # JSON Schema's integer excludes true/false
    return value


_IdNumber = Annotated[int, BeforeValidator(_not_a_boolean)]


class AssignIn(BaseModel):
    """Whom to give the ticket to (the newest panel sends the id under three names)."""

    model_config = ConfigDict(extra="ignore")

    user_id: _IdNumber | _IdText | None = None
    assigned_user_id: _IdNumber | _IdText | None = None
    assigned_to: _IdNumber | _IdText | None = None

    def target(self) -> int | None:
        """The agent's id, if one was named (the first of the three names that carries one)."""
        for value in (self.user_id, self.assigned_user_id, self.assigned_to):
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip(" "):
                return int(value.strip(" "))
        return None


@router.post(
    "/tickets/{tipo}/{ticket_id}/assign",
    response_model=AssignOut,
    responses={
        400: {"description": "Id de agente inválido.", **_ERR},
        404: {"description": "No existe el reclamo o el agente.", **_ERR},
        409: {"description": "Reclamo cerrado o ya asignado a quien lo toma.", **_ERR},
    },
)
@router.post(
    "/tickets/{tipo}/{ticket_id}/asignar", response_model=AssignOut, responses={400: _ERR, 404: _ERR, 409: _ERR}
)
@router.post(
    "/tickets/{tipo}/{ticket_id}/asignacion", response_model=AssignOut, responses={400: _ERR, 404: _ERR, 409: _ERR}
)
async def assign(
    tipo: Tipo, ticket_id: TicketId, ctx: Ctx, uow: UoW, user: Staff, body: AssignIn | None = None
) -> dict[str, Any]:
    """Give a ticket to an agent of its entity (`user_id`), or take it yourself when no one is named."""
    entity, ticket = await service.staff_ticket(uow, user, ticket_id)
    target_id = body.target() if body is not None else None
    if target_id is None:
        await livechat.take(ctx, uow, entity, ticket, user)
    else:
        agent = await users.staff_member(uow.session, ticket.entity_id, target_id)
        await livechat.assign_to(ctx, uow, entity, ticket, agent, actor=user)
    agent_summary = await service.assigned_agent(uow.session, ticket)
    await uow.flush()
    return {
        "ok": True,
        "id": ticket.id,
        "estado": ticket.estado,
        "assigned_agent_id": ticket.assigned_agent_id,
        "assignedAgent": (
            {"id": agent_summary[0], "nombre_usuario": agent_summary[1], "email": agent_summary[2]}
            if agent_summary
            else None
        ),
    }


class LocationIn(BaseModel):
    """A place for the ticket: coordinates, an address, or both."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "anyOf": [
                {"required": ["lat", "lon"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
                {"required": ["direccion"], "properties": {"direccion": {"type": "string"}}},
            ]
        },
    )

    lat: Annotated[float, Strict()] | None = Field(default=None, ge=-90, le=90)
    lon: Annotated[float, Strict()] | None = Field(default=None, ge=-180, le=180)
    direccion: str | None = Field(default=None, max_length=500)


@router.put("/tickets/chat/{ticket_id}/ubicacion", response_model=LocationOut)
@router.put("/tickets/{tipo}/{ticket_id}/ubicacion", response_model=LocationOut)
async def set_location(
    ticket_id: TicketId,
    body: LocationIn,
    view: CitizenTicket,
    uow: UoW,
    user: OptionalUser,
    tipo: str | None = None,
) -> dict[str, Any]:
    """The citizen (or an agent) tells where the problem is."""
    if body.direccion is None and (body.lat is None or body.lon is None):
        raise BadRequest("Mandá `lat` y `lon`, o una `direccion`.")
    owner, ticket = view.owner, view.ticket
    where = service.Location(direccion=body.direccion, latitud=body.lat, longitud=body.lon)
    await service.set_location(uow, owner, ticket, where, actor=user)
    await uow.flush()
    return {"ok": True, "direccion": ticket.direccion, "latitud": ticket.latitud, "longitud": ticket.longitud}
