"""Entity use cases: create tenants, read and change their live-chat hours."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.bot.texts import DEFAULT_CATEGORIES
from ventanilla.db import SnapshotCache
from ventanilla.entities import hours, repository
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from ventanilla.security import new_public_token
from ventanilla.text import fold, one_line

if TYPE_CHECKING:
    from ventanilla.users.models import User

TIPOS = ("municipio", "pyme")
# The business categories the widget offers when a pyme entity has none configured.
RUBROS = (
    "Almacén",
    "Bar y restaurante",
    "Ferretería",
    "Farmacia",
    "Indumentaria",
    "Inmobiliaria",
    "Panadería",
    "Peluquería y estética",
    "Servicios profesionales",
    "Tecnología",
    "Turismo",
    "Veterinaria",
    "Municipios",
)
_DEFAULT_SCHEDULE = hours.default_schedule()
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def slugify(name: str) -> str:
    """A URL-safe slug from a name: ASCII lowercase words joined by hyphens."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:56].strip("-") or "entidad"


async def free_slug(session: AsyncSession, name: str) -> str:
    """The slug of a name, with a number appended when another entity has it."""
    base = slugify(name)
    taken = await repository.slugs_like(session, base)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


async def set_slug(session: AsyncSession, entity: Entity, slug: str) -> None:
    """Give an entity a chosen slug: URL-safe and unique."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise BadRequest("El slug solo admite letras minúsculas sin acentos, números y guiones (hasta 64).")
    other = await repository.by_slug(session, slug)
    if other is not None and other.id != entity.id:
        raise Conflict("Ese slug ya lo usa otra entidad.")
    entity.slug = slug
    await session.flush()


async def by_slug(session: AsyncSession, slug: str) -> Entity:
    """Entity by slug or NotFound."""
    entity = await repository.by_slug(session, slug.strip().lower()) if SLUG_RE.match(slug.strip().lower()) else None
    if entity is None:
        raise NotFound("No existe esa entidad.")
    return entity


async def find_by_slug(session: AsyncSession, slug: str) -> Entity | None:
    """Entity by slug (any case, spaces around ignored), or None."""
    return await repository.by_slug(session, slug.strip().lower())


async def portal_entity(session: AsyncSession, slug: str, own_entity_id: int) -> Entity:
    """The entity a portal path names: its slug, or, for a tipo where the slug goes, the caller's own entity."""
    named = await repository.by_slug(session, slug.strip().lower())
    return named or await require(session, own_entity_id)


async def named_for_staff(session: AsyncSession, staff: User, slug: str) -> Entity:
    """The entity a staff member's admin page names in its path: their own (a tipo, the host-derived slug the newest
    frontend invents, or any slug naming no entity all mean their own); another entity only for a super admin."""
    own = await require(session, staff.entity_id) if staff.entity_id is not None else None
    wanted = slug.strip().lower()
    named = await repository.by_slug(session, wanted) if SLUG_RE.match(wanted) else None
    if named is None or (own is not None and named.id == own.id):
        if own is None:
            raise NotFound("No existe esa entidad.")
        return own
    if staff.rol != "super_admin":
        raise Forbidden("Solo podés ver los datos de tu entidad.")
    return named


def categories_of(entity: Entity) -> tuple[str, ...]:
    """The entity's complaint categories (configured, or the defaults of its tipo); ids are 1-based positions."""
    configured = tuple(str(c) for c in (entity.config or {}).get("categorias") or () if str(c).strip())
    return configured or DEFAULT_CATEGORIES.get(entity.tipo, DEFAULT_CATEGORIES["municipio"])


def category_id(entity: Entity, name: str | None) -> int | None:
    """The id of a category name in the entity's list."""
    if not name:
        return None
    wanted = fold(name.strip())
    for index, category in enumerate(categories_of(entity), start=1):
        if fold(category) == wanted:
            return index
    return None


def category_names(entity: Entity, ids: list[int] | None = None, names: list[str] | None = None) -> list[str]:
    """Category names from ids and/or names; unknown ones are refused."""
    categories = categories_of(entity)
    chosen: list[str] = []
    for raw_id in ids or []:
        if not 1 <= raw_id <= len(categories):
            raise NotFound(f"No existe la categoría {raw_id}.")
        chosen.append(categories[raw_id - 1])
    for name in names or []:
        found = category_id(entity, name)
        if found is None:
            raise NotFound(f"No existe la categoría «{one_line(name, 80)}».")
        chosen.append(categories[found - 1])
    return list(dict.fromkeys(chosen))


def category_wire(entity: Entity, names: list[str] | None) -> list[dict[str, Any]]:
    """Categories as `{id, nombre}` for the panel."""
    out = []
    for name in names or []:
        found = category_id(entity, name)
        if found is not None:
            out.append({"id": found, "nombre": categories_of(entity)[found - 1]})
    return out


def public_profile(entity: Entity, now: dt.datetime) -> dict[str, Any]:
    """What anyone may know of an entity: name, tipo, logo, public token, slug and hours; nothing private."""
    schedule = schedule_of(entity)
    return {
        "id": entity.id,
        "slug": entity.slug,
        "tenant_slug": entity.slug,
        "tenantSlug": entity.slug,
        "nombre": entity.name,
        "nombre_empresa": entity.name,
        "tipo": entity.tipo,
        "tipo_chat": entity.tipo,
        "logo_url": entity.logo_url,
        "entity_token": entity.token,
        "entityToken": entity.token,
        "horario": hours.horario_payload(schedule, now),
        "live_chat": hours.schedule_payload(schedule, now),
        "esPublico": entity.tipo == "municipio",
    }


async def create(session: AsyncSession, name: str, tipo: str, **fields: Any) -> Entity:
    """Create an entity with a fresh public token."""
    if tipo not in TIPOS:
        raise BadRequest("El tipo de entidad debe ser 'municipio' o 'pyme'.")
    name = one_line(name)
    if not name:
        raise BadRequest("El nombre de la entidad es obligatorio.")
    slug = fields.pop("slug", None) or await free_slug(session, name)
    entity = Entity(name=name, tipo=tipo, token=new_public_token(), slug=slug, config={}, ticket_seq=0, **fields)
    session.add(entity)
    await session.flush()
    return entity


async def find(session: AsyncSession, entity_id: int | None) -> Entity | None:
    """Entity by id, or None (no id given, or no such entity)."""
    return await repository.get(session, entity_id) if entity_id is not None else None


@dataclass(frozen=True, slots=True)
class TenantHint:
    """What a request says about its entity: the one it names (by token or slug) and whether a slug named none."""

    entity: Entity | None
    unknown_slug: bool


async def named(
    session: AsyncSession, *, token: str | None, slug: str | None, cache: SnapshotCache[Entity] | None = None
) -> TenantHint:
    """The entity a token and a slug name (docs/contract.md §8): the one tenancy rule of requests and logins.

    A valid token wins over a slug that names no entity (the newest frontend derives slugs from host names);
    a token and a slug of two different entities are a Conflict (each is valid alone; together they conflict).
    """
    token = (token or "").strip()
    slug = (slug or "").strip().lower()
    by_token: Entity | None = None
    if token:
        by_token = (
            await cache.get(session, token, lambda: repository.by_token(session, token))
            if cache is not None
            else await repository.by_token(session, token)
        )
    by_slug = await repository.by_slug(session, slug) if slug else None
    if by_token is not None and by_slug is not None and by_token.id != by_slug.id:
        raise Conflict("El token de la entidad y el tenant indicado no coinciden.")
    return TenantHint(entity=by_token or by_slug, unknown_slug=bool(slug) and by_slug is None)


async def require(session: AsyncSession, entity_id: int) -> Entity:
    """Entity by id or NotFound."""
    entity = await repository.get(session, entity_id)
    if entity is None:
        raise NotFound("No existe esa entidad.")
    return entity


async def by_token(session: AsyncSession, token: str | None) -> Entity:
    """Entity by public token or Unauthorized."""
    if not token:
        raise Unauthorized("Falta el token de la entidad.")
    entity = await repository.by_token(session, token.strip())
    if entity is None:
        raise Unauthorized("Token de entidad inválido.")
    return entity


def schedule_of(entity: Entity) -> hours.Schedule:
    """The entity's live-chat schedule (the default when never configured)."""
    if not entity.hours:
        return _DEFAULT_SCHEDULE
    return _parsed_schedule(orjson.dumps(entity.hours, option=orjson.OPT_SORT_KEYS))


@lru_cache(maxsize=1024)
def _parsed_schedule(raw: bytes) -> hours.Schedule:
    # Parsing and validating on every bot turn showed up in profiles; stored hours rarely change.
    try:
        return hours.parse_json(orjson.loads(raw))
    except hours.HoursError:
        return _DEFAULT_SCHEDULE


def set_schedule(entity: Entity, schedule: hours.Schedule) -> None:
    """Store a validated schedule."""
    entity.hours = hours.to_json(schedule)


def live_chat_open(entity: Entity, now: dt.datetime) -> bool:
    """Whether agents take live chats now, in the entity's time zone."""
    return hours.is_open(schedule_of(entity), now)


def rubro_key(name: str) -> str:
    """The key the frontend derives from a rubro name (lowercase, no accents, spaces kept)."""
    plain = unicodedata.normalize("NFD", name)
    return " ".join("".join(ch for ch in plain if not unicodedata.combining(ch)).lower().split())


def rubros() -> list[dict[str, Any]]:
    """The rubro catalogue as the widget's selector reads it."""
    return [{"id": index, "nombre": name, "clave": rubro_key(name)} for index, name in enumerate(RUBROS, start=1)]
