"""User use cases: registration, login, tokens, notification preferences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.chat import keys
from ventanilla.chat import repository as chats_repo
from ventanilla.db import SnapshotCache
from ventanilla.domain import Channel
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from ventanilla.security import TokenSigner, hash_password, verify_password
from ventanilla.text import one_line
from ventanilla.tickets import repository as tickets_repo
from ventanilla.users import repository
from ventanilla.users.models import ROLES, NotificationPrefs, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
AUTH_PURPOSE = "auth"
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
MIN_PASSWORD = 8
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,30}$")


def clean_phone(phone: str | None) -> str | None:
    """A phone number as typed (digits, spaces, dashes, parentheses, leading +), or None when empty."""
    value = one_line(phone or "", 32)
    if not value:
        return None
    if not PHONE_RE.match(value):
        raise BadRequest("El teléfono no es válido.")
    return value


_MAX_INT32 = 2**31 - 1
EMAIL_FIXED = "El email de la cuenta no se cambia desde acá; si necesitás cambiarlo, pedíselo a la entidad."


def normalize_email(email: str | None) -> str:
    """Lower-cased, trimmed, validated email."""
    value = (email or "").strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 320:
        raise BadRequest("El email no es válido.")
    return value


@dataclass(frozen=True, slots=True)
class Profile:
    """What a new account says about its person: a name (else the email's local part), a phone, a DNI."""

    name: str | None = None
    phone: str | None = None
    dni: str | None = None


async def create(
    session: AsyncSession, *, entity_id: int | None, email: str, password: str | None, rol: str, profile: Profile
) -> User:
    """Create a user; the email is unique inside the entity."""
    name, phone, dni = profile.name, profile.phone, profile.dni
    if rol not in ROLES:
        raise BadRequest("Rol inválido.")
    email = normalize_email(email)
    if password is not None and len(password) < MIN_PASSWORD:
        raise BadRequest(f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres.")
    if entity_id is not None and await repository.by_entity_email(session, entity_id, email):
        raise Conflict("Ya existe un usuario con ese email.")
    user = User(
        entity_id=entity_id,
        email=email,
        name=one_line(name) or email.split("@")[0],
        password_hash=await hash_password(password) if password else None,
        rol=rol,
        phone=phone,
        dni=dni,
        token_version=0,
    )
    session.add(user)
    await session.flush()
    return user


async def staff_email_taken(session: AsyncSession, email: str) -> bool:
    """Whether a staff account (of any entity) already has this email."""
    return any(u.is_staff for u in await repository.by_email(session, normalize_email(email)))


_INT32_MAX = 2**31 - 1


async def staff_member(session: AsyncSession, entity_id: int, user_id: int) -> User:
    """A staff account of the entity, or NotFound (another entity's staff do not exist for the caller)."""
    agent = await repository.get(session, user_id) if 1 <= user_id <= _INT32_MAX else None
    if agent is None or not agent.is_staff or agent.entity_id != entity_id:
        raise NotFound("No existe ese agente en la entidad.")
    return agent


@dataclass(frozen=True, slots=True)
class Team:
    """An entity's staff, and each one's open and attended tickets."""

    staff: Sequence[User]
    load: dict[int, tuple[int, int]]


async def team(session: AsyncSession, entity_id: int) -> Team:
    """The entity's agents and admins with their workload."""
    return Team(await repository.staff_of(session, entity_id), await workload(session, entity_id))


async def workload(session: AsyncSession, entity_id: int) -> dict[int, tuple[int, int]]:
    """Open and attended tickets per agent of the entity."""
    return await tickets_repo.agent_counts(session, entity_id)


async def authenticate(
    session: AsyncSession, email: str, password: str, *, entity_id: int | None = None, staff: bool | None = None
) -> User:
    """The user with these credentials, or Unauthorized (same answer for unknown email and bad password)."""
    try:
        email = normalize_email(email)
    except BadRequest as exc:
        raise Unauthorized("Email o contraseña incorrectos.") from exc
    candidates = [
        u
        for u in await repository.by_email(session, email)
        if u.password_hash
        and (entity_id is None or u.entity_id == entity_id)
        and (staff is None or u.is_staff == staff)
    ]
    # Exactly one slow check whatever matched, so timing tells nothing about which emails exist.
    user = candidates[0] if candidates else None
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    if await verify_password(password, stored) and user is not None:
        return user
    raise Unauthorized("Email o contraseña incorrectos.")


def issue_token(signer: TokenSigner, user: User) -> str:
    """A signed bearer token (also used as the session cookie)."""
    return signer.sign(AUTH_PURPOSE, {"uid": user.id, "v": user.token_version})


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid auth token says."""

    user_id: int
    version: int


def read_token(signer: TokenSigner, token: str | None, max_age: int) -> TokenClaims | None:
    """Claims of a valid, unexpired token."""
    if not token:
        return None
    data = signer.unsign(AUTH_PURPOSE, token, max_age=max_age)
    if not isinstance(data, dict):
        return None
    uid, version = data.get("uid"), data.get("v", 0)
    # Only what we sign passes: 32-bit ints (a forged odd type or a huge number must not reach the database).
    if type(uid) is not int or type(version) is not int or not (0 <= uid <= _MAX_INT32 and 0 <= version <= _MAX_INT32):
        return None
    return TokenClaims(uid, version)


async def user_from_token(
    session: AsyncSession,
    signer: TokenSigner,
    token: str | None,
    max_age: int,
    cache: SnapshotCache[User] | None = None,
) -> User | None:
    """The user a token names, if it is valid and not revoked."""
    claims = read_token(signer, token, max_age)
    if claims is None:
        return None
    if cache is None:
        user = await repository.get(session, claims.user_id)
    else:
        user = await cache.get(session, claims.user_id, lambda: repository.get(session, claims.user_id))
    if user is None or user.token_version != claims.version:
        return None
    return user


@dataclass(frozen=True, slots=True)
class Preferences:
    """Notification switches as the frontend reads them."""

    email: bool
    sms: bool
    ticket: bool


async def get_preferences(session: AsyncSession, user: User) -> Preferences:
    """Saved preferences, or the role's defaults (`ticket` on for staff)."""
    row = await repository.prefs(session, user.id)
    default_ticket = user.is_staff
    if row is None:
        return Preferences(email=True, sms=False, ticket=default_ticket)
    return Preferences(email=row.email, sms=row.sms, ticket=default_ticket if row.ticket is None else row.ticket)


async def set_preferences(
    session: AsyncSession, user: User, *, email: bool | None, sms: bool | None, ticket: bool | None
) -> Preferences:
    """Change some switches; the others keep their value."""
    current = await get_preferences(session, user)
    row = await repository.prefs(session, user.id)
    if row is None:
        row = NotificationPrefs(user_id=user.id)
        session.add(row)
    row.email = current.email if email is None else email
    row.sms = current.sms if sms is None else sms
    row.ticket = current.ticket if ticket is None else ticket
    await session.flush()
    return await get_preferences(session, user)


def entity_rubro(entity: Entity | None) -> str:
    """The `rubro` the frontend needs non-empty on /me."""
    if entity is None or entity.tipo == "municipio":
        return "municipios"
    return str((entity.config or {}).get("rubro") or "comercio")


async def update_profile(
    session: AsyncSession,
    user: User,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    marketing_opt_in: bool | None,
) -> None:
    """Change a user's own name and contact data; the account's email stays as it is.

    Changing the email is refused with one answer whether or not another account uses the new address: a
    409 for taken addresses would tell anyone with an account which emails have one.
    """
    if name is not None:
        clean = one_line(name)
        if not clean:
            raise BadRequest("El nombre no puede quedar vacío.")
        user.name = clean
    if email is not None and normalize_email(email) != (user.email or ""):
        raise Forbidden(EMAIL_FIXED)
    if phone is not None:
        user.phone = clean_phone(phone)
    if marketing_opt_in is not None:
        user.marketing_opt_in = marketing_opt_in
    await session.flush()


async def link_anonymous(
    session: AsyncSession, entity_id: int, user: User, *, session_key: str | None, anon_ids: list[str]
) -> int:
    """What this browser filed before logging in (chat sessions, tickets) becomes the citizen's; how many tickets."""
    # Only web sessions: a browser never claims another channel's conversation (see `chat.keys`).
    own = [session_key] if keys.channel_of(session_key) == Channel.WEB and session_key else []
    chats = await chats_repo.visitor_sessions(session, entity_id, own, anon_ids)
    web_keys = {c.session_key for c in chats if keys.channel_of(c.session_key) == Channel.WEB} | set(own)
    for chat in chats:
        if chat.citizen_id is None:
            chat.citizen_id = user.id
    tickets = list(await tickets_repo.unowned_by_sessions(session, entity_id, sorted(web_keys)))
    chat_ticket_ids = [c.ticket_id for c in chats if c.ticket_id is not None]
    tickets += [
        t
        for t in await tickets_repo.by_ids(session, chat_ticket_ids)
        if t.entity_id == entity_id and t.channel == Channel.WEB and t.citizen_id is None and t not in tickets
    ]
    for ticket in tickets:
        ticket.citizen_id = user.id
        ticket.email = ticket.email or user.email
        ticket.nombre_usuario = ticket.nombre_usuario or user.name
        ticket.telefono = ticket.telefono or user.phone
    await session.flush()
    return len(tickets)
