"""The WhatsApp outbound queue: messages queued in the deciding transaction, then sent in order per recipient."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from ventanilla.adapters import whatsapp_client as wa
from ventanilla.adapters.whatsapp_client import PermanentGraphError, RetryableGraphError
from ventanilla.chat import keys
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.domain import Channel
from ventanilla.jobs.runner import DONE, FAILED, RETRY, SKIPPED
from ventanilla.realtime import rooms
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users.models import User
from ventanilla.whatsapp import repository, schemas
from ventanilla.whatsapp.accounts import DEFAULT_TEMPLATE_LANGUAGE
from ventanilla.whatsapp.models import OutboundMessage
from ventanilla.whatsapp.runtime import Runtime

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=24)
WINDOW_CLOSED_CODE = 131047


def fill(uow: UnitOfWork, runtime: Runtime, row: OutboundMessage, outgoing: schemas.Outgoing) -> None:
    row.body = outgoing.to_json()
    row.status = "pending"
    row.next_attempt_at = utcnow()
    uow.events.after_commit(runtime.wake_outbox)


@dataclass(frozen=True, slots=True)
class Regarding:
    """The ticket (and the ticket's message, when there is one) an outbound WhatsApp message carries."""

    ticket_id: int
    message: TicketMessage | None = None


def queue(
    uow: UnitOfWork,
    runtime: Runtime,
    *,
    entity_id: int,
    wa_id: str,
    outgoing: schemas.Outgoing,
    about: Regarding | None = None,
) -> OutboundMessage:
    """Queue a message in the current transaction; the sender wakes after commit."""
    now = utcnow()
    message = about.message if about is not None else None
    row = OutboundMessage(
        entity_id=entity_id,
        ticket_id=about.ticket_id if about is not None else None,
        message_id=message.id if message is not None else None,
        wa_id=wa_id,
        body=outgoing.to_json(),
        status="pending",
        attempts=0,
        parts_sent=0,
        next_attempt_at=now,
        created_at=now,
    )
    uow.session.add(row)
    uow.events.after_commit(runtime.wake_outbox)
    return row


def is_whatsapp_ticket(ticket: Ticket) -> bool:
    """Tickets whose citizen talks through WhatsApp."""
    return ticket.channel == Channel.WHATSAPP or keys.channel_of(ticket.chat_session_key) == Channel.WHATSAPP


async def recipient_of(uow: UnitOfWork, ticket: Ticket) -> str | None:
    """The wa_id a ticket's replies go to."""
    number = keys.whatsapp_number(ticket.chat_session_key)
    if number is not None:
        return number
    if ticket.citizen_id is not None:
        citizen = await uow.session.get(User, ticket.citizen_id)
        if citizen is not None and citizen.whatsapp_id:
            return citizen.whatsapp_id
    return None


def ticket_message_text(message: TicketMessage) -> str:
    """An agent's words signed with their name; links to attachments appended."""
    text = message.text.strip()
    if message.author_kind == "agent" and message.author_name:
        text = f"*{message.author_name}:* {text}" if text else f"*{message.author_name}*"
    url = (message.attachment or {}).get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        text = f"{text}\n{url}" if text else url
    return text


def set_delivery(uow: UnitOfWork, entity_id: int, message: TicketMessage, status: str, error: str | None) -> None:
    """Record a message's delivery status and tell the entity's panel."""
    message.delivery_status = status
    if error is not None:
        message.delivery_error = error[:500]
    uow.events.emit(
        "message_status",
        {
            "ticketId": message.ticket_id,
            "id": message.id,
            "delivery_status": status,
            "delivery_error": message.delivery_error,
        },
        rooms.panel_room(entity_id),
    )


@dataclass(frozen=True, slots=True)
class Claimed:
    """A queued message taken by this process, with what sending it needs."""

    outbound_id: int
    entity_id: int
    wa_id: str
    body: dict[str, Any]
    parts_sent: int
    phone_number_id: str
    token: str
    template: tuple[str, str] | None
    in_window: bool


async def claim(ctx: AppContext, outbound_id: int, lease_until: dt.datetime) -> Claimed | None:
    """Take a due row until `lease_until`; None when another sender has it or it cannot be sent (recorded)."""
    async with ctx.uow() as uow:
        session = uow.session
        if not await repository.claim_outbound(session, outbound_id, utcnow(), lease_until):
            return None
        row = await session.get(OutboundMessage, outbound_id)
        assert row is not None
        account = await repository.account_for_entity(session, row.entity_id)
        if account is None:
            await _close(uow, row, "failed", "La entidad no tiene un número de WhatsApp configurado.")
            await uow.commit()
            log.error("whatsapp outbound %s: entity %s has no WhatsApp account", row.id, row.entity_id)
            return None
        last_in = await repository.last_inbound_at(session, account.phone_number_id, row.wa_id)
        in_window = last_in is not None and ctx.clock() - last_in < WINDOW and not row.body.get("force_template")
        template = (
            (account.template_name, account.template_language or DEFAULT_TEMPLATE_LANGUAGE)
            if account.template_name
            else None
        )
        job = Claimed(
            row.id,
            row.entity_id,
            row.wa_id,
            dict(row.body),
            row.parts_sent,
            account.phone_number_id,
            account.access_token,
            template,
            in_window,
        )
        if not in_window and template is None:
            await _undeliverable(uow, row)
            await uow.commit()
            return None
        await uow.commit()
        return job


async def deliver(ctx: AppContext, runtime: Runtime, job: Claimed) -> str:
    """Send one claimed message: free text inside the 24-hour window, else the entity's template."""
    outgoing = schemas.Outgoing.from_json(job.body)
    if job.in_window:
        payloads = schemas.render(outgoing, job.wa_id)
    else:
        assert job.template is not None
        text = schemas.template_parameter(outgoing.text or schemas.CHOOSE_TEXT)
        payloads = [wa.template_payload(job.wa_id, job.template[0], job.template[1], [text])]
    sent, wamid = min(job.parts_sent, len(payloads)), None
    try:
        for payload in payloads[sent:]:
            wamid = await runtime.sender.send(job.phone_number_id, job.token, payload)
            sent += 1
            if sent < len(payloads):
                await _progress(ctx, job.outbound_id, sent, wamid)
    except RetryableGraphError as exc:
        return await _retry(ctx, runtime, job.outbound_id, sent, wamid, exc)
    except PermanentGraphError as exc:
        if exc.code == WINDOW_CLOSED_CODE and job.in_window and job.template is not None:
            await _force_template(ctx, job.outbound_id)
            return RETRY
        await _finish_failed(ctx, job.outbound_id, f"{exc.status or ''} {exc.message}".strip())
        return FAILED
    await _finish_sent(ctx, job.outbound_id, wamid)
    return DONE


async def release(ctx: AppContext, outbound_id: int) -> None:
    """Give a claimed row back, due now (shutdown)."""
    async with ctx.uow() as uow:
        row = await uow.session.get(OutboundMessage, outbound_id)
        if row is not None and row.status == "sending":
            row.status, row.next_attempt_at = "pending", utcnow()
            await uow.commit()


async def _message_of(uow: UnitOfWork, row: OutboundMessage) -> TicketMessage | None:
    return await uow.session.get(TicketMessage, row.message_id) if row.message_id is not None else None


async def _close(uow: UnitOfWork, row: OutboundMessage, status: str, error: str) -> None:
    row.status = status
    row.last_error = error[:500]
    message = await _message_of(uow, row)
    if message is not None:
        set_delivery(uow, row.entity_id, message, "failed" if status == "failed" else status, error)


async def _undeliverable(uow: UnitOfWork, row: OutboundMessage) -> None:
    """Outside the window without a template: recorded on the message, never silently dropped."""
    row.status = "undeliverable"
    ticket = await tickets_repo.get(uow.session, row.ticket_id) if row.ticket_id is not None else None
    email = ticket.email if ticket is not None else None
    note = (
        f"Fuera de la ventana de 24 h de WhatsApp y sin plantilla aprobada; queda el aviso por email a {email}."
        if email
        else "Fuera de la ventana de 24 h de WhatsApp, sin plantilla aprobada y sin email del vecino."
    )
    row.last_error = note[:500]
    message = await _message_of(uow, row)
    if message is not None:
        set_delivery(uow, row.entity_id, message, "undeliverable_no_template", note)
    log.warning(
        "whatsapp outbound %s (entity %s, ticket %s) not sent: 24-hour window closed and no template configured"
        " (configure one with `ventanilla whatsapp configure ENTITY_ID --template NAME`)",
        row.id,
        row.entity_id,
        row.ticket_id,
    )


async def _progress(ctx: AppContext, outbound_id: int, sent: int, wamid: str | None) -> None:
    async with ctx.uow() as uow:
        row = await uow.session.get(OutboundMessage, outbound_id)
        if row is not None:
            row.parts_sent, row.wamid = sent, wamid
            await uow.commit()


async def _retry(
    ctx: AppContext, runtime: Runtime, outbound_id: int, sent: int, wamid: str | None, exc: RetryableGraphError
) -> str:
    async with ctx.uow() as uow:
        row = await uow.session.get(OutboundMessage, outbound_id)
        if row is None:
            return SKIPPED
        row.attempts += 1
        row.parts_sent = sent
        row.wamid = wamid or row.wamid
        error = f"{exc.status or ''} {exc.message}".strip()
        outcome = FAILED if runtime.backoff.exhausted(row.attempts) else RETRY
        if outcome == FAILED:
            await _close(uow, row, "failed", f"Sin respuesta de WhatsApp tras {row.attempts} intentos: {error}")
            log.error("whatsapp outbound %s failed after %d attempts: %s", row.id, row.attempts, error)
        else:
            row.status = "pending"
            row.last_error = error[:500]
            now = utcnow()
            row.next_attempt_at = runtime.backoff.retry_at(now, row.attempts, exc.retry_after)
            log.warning(
                "whatsapp outbound %s attempt %d failed (%s); next attempt in %.0f s",
                row.id,
                row.attempts,
                error,
                (row.next_attempt_at - now).total_seconds(),
            )
        await uow.commit()
        return outcome


async def _force_template(ctx: AppContext, outbound_id: int) -> None:
    async with ctx.uow() as uow:
        row = await uow.session.get(OutboundMessage, outbound_id)
        if row is not None:
            row.body = {**row.body, "force_template": True}
            row.status, row.parts_sent, row.next_attempt_at = "pending", 0, utcnow()
            await uow.commit()


async def _finish_failed(ctx: AppContext, outbound_id: int, error: str) -> None:
    async with ctx.uow() as uow:
        row = await uow.session.get(OutboundMessage, outbound_id)
        if row is not None:
            row.attempts += 1
            await _close(uow, row, "failed", f"WhatsApp rechazó el mensaje: {error}")
            await uow.commit()
    log.error("whatsapp outbound %s refused: %s", outbound_id, error)


async def _finish_sent(ctx: AppContext, outbound_id: int, wamid: str | None) -> None:
    async with ctx.uow() as uow:
        row = await uow.session.get(OutboundMessage, outbound_id)
        if row is None:
            return
        row.status = "sent"
        row.attempts += 1
        row.wamid = wamid or row.wamid
        row.sent_at = utcnow()
        row.last_error = None
        if schemas.upgrade_status(row.delivery_status, "sent"):
            row.delivery_status = "sent"
        message = await _message_of(uow, row)
        if message is not None and schemas.upgrade_status(message.delivery_status, "sent"):
            set_delivery(uow, row.entity_id, message, "sent", None)
        await uow.commit()
