"""Entity profile and live-chat hours over HTTP: /perfil, /auth/profile, /live-chat/schedule."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from ventanilla.entities import hours
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict, Forbidden, NotFound
from ventanilla.text import fold, one_line
from ventanilla.users import service as users
from ventanilla.web import Ctx, CurrentUser, RequestEntity, Staff, Tenant, UoW, WireOut, entity_token_of, errors

router = APIRouter(tags=["entidad"], responses=errors(403, 404))

PROFILE_FIELDS = ("telefono", "direccion", "ciudad", "provincia", "pais", "latitud", "longitud", "link_web")


class ProfileIn(BaseModel):
    """What the admin's profile page saves."""

    model_config = ConfigDict(extra="ignore")

    nombre_empresa: str | None = Field(default=None, max_length=200)
    telefono: str | None = Field(default=None, max_length=64)
    direccion: str | None = Field(default=None, max_length=300)
    ciudad: str | None = Field(default=None, max_length=120)
    provincia: str | None = Field(default=None, max_length=120)
    pais: str | None = Field(default=None, max_length=120)
    latitud: float | None = None
    longitud: float | None = None
    link_web: str | None = Field(default=None, max_length=500)
    logo_url: str | None = Field(default=None, max_length=500)
    horario_json: str | list[dict[str, Any]] | None = None


class ProfileOut(WireOut):
    """The entity's public profile with today's hours."""

    id: int
    nombre_empresa: str
    tipo_chat: str
    esPublico: bool
    rubro: str
    horario_json: Any
    live_chat: dict[str, Any]


class LiveChatOut(WireOut):
    """Whether the live chat is open now, and its hours."""

    enabled: bool
    available: bool


class HoursOut(WireOut):
    """The schedule: ranges per weekday, time zone, closed dates."""

    enabled: bool
    timezone: str


class RubroOut(WireOut):
    """A business category."""

    id: int
    nombre: str
    clave: str


def _profile(ctx: Ctx, entity: Entity) -> dict[str, Any]:
    schedule = entities.schedule_of(entity)
    profile = dict((entity.config or {}).get("perfil", {}))
    return {
        **profile,
        "id": entity.id,
        "nombre_empresa": entity.name,
        "nombre": entity.name,
        "tipo_chat": entity.tipo,
        "esPublico": entity.tipo == "municipio",
        "logo_url": entity.logo_url,
        "rubro": users.entity_rubro(entity),
        "rubro_clave": entities.rubro_key(users.entity_rubro(entity)),
        "horario": hours.horario_payload(schedule, ctx.clock()),
        "horario_json": hours.to_frontend(schedule),
        "live_chat": hours.schedule_payload(schedule, ctx.clock()),
    }


@router.get("/perfil", response_model=ProfileOut)
async def get_profile(ctx: Ctx, entity: RequestEntity) -> dict[str, Any]:
    """Public profile of the entity named by the token (or the logged-in user's entity)."""
    return _profile(ctx, entity)


@router.get("/auth/profile", response_model=ProfileOut)
async def get_auth_profile(ctx: Ctx, user: CurrentUser, entity: RequestEntity) -> dict[str, Any]:
    """The logged-in user's entity profile with today's hours."""
    return _profile(ctx, entity)


@router.put("/perfil", response_model=ProfileOut)
async def put_profile(body: ProfileIn, ctx: Ctx, uow: UoW, user: CurrentUser) -> dict[str, Any]:
    """Admins change their entity's profile and live-chat hours."""
    if user.rol not in ("admin", "super_admin") or user.entity_id is None:
        raise Forbidden("Solo un administrador puede cambiar el perfil.")
    entity = await entities.require(uow.session, user.entity_id)
    if body.horario_json is not None:
        try:
            weekly = hours.parse_frontend(body.horario_json)
        except hours.HoursError as exc:
            raise BadRequest(str(exc)) from exc
        current = entities.schedule_of(entity)
        entities.set_schedule(
            entity,
            hours.Schedule(
                weekly=weekly, timezone=current.timezone, closed_dates=current.closed_dates, enabled=current.enabled
            ),
        )
    if body.nombre_empresa and one_line(body.nombre_empresa):
        entity.name = one_line(body.nombre_empresa)
    if body.logo_url is not None:
        entity.logo_url = body.logo_url or None
    profile = dict((entity.config or {}).get("perfil", {}))
    for name in PROFILE_FIELDS:
        value = getattr(body, name)
        if isinstance(value, float) and not math.isfinite(value):
            raise BadRequest(f"Campo '{name}' inválido.")
        if value is not None:
            profile[name] = value
    entity.config = {**(entity.config or {}), "perfil": profile}
    uow.on_commit(partial(ctx.entity_cache.forget, entity.token))
    return {"mensaje": "Cambios guardados correctamente.", **_profile(ctx, entity)}


@router.get("/live-chat/schedule", response_model=LiveChatOut)
async def get_schedule(ctx: Ctx, entity: RequestEntity) -> dict[str, Any]:
    """Live-chat availability for newer frontends."""
    return hours.schedule_payload(entities.schedule_of(entity), ctx.clock())


@router.get("/live-chat/hours", response_model=HoursOut)
async def get_hours(entity: RequestEntity) -> dict[str, Any]:
    """The full schedule in the clean JSON shape."""
    return hours.to_json(entities.schedule_of(entity))


@router.put("/live-chat/hours", response_model=HoursOut)
async def put_hours(body: dict[str, Any], ctx: Ctx, uow: UoW, user: CurrentUser) -> dict[str, Any]:
    """Admins replace the schedule: ranges per weekday, time zone, closed dates."""
    if user.rol not in ("admin", "super_admin") or user.entity_id is None:
        raise Forbidden("Solo un administrador puede cambiar los horarios.")
    entity = await entities.require(uow.session, user.entity_id)
    try:
        schedule = hours.parse_json(body)
    except hours.HoursError as exc:
        raise BadRequest(str(exc)) from exc
    entities.set_schedule(entity, schedule)
    uow.on_commit(partial(ctx.entity_cache.forget, entity.token))
    return {**hours.to_json(schedule), "estado": hours.schedule_payload(schedule, ctx.clock())}


@router.get("/rubros/", response_model=list[RubroOut])
@router.get("/rubros", response_model=list[RubroOut])
async def list_rubros() -> list[dict[str, Any]]:
    """Business categories for the pyme widget's selector and the sign-up form."""
    return entities.rubros()


class PublicTenantOut(BaseModel):
    """An entity's public profile: never anything private."""

    model_config = ConfigDict(extra="allow")

    slug: str
    nombre: str
    tipo: str
    logo_url: str | None
    entity_token: str
    horario: dict[str, Any]


_PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Ningún tenant con ese slug."},
    409: {"description": "El token y el tenant nombran entidades distintas."},
}


def _public(ctx: Ctx, hint_entity: Entity | None, unknown_slug: bool) -> dict[str, Any]:
    if hint_entity is None:
        if unknown_slug:
            raise NotFound("No existe esa entidad.")
        # Not a malformed request (every part is optional): it names no entity, so there is none to show.
        raise NotFound("Indicá el tenant (X-Tenant, ?tenant_slug= o ?tenant=) o el token de la entidad.")
    return entities.public_profile(hint_entity, ctx.clock())


@router.get("/public/tenant", response_model=PublicTenantOut, responses=_PUBLIC_ERRORS)
async def public_tenant(ctx: Ctx, hint: Tenant) -> dict[str, Any]:
    """The public profile of the tenant named by slug or entity token."""
    return _public(ctx, hint.entity, hint.unknown_slug)


@router.get("/pwa/tenant-info", response_model=PublicTenantOut, responses=_PUBLIC_ERRORS)
async def pwa_tenant_info(ctx: Ctx, hint: Tenant) -> dict[str, Any]:
    """The same public profile for the installed app and the widget's sign-in (it takes `entity_token`)."""
    return _public(ctx, hint.entity, hint.unknown_slug)


@router.get("/public/tenants/{slug}/widget-config", response_model=PublicTenantOut, responses=_PUBLIC_ERRORS)
async def widget_config(slug: str, request: Request, ctx: Ctx, uow: UoW, hint: Tenant) -> dict[str, Any]:
    """The public profile of the tenant in the path, for the widget's first paint.

    The widget puts its `endpoint` (`municipio`) where the slug goes: with a valid entity token, a path slug that
    names no entity is ignored, as everywhere else."""
    found = await entities.find_by_slug(uow.session, slug)
    if found is None:
        if hint.entity is None or not entity_token_of(request):
            raise NotFound("No existe esa entidad.")
        found = hint.entity
    if hint.entity is not None and hint.entity.id != found.id:
        raise Conflict("El token de la entidad y el tenant indicado no coinciden.")
    return entities.public_profile(found, ctx.clock())


class CategoryOut(WireOut):
    """A complaint category: its id is its 1-based position in the entity's list."""

    id: int
    nombre: str


class CategoriesOut(WireOut):
    """The entity's complaint categories."""

    categorias: list[CategoryOut]


@router.get("/admin/tenants/{slug}/ticket-categories", response_model=list[CategoryOut])
async def ticket_categories(slug: str, user: Staff, uow: UoW) -> list[dict[str, Any]]:
    """The entity's complaint categories as `[{id, slug, nombre, tipo}]` (the panel's sidebar groups by them)."""
    entity = await entities.named_for_staff(uow.session, user, slug)
    return [
        {"id": index, "slug": fold(name).replace(" ", "-"), "nombre": name, "tipo": entity.tipo}
        for index, name in enumerate(entities.categories_of(entity), start=1)
    ]


@router.get("/municipal/categorias", response_model=CategoriesOut)
@router.get("/pyme/categorias", response_model=CategoriesOut)
async def categories(user: Staff, uow: UoW) -> dict[str, list[dict[str, Any]]]:
    """`{categorias: [{id, nombre}]}`: both profile pages' heat-map filters."""
    entity = await entities.named_for_staff(uow.session, user, "")
    return {
        "categorias": [
            {"id": index, "nombre": name} for index, name in enumerate(entities.categories_of(entity), start=1)
        ]
    }
