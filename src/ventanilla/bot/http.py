"""The widget's bot endpoint: POST /ask/{municipio|pyme}."""

from __future__ import annotations

import math
import secrets
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from ventanilla.attachments import service as attachments
from ventanilla.bot import engine
from ventanilla.bot import service as bot
from ventanilla.errors import TooLarge
from ventanilla.users.models import User
from ventanilla.web import (
    Ctx,
    OptionalUser,
    ORJSONResponse,
    RequestEntity,
    UoW,
    WebSession,
    WireOut,
    client_of,
    errors,
    limit,
)

router = APIRouter(tags=["bot"], responses=errors(404, 409))
ask_limit = Depends(limit("ask", lambda ctx: ctx.settings.rate_limit_per_minute))


class LocationIn(BaseModel):
    """A point shared by the citizen."""

    model_config = ConfigDict(extra="ignore")

    lat: float = Field(ge=-90, le=90, strict=True)
    lon: float = Field(ge=-180, le=180, strict=True)


class AskIn(BaseModel):
    """The widget's request body (docs/contract.md §3)."""

    model_config = ConfigDict(extra="ignore")

    pregunta: str = ""
    action: str | None = Field(default=None, max_length=100)
    payload: Any = None
    contexto_previo: dict[str, Any] | None = None
    tipo_chat: str | None = Field(default=None, max_length=16)
    datos_personales: dict[str, Any] | None = None
    idempotency_key: str | None = Field(default=None, max_length=128)
    location: LocationIn | None = None
    attachment_info: dict[str, Any] | None = None
    ticket_id: StrictInt | StrictFloat | StrictStr | None = None  # any JSON number (2.0 is an integer there)
    tipo_ticket: str | None = Field(default=None, max_length=16)
    nombre_usuario: str | None = Field(default=None, max_length=200)
    rubro_clave: str | None = Field(default=None, max_length=100)


class AskOut(WireOut):
    """The bot's (or the live chat's) answer and the context the widget sends back next turn."""

    respuesta: str
    botones: list[dict[str, Any]]


def _ticket_hint(body: AskIn, *, named_only: bool = False) -> int | None:
    candidates = (
        [body.ticket_id] if named_only else [body.ticket_id, (body.contexto_previo or {}).get("id_ticket_creado")]
    )
    for value in candidates:
        number: int | None = None
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and math.isfinite(value) and abs(value) < 2**53:
            number = int(value)
        elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 17:
            number = int(value.strip())
        if number is not None and 0 < number < 2**53:
            return number
    return None


def _attachment(body: AskIn) -> dict[str, Any] | None:
    info = body.attachment_info
    if not info:
        return None
    keep: dict[str, Any] = {k: info[k] for k in ("name", "url", "mimeType", "size") if k in info}
    # A link we would not show (javascript:, data:, ...) is dropped; the message itself still goes through.
    return attachments.clean_attachment(keep)


def _known_contact(draft: engine.ComplaintDraft, citizen: User) -> None:
    """A logged-in citizen is not asked again for the name, email and phone of their account (the newest widget
    confirms with empty `datos_personales`)."""
    draft.nombre = draft.nombre or citizen.name or None
    draft.email = draft.email or citizen.email
    draft.telefono = draft.telefono or citizen.phone


@router.post("/ask/{tipo}", dependencies=[ask_limit], response_model=AskOut)
async def ask(
    tipo: Literal["municipio", "pyme"],
    body: AskIn,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    user: OptionalUser,
    owner: RequestEntity,
    session_key: WebSession,
) -> Response:
    """One turn of the widget's conversation with the bot (or the live chat it opened)."""
    if len(body.pregunta) > ctx.settings.max_message_chars:
        raise TooLarge(f"El mensaje supera el máximo de {ctx.settings.max_message_chars} caracteres.")
    greeting = body.action == "initial_greeting"
    confirming = body.action == "confirmar_reclamo"
    state = await bot.load_state(uow, owner, session_key, body.contexto_previo, fresh=greeting, lock=confirming)
    attachment = _attachment(body)
    incoming = engine.Incoming(
        text=body.pregunta,
        action=body.action,
        payload=body.payload,
        datos_personales=body.datos_personales,
        latitud=body.location.lat if body.location else None,
        longitud=body.location.lon if body.location else None,
        attachment_url=str(attachment.get("url")) if attachment and attachment.get("url") else None,
    )
    citizen = user if user is not None and not user.is_staff else None
    if citizen is not None:
        _known_contact(state.draft, citizen)
    turn = bot.Turn(
        incoming=incoming,
        idempotency_key=body.idempotency_key,
        ticket_hint=_ticket_hint(body),
        ticket_named=_ticket_hint(body, named_only=True),
        attachment=attachment,
        client=client_of(request),
    )
    answer = await bot.converse(bot.Call(ctx, uow, owner, "web", session_key, citizen, turn, state))
    visitor = request.headers.get("x-anon-id") or request.headers.get("anon-id")
    resumed = answer.ticket if answer.resumed else None
    await bot.save_state(uow, owner, session_key, answer.reply.state, "web", visitor=visitor, resumed=resumed)
    wire = answer.to_wire()
    estructura = wire.get("datos_estructura")
    if isinstance(estructura, dict):
        estructura.pop("categoria", None)  # the widget's context code throws on it (mapToKnownCategory)
    anon = request.headers.get("anon-id") or request.headers.get("x-anon-id") or secrets.token_hex(16)
    return ORJSONResponse(wire, headers={"X-Anon-Id": anon[:64]})
