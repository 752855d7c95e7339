"""Entity use cases: create tenants, read and change their live-chat hours."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.entities import hours, repository
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, NotFound, Unauthorized
from ventanilla.security import new_public_token
from ventanilla.text import one_line

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


async def create(session: AsyncSession, name: str, tipo: str, **fields: Any) -> Entity:
    """Create an entity with a fresh public token."""
    if tipo not in TIPOS:
        raise BadRequest("El tipo de entidad debe ser 'municipio' o 'pyme'.")
    name = one_line(name)
    if not name:
        raise BadRequest("El nombre de la entidad es obligatorio.")
    entity = Entity(name=name, tipo=tipo, token=new_public_token(), config={}, ticket_seq=0, **fields)
    session.add(entity)
    await session.flush()
    return entity


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
