"""WhatsApp use cases: accounts, the webhook inbox, the bot/live-chat turn, statuses, and sending."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from ventanilla.adapters import whatsapp_client as wa
from ventanilla.adapters.whatsapp_client import PermanentGraphError, RetryableGraphError, WhatsAppSender
from ventanilla.bot import engine
from ventanilla.bot import service as bot
from ventanilla.bot.intake import valid_name
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.entities import repository as entities_repo
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict, DomainError
from ventanilla.realtime import rooms
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.tickets.service import MAX_MESSAGE_CHARS
from ventanilla.users.models import User
from ventanilla.whatsapp import repository, schemas
from ventanilla.whatsapp.models import InboundEvent, OutboundMessage, WhatsAppAccount

log = logging.getLogger(__name__)

SESSION_PREFIX = "wa-"
WINDOW = dt.timedelta(hours=24)
FOLLOW_UP = dt.timedelta(hours=24)
WINDOW_CLOSED_CODE = 131047
DEFAULT_TEMPLATE_LANGUAGE = "es_AR"
_PHONE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_PLACEHOLDER_NAME = "WhatsApp +"


@dataclass
class Runtime:
    """The process's WhatsApp machinery: the Graph transport, retry policy and worker wake-ups."""

    sender: WhatsAppSender
    retry_base_seconds: float = 2.0
    retry_cap_seconds: float = 300.0
    max_attempts: int = 6
    inbound_max_attempts: int = 5
    status_defer_seconds: float = 2.0
    status_defer_attempts: int = 5
    lease_seconds: float = 120.0
    poll_seconds: float = 2.0
    batch: int = 50
    concurrency: int = 8
    inbox_wake: asyncio.Event = field(default_factory=asyncio.Event)
    outbox_wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def wake_inbox(self) -> None:
        """New webhook events were committed."""
        self.inbox_wake.set()

    async def wake_outbox(self) -> None:
        """New outbound messages were committed."""
        self.outbox_wake.set()

    def backoff(self, attempts: int, retry_after: float | None = None) -> dt.timedelta:
        """Exponential delay after the n-th failed attempt (Retry-After wins when longer)."""
        delay = min(self.retry_base_seconds * 2 ** max(attempts - 1, 0), self.retry_cap_seconds)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_cap_seconds))
        return dt.timedelta(seconds=delay)


def runtime_of(ctx: AppContext) -> Runtime:
    """The runtime installed by the plugin."""
    runtime: Runtime = ctx.services["whatsapp"]
    return runtime


def session_key_for(wa_id: str) -> str:
    """The chat session of a WhatsApp number."""
    return f"{SESSION_PREFIX}{wa_id}"


# --- accounts -------------------------------------------------------------------------------------------


async def configure_account(
    uow: UnitOfWork,
    entity: Entity,
    *,
    phone_number_id: str,
    access_token: str,
    template_name: str | None = None,
    template_language: str | None = None,
) -> WhatsAppAccount:
    """Create or replace the entity's WhatsApp number."""
    phone_number_id, access_token = phone_number_id.strip(), access_token.strip()
    if not _PHONE_ID_RE.match(phone_number_id):
        raise BadRequest("El phone_number_id no es válido.")
    if not access_token or len(access_token) > 1024 or any(ch.isspace() for ch in access_token):
        raise BadRequest("El access token no es válido.")
    language = (template_language or DEFAULT_TEMPLATE_LANGUAGE).strip()
    if template_name is not None and not _LANGUAGE_RE.match(language):
        raise BadRequest("El idioma de la plantilla debe ser como es_AR o es.")
    session = uow.session
    other = await repository.account_for_phone(session, phone_number_id)
    if other is not None and other.entity_id != entity.id:
        raise Conflict("Ese phone_number_id ya está asociado a otra entidad.")
    account = await repository.account_for_entity(session, entity.id)
    if account is None:
        account = WhatsAppAccount(entity_id=entity.id, created_at=utcnow())
        session.add(account)
    account.phone_number_id = phone_number_id
    account.access_token = access_token
    account.template_name = template_name.strip()[:200] if template_name and template_name.strip() else None
    account.template_language = language if account.template_name else None
    await session.flush()
    return account


# --- inbox ----------------------------------------------------------------------------------------------


async def store_webhook(uow: UnitOfWork, runtime: Runtime, events: list[schemas.ParsedEvent]) -> int:
    """Store the events of known numbers (insert-or-ignore); the worker is woken after commit."""
    known = await repository.known_phone_ids(uow.session, {e.phone_number_id for e in events})
    for unknown in sorted({e.phone_number_id for e in events} - known):
        log.warning("whatsapp webhook for unknown phone_number_id %s ignored", unknown)
    unique: dict[tuple[str, str, str], schemas.ParsedEvent] = {}
    for event in events:
        if event.phone_number_id in known:
            unique.setdefault((event.kind, event.wamid, event.status), event)
    stored = await repository.insert_events(uow.session, list(unique.values()), utcnow())
    if unique:
        uow.events.after_commit(runtime.wake_inbox)
    return stored


class Defer(Exception):
    """Process this event again a little later (e.g. a status that arrived before its send was recorded)."""


async def process_next(ctx: AppContext, runtime: Runtime) -> bool:
    """Process the oldest due inbox event exactly once; False when there is none."""
    event_id: int | None = None
    try:
        async with ctx.uow() as uow:
            event = await repository.claim_inbound(uow.session, utcnow())
            if event is None:
                return False
            event_id = event.id
            if event.kind == "status":
                await apply_status(uow, runtime, event)
            else:
                await handle_message(ctx, runtime, uow, event)
            event.processed_at = utcnow()
            event.attempts += 1
            await uow.commit()
            return True
    except Defer as exc:
        if event_id is None:
            raise
        await _inbound_failed(ctx, runtime, event_id, str(exc), deferred=True)
    except DomainError as exc:
        if event_id is None:
            raise
        # The same input would be refused again (closed ticket, bad data): record it and move on.
        log.warning("whatsapp inbox event %s refused: %s", event_id, exc.message)
        await _inbound_failed(ctx, runtime, event_id, exc.message, deferred=False, final=True)
    except Exception as exc:
        if event_id is None:
            raise
        log.exception("whatsapp inbox event %s failed", event_id)
        await _inbound_failed(ctx, runtime, event_id, f"{type(exc).__name__}: {exc}", deferred=False)
    return True


async def _inbound_failed(
    ctx: AppContext, runtime: Runtime, event_id: int, error: str, *, deferred: bool, final: bool = False
) -> None:
    async with ctx.uow() as uow:
        event = await uow.session.get(InboundEvent, event_id)
        if event is None or event.processed_at is not None:
            return
        event.attempts += 1
        event.error = error[:500]
        limit = runtime.status_defer_attempts if deferred else runtime.inbound_max_attempts
        now = utcnow()
        if final or event.attempts >= limit:
            event.processed_at = now
            log.log(
                logging.INFO if deferred else logging.ERROR,
                "whatsapp inbox event %s (%s %s) given up after %d attempts: %s",
                event.id,
                event.kind,
                event.status or event.wamid,
                event.attempts,
                error,
            )
        else:
            delay = dt.timedelta(seconds=runtime.status_defer_seconds) if deferred else runtime.backoff(event.attempts)
            event.next_attempt_at = now + delay
        await uow.commit()


async def citizen_for(uow: UnitOfWork, entity: Entity, wa_id: str, profile_name: str | None) -> User:
    """The entity's citizen account of a WhatsApp number, created on first contact."""
    name = valid_name(profile_name) if profile_name else None
    user = await repository.citizen_by_wa_id(uow.session, entity.id, wa_id)
    if user is None:
        user = User(
            entity_id=entity.id,
            email=None,
            name=name or f"{_PLACEHOLDER_NAME}{wa_id}",
            rol="vecino",
            phone=f"+{wa_id}"[:32],
            whatsapp_id=wa_id,
            token_version=0,
            created_at=utcnow(),
        )
        uow.session.add(user)
        await uow.session.flush()
    elif name and user.name.startswith(_PLACEHOLDER_NAME):
        user.name = name
    return user


def _prefill(state: engine.ConversationState, citizen: User, wa_id: str) -> None:
    """WhatsApp tells us who writes: the complaint need not ask for name and phone."""
    draft = state.draft
    if not draft.nombre and not citizen.name.startswith(_PLACEHOLDER_NAME):
        draft.nombre = citizen.name
    if not draft.telefono:
        draft.telefono = f"+{wa_id}"


async def _followed_ticket(
    uow: UnitOfWork, entity: Entity, wa_id: str, now: dt.datetime, turn: schemas.InboundTurn
) -> Ticket | None:
    """The open ticket whose agent wrote to this number last, within a day: the citizen is answering them.

    Buttons, menu words and requests for an agent go to the bot instead, so the citizen is never stuck."""
    if turn.action or engine.is_bot_command(turn.text):
        return None
    last = await repository.last_outbound(uow.session, entity.id, wa_id)
    if last is None or last.message_id is None or last.ticket_id is None or now - last.created_at > FOLLOW_UP:
        return None
    ticket = await tickets_repo.get(uow.session, last.ticket_id)
    return ticket if ticket is not None and not ticket.is_closed else None


def media_signature(ctx: AppContext, entity_id: int, media_id: str) -> str:
    """The MAC that ties a media link to one entity."""
    return ctx.signer.short_mac("whatsapp-media", f"{entity_id}:{media_id}", length=24)


async def handle_message(ctx: AppContext, runtime: Runtime, uow: UnitOfWork, event: InboundEvent) -> None:
    """A citizen's message: joins their open conversation, or goes to the same bot as the widget."""
    session = uow.session
    account = await repository.account_for_phone(session, event.phone_number_id)
    entity = await entities_repo.get(session, account.entity_id) if account is not None else None
    if entity is None:
        log.warning("whatsapp message %s for unknown phone_number_id %s ignored", event.id, event.phone_number_id)
        return
    message = event.payload.get("message") or {}
    turn = schemas.read_message(message)
    if turn.attachment and turn.attachment.get("whatsapp_media_id"):
        # Agents open it through our proxy, which fetches it from the Graph API with the entity's token; the
        # signature binds the link to this entity (one Meta app's tokens could read every tenant's media).
        media_id = str(turn.attachment["whatsapp_media_id"])
        turn.attachment["url"] = (
            f"{ctx.settings.public_url.rstrip('/')}/archivos/whatsapp/{media_id}"
            f"?sig={media_signature(ctx, entity.id, media_id)}"
        )
    if turn.kind == "reaction":
        log.info("whatsapp reaction from a citizen of entity %s ignored", entity.id)
        return
    wa_id = event.wa_id
    citizen = await citizen_for(uow, entity, wa_id, event.payload.get("name"))
    key = session_key_for(wa_id)
    chat = await livechat.chat_session(uow, entity, key, "whatsapp")
    chat.citizen_id = citizen.id
    chat.updated_at = utcnow()
    # Reserve the answer's place in the queue first, so it leaves before messages the turn adds to a ticket.
    reply_row = OutboundMessage(entity_id=entity.id, wa_id=wa_id, body={}, status="draft", next_attempt_at=utcnow())
    session.add(reply_row)
    await session.flush()

    live = await livechat.open_live_ticket(uow, entity, key)
    followed = None
    if live is None and turn.supported:
        followed = await _followed_ticket(uow, entity, wa_id, ctx.clock(), turn)
    if not turn.supported or (live is None and followed is None and not turn.bot_readable):
        log.info("whatsapp %s message from a citizen of entity %s answered as unsupported", turn.kind, entity.id)
        _fill(uow, runtime, reply_row, schemas.Outgoing(schemas.UNSUPPORTED_TEXT))
        return
    if followed is not None:
        await livechat.citizen_message(
            ctx,
            uow,
            entity,
            followed,
            text=turn.text[:MAX_MESSAGE_CHARS] or "(adjunto)",
            origen="whatsapp",
            citizen=citizen,
            attachment=turn.attachment,
            external_id=event.wamid,
        )
        await session.delete(reply_row)
        return

    state = engine.ConversationState.from_json(chat.state) if chat.state else engine.ConversationState()
    _prefill(state, citizen, wa_id)
    readable_media = turn.attachment if turn.kind in ("image", "document") else None
    incoming = engine.Incoming(
        text=turn.text[:MAX_MESSAGE_CHARS],
        action=turn.action,
        payload=turn.payload,
        latitud=turn.latitud,
        longitud=turn.longitud,
        attachment_url=str(readable_media["url"]) if readable_media else None,
    )
    answer = await bot.converse(
        ctx,
        uow,
        entity,
        channel="whatsapp",
        session_key=key,
        citizen=citizen,
        turn=bot.Turn(
            incoming=incoming,
            idempotency_key=f"wa:{event.wamid}"[:128],
            attachment=turn.attachment,
            client=f"wa:{wa_id}",
        ),
        state=state,
    )
    chat.state = json.loads(answer.reply.state.to_json())
    stored_id = answer.extra.get("mensaje_id")
    if isinstance(stored_id, int):
        stored = await session.get(TicketMessage, stored_id)
        if stored is not None and stored.external_id is None:
            stored.external_id = event.wamid
    if answer.extra.get("live_chat"):
        # In a live chat the agent answers; only a waiting citizen hears that the message is queued.
        if answer.ticket is not None and answer.ticket.estado != livechat.LIVE:
            _fill(uow, runtime, reply_row, schemas.Outgoing(answer.reply.respuesta))
        else:
            await session.delete(reply_row)
        return
    outgoing = schemas.outgoing_from_reply(answer.reply)
    if outgoing.text or outgoing.option_count:
        _fill(uow, runtime, reply_row, outgoing)
    else:
        await session.delete(reply_row)


def _fill(uow: UnitOfWork, runtime: Runtime, row: OutboundMessage, outgoing: schemas.Outgoing) -> None:
    row.body = outgoing.to_json()
    row.status = "pending"
    row.next_attempt_at = utcnow()
    uow.events.after_commit(runtime.wake_outbox)


def queue(
    uow: UnitOfWork,
    runtime: Runtime,
    *,
    entity_id: int,
    wa_id: str,
    outgoing: schemas.Outgoing,
    ticket_id: int | None = None,
    message: TicketMessage | None = None,
) -> OutboundMessage:
    """Queue a message in the current transaction; the sender wakes after commit."""
    now = utcnow()
    row = OutboundMessage(
        entity_id=entity_id,
        ticket_id=ticket_id,
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
    return ticket.channel == "whatsapp" or (ticket.chat_session_key or "").startswith(SESSION_PREFIX)


async def recipient_of(uow: UnitOfWork, ticket: Ticket) -> str | None:
    """The wa_id a ticket's replies go to."""
    key = ticket.chat_session_key or ""
    if key.startswith(SESSION_PREFIX) and len(key) > len(SESSION_PREFIX):
        return key[len(SESSION_PREFIX) :]
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


# --- statuses -------------------------------------------------------------------------------------------


def _status_error(payload: dict[str, Any]) -> str | None:
    errors = payload.get("errors")
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None
    first = errors[0]
    details = first.get("error_data", {}).get("details") if isinstance(first.get("error_data"), dict) else None
    parts = [str(p) for p in (first.get("code"), first.get("title") or first.get("message"), details) if p]
    return " ".join(parts)[:500] or None


async def apply_status(uow: UnitOfWork, runtime: Runtime, event: InboundEvent) -> None:
    """sent / delivered / read / failed for a message we sent; never downgraded."""
    row = await repository.outbound_by_wamid(uow.session, event.wamid)
    if row is None:
        if event.attempts + 1 < runtime.status_defer_attempts:
            raise Defer(f"status {event.status} for a wamid not recorded yet")
        log.info("whatsapp status %s for unknown message ignored", event.status)
        return
    if not schemas.upgrade_status(row.delivery_status, event.status):
        return
    row.delivery_status = event.status
    error = _status_error(event.payload) if event.status == "failed" else None
    if error:
        row.last_error = error
    if row.message_id is None:
        return
    message = await uow.session.get(TicketMessage, row.message_id)
    if message is not None and schemas.upgrade_status(message.delivery_status, event.status):
        set_delivery(uow, row.entity_id, message, event.status, error)


# --- sending --------------------------------------------------------------------------------------------


async def send_due(ctx: AppContext, runtime: Runtime) -> int:
    """Send every due queued message (one per recipient at a time, so order holds); returns how many."""
    async with ctx.uow() as uow:
        ids = await repository.due_outbound(uow.session, utcnow(), runtime.batch)
    if not ids:
        return 0
    gate = asyncio.Semaphore(runtime.concurrency)

    async def one(outbound_id: int) -> None:
        async with gate:
            try:
                await deliver(ctx, runtime, outbound_id)
            except Exception:
                log.exception("whatsapp outbound %s failed unexpectedly", outbound_id)

    await asyncio.gather(*(one(i) for i in ids))
    return len(ids)


@dataclass(frozen=True, slots=True)
class _Job:
    outbound_id: int
    entity_id: int
    wa_id: str
    body: dict[str, Any]
    parts_sent: int
    phone_number_id: str
    token: str
    template: tuple[str, str] | None
    in_window: bool


async def _claim(ctx: AppContext, runtime: Runtime, outbound_id: int) -> _Job | None:
    now = utcnow()
    async with ctx.uow() as uow:
        session = uow.session
        if not await repository.claim_outbound(
            session, outbound_id, now, now + dt.timedelta(seconds=runtime.lease_seconds)
        ):
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
        job = _Job(
            row.id, row.entity_id, row.wa_id, dict(row.body), row.parts_sent,
            account.phone_number_id, account.access_token, template, in_window,
        )  # fmt: skip
        if not in_window and template is None:
            await _undeliverable(uow, row)
            await uow.commit()
            return None
        await uow.commit()
        return job


async def deliver(ctx: AppContext, runtime: Runtime, outbound_id: int) -> None:
    """Send one queued message: free text inside the 24-hour window, else the entity's template."""
    job = await _claim(ctx, runtime, outbound_id)
    if job is None:
        return
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
        await _retry(ctx, runtime, job.outbound_id, sent, wamid, exc)
        return
    except PermanentGraphError as exc:
        if exc.code == WINDOW_CLOSED_CODE and job.in_window and job.template is not None:
            await _force_template(ctx, job.outbound_id)
            return
        await _finish_failed(ctx, job.outbound_id, f"{exc.status or ''} {exc.message}".strip())
        return
    await _finish_sent(ctx, job.outbound_id, wamid)


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
) -> None:
    async with ctx.uow() as uow:
        row = await uow.session.get(OutboundMessage, outbound_id)
        if row is None:
            return
        row.attempts += 1
        row.parts_sent = sent
        row.wamid = wamid or row.wamid
        error = f"{exc.status or ''} {exc.message}".strip()
        if row.attempts >= runtime.max_attempts:
            await _close(uow, row, "failed", f"Sin respuesta de WhatsApp tras {row.attempts} intentos: {error}")
            log.error("whatsapp outbound %s failed after %d attempts: %s", row.id, row.attempts, error)
        else:
            row.status = "pending"
            row.last_error = error[:500]
            row.next_attempt_at = utcnow() + runtime.backoff(row.attempts, exc.retry_after)
            log.warning("whatsapp outbound %s attempt %d failed (%s); retrying", row.id, row.attempts, error)
        await uow.commit()


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


async def seconds_until_due(ctx: AppContext, runtime: Runtime, *, outbound: bool) -> float:
    """How long a worker may sleep before the next retry or deferred event is due (at most the poll interval)."""
    now = utcnow()
    async with ctx.uow() as uow:
        due = await (repository.next_outbound_due if outbound else repository.next_inbound_due)(uow.session, now)
    if due is None:
        return runtime.poll_seconds
    return min(max((due - now).total_seconds(), 0.01), runtime.poll_seconds)
