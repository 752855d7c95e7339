"""The WhatsApp webhook inbox: events stored first, then processed once each (messages and delivery statuses)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from ventanilla.bot import engine
from ventanilla.bot import service as bot
from ventanilla.bot.intake import valid_name
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.domain import Channel, Rol
from ventanilla.entities import repository as entities_repo
from ventanilla.entities.models import Entity
from ventanilla.errors import DomainError
from ventanilla.jobs.runner import DONE, FAILED, RETRY, SKIPPED
from ventanilla.text import MAX_MESSAGE_CHARS
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.users.models import User
from ventanilla.whatsapp import outbound, repository, schemas
from ventanilla.whatsapp.models import InboundEvent, OutboundMessage
from ventanilla.whatsapp.runtime import Runtime, session_key_for

log = logging.getLogger(__name__)

FOLLOW_UP = dt.timedelta(hours=24)
_PLACEHOLDER_NAME = "WhatsApp +"


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


async def process_next(ctx: AppContext, runtime: Runtime) -> str | None:
    """Process the oldest due inbox event exactly once; None when there is none, else the outcome.

    The event is held by the processing transaction itself (FOR UPDATE SKIP LOCKED on PostgreSQL, the write
    lock on SQLite), so a process that dies mid-turn leaves it untouched and due."""
    event_id: int | None = None
    try:
        async with ctx.uow() as uow:
            event = await repository.claim_inbound(uow.session, utcnow())
            if event is None:
                return None
            event_id = event.id
            if event.kind == "status":
                await apply_status(uow, runtime, event)
            else:
                await handle_message(ctx, runtime, uow, event)
            event.processed_at = utcnow()
            event.attempts += 1
            await uow.commit()
            return DONE
    except Defer as exc:
        if event_id is None:
            raise
        return await _inbound_failed(ctx, runtime, event_id, str(exc), deferred=True)
    except DomainError as exc:
        if event_id is None:
            raise
        # The same input would be refused again (closed ticket, bad data): a dead letter at once.
        log.warning("whatsapp inbox event %s refused: %s", event_id, exc.message)
        return await _inbound_failed(ctx, runtime, event_id, exc.message, deferred=False, final=True)
    except Exception as exc:
        if event_id is None:
            raise
        log.exception("whatsapp inbox event %s failed", event_id)
        return await _inbound_failed(ctx, runtime, event_id, f"{type(exc).__name__}: {exc}", deferred=False)


async def _inbound_failed(
    ctx: AppContext, runtime: Runtime, event_id: int, error: str, *, deferred: bool, final: bool = False
) -> str:
    """Retry later; a status for a message never recorded is dropped, a message that keeps failing is a dead
    letter (kept with its error until `ventanilla jobs retry whatsapp_inbox`)."""
    async with ctx.uow() as uow:
        event = await uow.session.get(InboundEvent, event_id)
        if event is None or event.processed_at is not None:
            return SKIPPED
        event.attempts += 1
        event.error = error[:500]
        limit = runtime.status_defer_attempts if deferred else runtime.inbound_max_attempts
        now = utcnow()
        outcome = RETRY
        if deferred and event.attempts >= limit:
            event.processed_at, outcome, level, verdict = now, SKIPPED, logging.INFO, "dropped"
        elif final or event.attempts >= limit:
            event.failed_at, outcome, level, verdict = now, FAILED, logging.ERROR, "kept as a dead letter"
        if outcome != RETRY:
            log.log(level, "whatsapp inbox event %s (%s %s) %s after %d attempts: %s", event.id, event.kind,
                    event.status, verdict, event.attempts, error)  # fmt: skip
        elif deferred:
            event.next_attempt_at = now + dt.timedelta(seconds=runtime.status_defer_seconds)
        else:
            event.next_attempt_at = runtime.backoff.retry_at(now, event.attempts)
        await uow.commit()
        return outcome


async def citizen_for(uow: UnitOfWork, entity: Entity, wa_id: str, profile_name: str | None) -> User:
    """The entity's citizen account of a WhatsApp number, created on first contact."""
    name = valid_name(profile_name) if profile_name else None
    user = await repository.citizen_by_wa_id(uow.session, entity.id, wa_id)
    if user is None:
        user = User(
            entity_id=entity.id,
            email=None,
            name=name or f"{_PLACEHOLDER_NAME}{wa_id}",
            rol=Rol.VECINO,
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
        draft.nombre, draft.nombre_guess = citizen.name, True
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
    chat = await livechat.chat_session(uow, entity, key, Channel.WHATSAPP)
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
        outbound.fill(uow, runtime, reply_row, schemas.Outgoing(schemas.UNSUPPORTED_TEXT))
        return
    if followed is not None:
        await livechat.citizen_message(
            ctx,
            uow,
            entity,
            followed,
            livechat.CitizenLine(
                text=turn.text[:MAX_MESSAGE_CHARS] or "(adjunto)",
                origen=Channel.WHATSAPP,
                citizen=citizen,
                attachment=turn.attachment,
                external_id=event.wamid,
            ),
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
    bot_turn = bot.Turn(
        incoming=incoming,
        idempotency_key=f"wa:{event.wamid}"[:128],
        attachment=turn.attachment,
        client=f"wa:{wa_id}",
    )
    answer = await bot.converse(bot.Call(ctx, uow, entity, Channel.WHATSAPP, key, citizen, bot_turn, state))
    chat.state = json.loads(answer.reply.state.to_json())
    stored_id = answer.extra.get("mensaje_id")
    if isinstance(stored_id, int):
        stored = await session.get(TicketMessage, stored_id)
        if stored is not None and stored.external_id is None:
            stored.external_id = event.wamid
    if answer.extra.get("live_chat"):
        # In a live chat the agent answers; only a waiting citizen hears that the message is queued.
        if answer.ticket is not None and answer.ticket.estado != livechat.LIVE:
            outbound.fill(uow, runtime, reply_row, schemas.Outgoing(answer.reply.respuesta))
        else:
            await session.delete(reply_row)
        return
    outgoing = schemas.outgoing_from_reply(answer.reply)
    if outgoing.text or outgoing.option_count:
        outbound.fill(uow, runtime, reply_row, outgoing)
    else:
        await session.delete(reply_row)


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
        outbound.set_delivery(uow, row.entity_id, message, event.status, error)
