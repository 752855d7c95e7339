"""Email over HTTP: the inbound-mail webhook and the one-click unsubscribe page."""

from __future__ import annotations

import hmac
import logging
from html import escape
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from ventanilla.db import utcnow
from ventanilla.entities import service as entities
from ventanilla.errors import Forbidden, NotFound, Unauthorized
from ventanilla.notifications import emails, inbound, service
from ventanilla.tickets.auth import KnownTicket
from ventanilla.web import (
    Ctx,
    OkOut,
    UoW,
    WireOut,
    errors,
    limit,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["emails"], responses=errors(401, 403, 404, 409))
SECRET_HEADER = "x-webhook-secret"


class InboundOut(OkOut):
    """What happened to the email: posted on a ticket (`mensaje_id`, `autor`), ignored (`ignorado`) or held for an
    agent to review (`retenido`)."""

    ticket_id: int | None


@router.post("/webhooks/email", response_model=InboundOut)
async def inbound_email(request: Request, ctx: Ctx, uow: UoW) -> dict[str, Any]:
    """A raw RFC 822 email from the mail provider; the shared secret goes in `X-Webhook-Secret`."""
    secret = ctx.settings.email_webhook_secret
    if secret is None or not secret.get_secret_value():
        raise Forbidden("La recepción de emails por webhook no está configurada.")
    given = request.headers.get(SECRET_HEADER, "")
    if not given or not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        log.warning("email webhook called with a wrong secret from %s", request.client.host if request.client else "?")
        raise Unauthorized("Secreto del webhook inválido.")
    raw = await request.body()
    envelope_to = [a.strip() for a in request.headers.get("x-envelope-to", "").split(",") if a.strip()]
    try:
        result = await inbound.receive(
            ctx, uow, raw, envelope_from=request.headers.get("x-envelope-from"), envelope_to=envelope_to
        )
    except Exception as exc:
        log.warning("inbound email refused: %r", exc)
        raise
    await uow.flush()
    return result.to_wire()


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!DOCTYPE html><html lang="es-AR"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:40px auto;padding:0 16px;'
        'color:#1f2933;line-height:1.5;">'
        f'<main><h1 style="font-size:22px;">{escape(title)}</h1>{body}</main></body></html>'
    )
    return HTMLResponse(html, status_code=status)


_INVALID = "<p>El enlace no es válido o está incompleto. Copiá el enlace completo del email.</p>"


@router.get("/emails/baja/{token}", response_class=HTMLResponse)
async def unsubscribe_page(token: str, ctx: Ctx, uow: UoW) -> HTMLResponse:
    """Asks to confirm (a GET never unsubscribes: link scanners follow links)."""
    found = emails.read_unsubscribe_token(ctx.signer, token)
    entity = await entities.find(uow.session, found[0]) if found else None
    if found is None or entity is None:
        return _page("Enlace inválido", _INVALID, 404)
    body = (
        f"<p>¿Querés dejar de recibir los emails de <strong>{escape(entity.name)}</strong> sobre tus reclamos "
        f"en <strong>{escape(found[1])}</strong>?</p>"
        f'<form method="post" action="{escape(token)}">'
        '<button type="submit" style="font-size:16px;padding:10px 18px;">Sí, dejar de recibirlos</button>'
        "</form><p>Podés seguir consultando tus reclamos con su número y PIN.</p>"
    )
    return _page("Dejar de recibir emails", body)


@router.post("/emails/baja/{token}", response_class=HTMLResponse)
async def unsubscribe(token: str, ctx: Ctx, uow: UoW) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058 `List-Unsubscribe=One-Click`, or the confirmation form)."""
    found = emails.read_unsubscribe_token(ctx.signer, token)
    entity = await entities.find(uow.session, found[0]) if found else None
    if found is None or entity is None:
        return _page("Enlace inválido", _INVALID, 404)
    await service.unsubscribe(uow.session, entity.id, found[1], utcnow())
    await uow.flush()
    log.info("an address unsubscribed from entity %s emails", entity.id)
    body = (
        f"<p>Listo: <strong>{escape(found[1])}</strong> ya no va a recibir emails de "
        f"<strong>{escape(entity.name)}</strong>.</p>"
    )
    return _page("Te diste de baja", body)


# Hints come after every reply and status change of the newest panel; real sends stay scarce.
_manual_limit = limit("history", lambda c: 10)
HistoryReason = Literal["manual", "message_update", "status_change", "ticket_created", "auto_completion"]


class SendHistoryIn(BaseModel):
    """The newest frontend's notification trigger; the reference panel sends no body (a manual send)."""

    model_config = ConfigDict(extra="ignore")

    reason: HistoryReason | None = None
    actor: str | None = Field(default=None, max_length=16)
    estado: str | None = Field(default=None, max_length=64)
    channels: list[str] | None = Field(default=None, max_length=10)
    notify: dict[str, Any] | None = None


class SendHistoryOut(WireOut):
    """Whether an email left (`enviado`) and, when not, why (`motivo`)."""

    ok: bool
    enviado: bool
    motivo: str | None = None
    mensaje: str | None = None
    reason: str


@router.post(
    "/tickets/{tipo}/{ticket_id}/send-history",
    dependencies=[Depends(limit("history_hint", lambda c: c.settings.lookup_rate_limit_per_minute))],
    response_model=SendHistoryOut,
)
async def send_history(
    tipo: str,
    view: KnownTicket,
    request: Request,
    ctx: Ctx,
    uow: UoW,
    body: SendHistoryIn | None = None,
) -> dict[str, Any]:
    """Email the ticket's history to the citizen's own address; other reasons are hints the outbox already covers.

    Only the ticket's citizen, an agent of its entity or someone with its PIN may ask; to anyone else the ticket
    does not exist (so the answer tells nothing about it).
    """
    if tipo not in ("municipio", "pyme"):
        raise NotFound("No existe ese reclamo.")
    entity, ticket = view.owner, view.ticket
    reason = (body.reason if body else None) or "manual"
    if reason != "manual":
        # Replies, status changes and new tickets already queue their own emails (debounced); a second one here
        # would repeat them.
        return {
            "ok": True,
            "enviado": False,
            "reason": reason,
            "motivo": "Los avisos de este cambio salen solos por email; no hace falta enviar nada más.",
        }
    await _manual_limit(request)
    if await service.status_email_just_queued(uow.session, ticket, utcnow()):
        # Both panels and lookup pages fire this (no body, or `manual`) as soon as they see a ticket resolved: the
        # status email that left with the change already told the citizen.
        return {
            "ok": True,
            "enviado": False,
            "reason": reason,
            "motivo": "Al vecino ya le llegó el aviso de este cambio por email.",
        }
    staff_asked = view.staff
    rows = await service.enqueue_history(
        uow.session, ctx.settings, entity, ticket, utcnow(), asked_by_citizen=not staff_asked
    )
    if rows is None:
        return {
            "ok": True,
            "enviado": False,
            "reason": reason,
            "motivo": "El reclamo no tiene un email registrado (o pidió no recibir emails).",
        }
    runner = ctx.jobs.get("email")
    if rows and runner is not None:
        uow.on_commit(runner.wake)
    if not rows:
        return {
            "ok": True,
            "enviado": False,
            "reason": reason,
            "motivo": "El historial ya se envió hace unos minutos.",
        }
    return {"ok": True, "enviado": True, "reason": reason, "mensaje": "Te enviamos el historial del reclamo por email."}
