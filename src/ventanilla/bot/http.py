"""The widget's bot endpoint: POST /ask/{municipio|pyme}."""

from __future__ import annotations

import math
import secrets
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ventanilla.attachments import service as attachments
from ventanilla.bot import engine
from ventanilla.bot import service as bot
from ventanilla.chat import repository as chats
from ventanilla.chat import service as livechat
from ventanilla.errors import TooLarge
from ventanilla.web import Ctx, OptionalUser, ORJSONResponse, RequestEntity, UoW, limit, session_key_of

router = APIRouter(tags=["bot"])
ask_limit = Depends(limit("ask", lambda ctx: ctx.settings.rate_limit_per_minute))


class LocationIn(BaseModel):
    """A point shared by the citizen."""

    model_config = ConfigDict(extra="ignore")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class AskIn(BaseModel):
    """The widget's request body (CONTRACT.md §3)."""

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
    ticket_id: int | str | None = None
    tipo_ticket: str | None = Field(default=None, max_length=16)
    nombre_usuario: str | None = Field(default=None, max_length=200)
    rubro_clave: str | None = Field(default=None, max_length=100)


def _ticket_hint(body: AskIn) -> int | None:
    candidates = [body.ticket_id, (body.contexto_previo or {}).get("id_ticket_creado")]
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


@router.post("/ask/{tipo}", dependencies=[ask_limit])
async def ask(
    tipo: Literal["municipio", "pyme"],
    body: AskIn,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    user: OptionalUser,
    owner: RequestEntity,
) -> Response:
    """One turn of the widget's conversation with the bot (or the live chat it opened)."""
    if len(body.pregunta) > ctx.settings.max_message_chars:
        raise TooLarge(f"El mensaje supera el máximo de {ctx.settings.max_message_chars} caracteres.")
    session_key = session_key_of(request)
    greeting = body.action == "initial_greeting"
    chat = await chats.get_session(uow.session, owner.id, session_key) if session_key and not greeting else None
    stored = engine.ConversationState.from_json(chat.state) if chat is not None and chat.state else None
    in_intake = stored is not None and stored.estado in engine.INTAKE_ESTADOS
    kept_categoria = stored.draft.categoria if stored is not None and in_intake else None
    # Category inference needs only the entity's tipo and categories, not the (costlier) hours.
    categories = engine.BotSettings(
        tipo_chat="pyme" if owner.tipo == "pyme" else "municipio",
        entity_name=owner.name,
        live_chat_open=False,
        categories=tuple((owner.config or {}).get("categorias") or ()),
    )
    raw_state = body.contexto_previo
    if raw_state is not None:
        state = engine.ConversationState.from_contexto(raw_state)
        # The widget cannot carry the category back (copying `datos_estructura.categoria` throws in its
        # context code): infer it again from the description it does echo, or use the one we had to keep.
        if state.draft.categoria is None and state.estado in engine.INTAKE_ESTADOS:
            state.draft.categoria = engine.category_from_description(categories, state.draft.descripcion) or (
                kept_categoria
            )
    else:
        state = stored if stored is not None and not greeting else engine.ConversationState()
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
    answer = await bot.converse(
        ctx,
        uow,
        owner,
        channel="web",
        session_key=session_key,
        citizen=citizen,
        turn=bot.Turn(
            incoming=incoming,
            idempotency_key=body.idempotency_key,
            ticket_hint=_ticket_hint(body),
            attachment=attachment,
        ),
        state=state,
    )
    new_state = answer.reply.state
    chosen = new_state.draft.categoria if new_state.estado in engine.INTAKE_ESTADOS else None
    must_keep = chosen != kept_categoria and (
        chosen is None or chosen != engine.category_from_description(categories, new_state.draft.descripcion)
    )
    if session_key and not greeting and (raw_state is None or must_keep):
        wire_state = orjson.loads(new_state.to_json())
        if chat is None:
            chat = await livechat.chat_session(uow, owner, session_key, state=wire_state)
        chat.state = wire_state
    await uow.commit()
    wire = answer.to_wire()
    estructura = wire.get("datos_estructura")
    if isinstance(estructura, dict):
        estructura.pop("categoria", None)  # see above: the widget would throw on it
    anon = request.headers.get("anon-id") or request.headers.get("x-anon-id") or secrets.token_hex(16)
    return ORJSONResponse(wire, headers={"X-Anon-Id": anon[:64]})
