"""The Cloud API webhook: verification handshake, and signed deliveries stored before anything else."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response

from ventanilla.adapters.whatsapp_client import GraphError
from ventanilla.attachments import service as attachments
from ventanilla.attachments.http import SERVING_HEADERS
from ventanilla.db import utcnow
from ventanilla.errors import NotFound
from ventanilla.web import FILE_OK, Ctx, OutOfRange, Staff, UoW, clean_json, error_response, errors
from ventanilla.whatsapp import schemas, service

log = logging.getLogger(__name__)

router = APIRouter(tags=["whatsapp"], responses=errors(401, 403, 404))


@router.get("/webhooks/whatsapp", response_class=PlainTextResponse)
async def verify(
    ctx: Ctx,
    mode: Annotated[str | None, Query(alias="hub.mode", max_length=32)] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token", max_length=512)] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=512)] = None,
) -> Response:
    """Meta's subscription check: echo the challenge when the verify token matches."""
    expected = ctx.settings.whatsapp_verify_token
    if expected is None:
        log.warning("whatsapp webhook verification refused: VENTANILLA_WHATSAPP_VERIFY_TOKEN is not set")
        return error_response(403, "La verificación del webhook de WhatsApp no está configurada.")
    matches = hmac.compare_digest((token or "").encode(), expected.get_secret_value().encode())
    if mode != "subscribe" or not matches or challenge is None:
        log.warning("whatsapp webhook verification refused (mode=%r)", mode)
        return error_response(403, "Token de verificación inválido.")
    return PlainTextResponse(challenge)


@router.post("/webhooks/whatsapp", response_class=Response)
async def receive(request: Request, ctx: Ctx, uow: UoW) -> Response:
    """Check the signature on the raw body, store every event, answer at once; a worker does the rest."""
    secret = ctx.settings.whatsapp_app_secret
    if secret is None:
        log.error("whatsapp webhook refused: VENTANILLA_WHATSAPP_APP_SECRET is not set")
        return error_response(403, "El webhook de WhatsApp no está configurado.")
    body = await request.body()
    verdict = schemas.check_signature(secret.get_secret_value(), body, request.headers.get("x-hub-signature-256"))
    if verdict == "missing":
        log.warning("whatsapp webhook without X-Hub-Signature-256 refused")
        return error_response(401, "Falta la firma X-Hub-Signature-256.")
    if verdict == "bad":
        log.warning("whatsapp webhook with a wrong signature refused")
        return error_response(403, "Firma inválida.")
    try:
        # The body is kept raw up to here for its signature: this is where its text is cleaned, once.
        data = clean_json(orjson.loads(body))
    except (orjson.JSONDecodeError, OutOfRange):
        log.warning("whatsapp webhook with a body that is not JSON refused")
        return error_response(400, "El cuerpo no es JSON válido.")
    events = schemas.parse_webhook(data, utcnow())
    if not events:
        log.info("whatsapp webhook without messages or statuses (object=%r)", _object(data))
        return Response(status_code=200)
    stored = await service.store_webhook(uow, service.runtime_of(ctx), events)
    log.debug("whatsapp webhook: %d events, %d new", len(events), stored)
    return Response(status_code=200)


def _object(data: object) -> object:
    return data.get("object") if isinstance(data, dict) else type(data).__name__


@router.get("/archivos/whatsapp/{media_id}", response_class=Response, responses=FILE_OK)
async def media(
    media_id: Annotated[str, Path(pattern=r"^[0-9]{1,40}$")],
    ctx: Ctx,
    uow: UoW,
    user: Staff,
    sig: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """A photo, audio or document a citizen sent by WhatsApp, fetched from the Graph API for the entity's agents."""
    if user.entity_id is None or not hmac.compare_digest(
        sig.encode(), service.media_signature(ctx, user.entity_id, media_id).encode()
    ):
        raise NotFound("No existe ese archivo.")
    account = await service.account_of(uow, user.entity_id)
    runtime = service.runtime_of(ctx)
    try:
        content, mime = await runtime.sender.fetch_media(media_id, account.access_token, ctx.settings.max_upload_bytes)
    except GraphError as exc:
        log.warning("whatsapp media %s not available: %s", media_id, exc.message)
        raise NotFound("El archivo ya no está disponible en WhatsApp.") from exc
    # Typed by its content like our own uploads: what Graph says is only a hint; anything outside the
    # allow-list is handed over as a download of unknown type.
    declared = attachments.canonical(mime.split(";")[0].strip().lower())
    how = attachments.serving(declared, content[: attachments.HEAD_BYTES])
    return Response(
        content,
        media_type=how.mime_type,
        headers={
            **SERVING_HEADERS,
            "Cache-Control": "private, max-age=3600",
            "Content-Disposition": "inline" if how.inline else "attachment",
        },
    )
