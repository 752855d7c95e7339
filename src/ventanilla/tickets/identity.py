"""One person across channels: the tickets of a phone number, consulted from another channel only after proving
the number, with the PIN of one of them or a one-time code sent to that WhatsApp (never by the number alone)."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets

from ventanilla import text
from ventanilla.chat import keys
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork
from ventanilla.entities.models import Entity
from ventanilla.ratelimit import Rule
from ventanilla.tickets import repository
from ventanilla.tickets.models import PhoneCode, Ticket

CODE_PURPOSE = "phone-code"
CODE_DIGITS = 6
_PHONE_RE = re.compile(r"(?<![\d])\+?\d[\d\s().-]{6,18}\d(?![\d])")


def national_phone(raw: str | None) -> str | None:
    """The 10 national digits of an Argentine number in any format (+54 9 261 444-3322, 0261 15 444 3322,
    2614443322); None when it is not one."""
    digits = text.national_phone(re.sub(r"\D", "", raw or ""))
    return digits if len(digits) == 10 else None


def find_phone(text: str) -> str | None:
    """The first Argentine phone number written in a text, as national digits."""
    for match in _PHONE_RE.finditer(text[:500]):
        found = national_phone(match.group(0))
        if found is not None:
            return found
    return None


def wa_id_of(national: str) -> str:
    """The WhatsApp id of a national mobile number."""
    return f"549{national}"


def has_phone(ticket: Ticket, national: str) -> bool:
    """The ticket was filed from this number (its WhatsApp chat, or the phone it gives)."""
    return ticket.chat_session_key == keys.whatsapp(wa_id_of(national)) or (
        national_phone(ticket.telefono) == national
    )


def ticket_phone(ticket: Ticket) -> str | None:
    """The number a ticket was filed with: its WhatsApp chat's, else the phone it gives."""
    wa_id = keys.whatsapp_number(ticket.chat_session_key)
    return national_phone(wa_id) if wa_id else national_phone(ticket.telefono)


async def tickets_of_phone(uow: UnitOfWork, entity: Entity, national: str) -> list[Ticket]:
    """The complaints filed from a number, newest first."""
    found = await repository.of_phone(
        uow.session, entity.id, wa_session=keys.whatsapp(wa_id_of(national)), phone_tail=national[-8:]
    )
    return [t for t in found if has_phone(t, national)]


def _codes_per_phone(ctx: AppContext) -> Rule:
    return Rule("phone-codes", ctx.settings.identity_codes_per_phone)


def _hash(ctx: AppContext, session_key: str, phone: str, code: str) -> str:
    return ctx.signer.short_mac(CODE_PURPOSE, f"{session_key}:{phone}:{code}", 64)


def code_message(code: str, minutes: int) -> str:
    """The WhatsApp text that carries a code."""
    return (
        f"Tu código para ver tus reclamos en el chat de la web es {code}. Vence en {minutes} minutos. "
        "Si no lo pediste vos, ignorá este mensaje."
    )


async def new_code(
    ctx: AppContext, uow: UnitOfWork, entity: Entity, *, session_key: str, national: str, now: dt.datetime
) -> str | None:
    """A one-time code for a number that has tickets here (None when it has none), stored hashed; limited per
    number and per chat session (raises TooManyRequests past the limit). The caller sends it to that WhatsApp and
    answers the same whether or not there was one."""
    limits = ctx.rate_limits
    await limits.hit(_codes_per_phone(ctx), national)
    await limits.hit(_codes_per_phone(ctx), f"session:{session_key}")
    if not await tickets_of_phone(uow, entity, national):
        return None
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    await repository.add_phone_code(
        uow.session,
        PhoneCode(
            entity_id=entity.id,
            session_key=session_key,
            phone=national,
            code_hash=_hash(ctx, session_key, national, code),
            attempts=0,
            expires_at=now + dt.timedelta(seconds=ctx.settings.identity_code_ttl_seconds),
            created_at=now,
        ),
    )
    return code


async def verify_code(
    ctx: AppContext, uow: UnitOfWork, entity: Entity, *, session_key: str, code: str, now: dt.datetime
) -> str | None:
    """The number a chat session proved with this code, or None (wrong, expired, used or out of tries: each try
    is counted in the database before the comparison)."""
    row = await repository.latest_phone_code(uow.session, entity.id, session_key)
    if row is None:
        return None
    if not await repository.take_code_attempt(uow.session, row.id, ctx.settings.identity_code_attempts, now):
        return None
    expected = _hash(ctx, session_key, row.phone, code.strip())
    if not hmac.compare_digest(expected, row.code_hash):
        return None
    return row.phone if await repository.use_code(uow.session, row.id, now) else None
