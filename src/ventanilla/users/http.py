"""Accounts over HTTP: panel and widget login/registration, /me, notification switches."""

from __future__ import annotations

import secrets
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema
from pydantic.config import JsonDict

from ventanilla.entities import hours
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from ventanilla.settings import Settings
from ventanilla.text import EMAIL_PATTERN, NONBLANK_PATTERN, PHONE_PATTERN
from ventanilla.users import service as users
from ventanilla.users.models import User
from ventanilla.web import (
    Ctx,
    CurrentUser,
    OkOut,
    OptionalUser,
    ORJSONResponse,
    RowId,
    Staff,
    Tenant,
    UoW,
    WebSession,
    WireOut,
    entity_token_of,
    errors,
    limit,
)

router = APIRouter(tags=["cuentas"], responses=errors(401, 404, 409))
_PHONE: JsonDict = {"pattern": PHONE_PATTERN}
login_limit = Depends(limit("login", lambda ctx: ctx.settings.login_rate_limit_per_minute))


class LoginIn(BaseModel):
    """Email and password."""

    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=320)
    password: str = Field(max_length=256)


def _require_terms(schema: dict[str, Any]) -> None:
    schema.setdefault("required", []).append("acepto_terminos")


class RegisterIn(LoginIn):
    """A business or municipality signing up: an entity and its first admin."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_require_terms)

    email: str = Field(max_length=320, json_schema_extra={"pattern": EMAIL_PATTERN})
    password: str = Field(max_length=256, json_schema_extra={"minLength": users.MIN_PASSWORD})
    name: str = Field(default="", max_length=200)
    nombre_empresa: str = Field(default="", max_length=200)
    rubro: str | None = Field(default=None, max_length=100)
    tipo_chat: str = Field(default="pyme", max_length=16)
    acepto_terminos: Annotated[bool, WithJsonSchema({"type": "boolean", "const": True})] = False


class CitizenLoginIn(LoginIn):
    """A citizen logging in from the widget."""

    empresa_token: str | None = Field(default=None, max_length=128)


class CitizenRegisterIn(CitizenLoginIn):
    """A citizen signing up from the widget."""

    email: str = Field(max_length=320, json_schema_extra={"pattern": EMAIL_PATTERN})
    password: str = Field(max_length=256, json_schema_extra={"minLength": users.MIN_PASSWORD})
    name: str | None = Field(default=None, max_length=200)
    nombre: str | None = Field(default=None, max_length=200)
    telefono: str | None = Field(default=None, max_length=32, json_schema_extra=_PHONE)
    dni: str | None = Field(default=None, max_length=16)


class AdminLoginIn(LoginIn):
    """Staff login of the newest panel."""

    tenant_slug: str | None = Field(default=None, max_length=64)


class WidgetLoginIn(CitizenLoginIn):
    """Citizen login of the newest widget."""

    anon_id: str | None = Field(default=None, max_length=64)
    tenant_slug: str | None = Field(default=None, max_length=64)


class WidgetRegisterIn(WidgetLoginIn):
    """Citizen sign-up of the newest widget."""

    email: str = Field(max_length=320, json_schema_extra={"pattern": EMAIL_PATTERN})
    password: str = Field(max_length=256, json_schema_extra={"minLength": users.MIN_PASSWORD})
    name: str | None = Field(default=None, max_length=200)
    nombre: str | None = Field(default=None, max_length=200)
    telefono: str | None = Field(default=None, max_length=32, json_schema_extra=_PHONE)
    dni: str | None = Field(default=None, max_length=16)
    acepto_terminos: Annotated[bool | None, WithJsonSchema({"anyOf": [{"const": True}, {"type": "null"}]})] = None


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _nonblank(max_length: int) -> dict[str, Any]:
    return _optional({"type": "string", "maxLength": max_length, "pattern": NONBLANK_PATTERN})


_OPTIONAL_EMAIL = _optional({"type": "string", "maxLength": 320, "pattern": EMAIL_PATTERN})


class ProfileIn(BaseModel):
    """What a user may change of their own account."""

    model_config = ConfigDict(extra="ignore")

    name: Annotated[str | None, Field(max_length=200), WithJsonSchema(_nonblank(200))] = None
    nombre: Annotated[str | None, Field(max_length=200), WithJsonSchema(_nonblank(200))] = None
    email: Annotated[str | None, Field(max_length=320), WithJsonSchema(_OPTIONAL_EMAIL)] = None
    telefono: str | None = Field(default=None, max_length=32, json_schema_extra=_PHONE)
    whatsapp: str | None = Field(default=None, max_length=32, json_schema_extra=_PHONE)
    celular: str | None = Field(default=None, max_length=32, json_schema_extra=_PHONE)
    acepta_marketing: bool | None = None


class NotificationsIn(BaseModel):
    """Switches to change; absent ones keep their value."""

    model_config = ConfigDict(extra="ignore")

    email: StrictBool | None = None
    sms: StrictBool | None = None
    ticket: StrictBool | None = None


class AuthOut(WireOut):
    """A login or sign-up: the bearer token (also set as the HttpOnly session cookie) and who logged in."""

    token: str
    id: int
    name: str
    email: str
    rol: str
    entityToken: str | None
    tipo_chat: str | None
    nombre_empresa: str | None
    entity_id: int | None


class MeOut(WireOut):
    """The logged-in user and their entity's profile."""

    id: int
    name: str
    email: str
    rol: str
    rubro: str
    entityToken: str | None
    entity_id: int | None
    esPublico: bool


class NotificationsOut(WireOut):
    """Notification switches."""

    email: bool
    sms: bool
    ticket: bool


def _set_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=settings.token_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.session_cookie_secure,
        path="/",
    )


def _auth_payload(ctx: Ctx, user: User, entity: Entity | None) -> dict[str, Any]:
    return {
        "token": users.issue_token(ctx.signer, user),
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "rol": user.rol,
        "entityToken": entity.token if entity and user.is_staff else None,
        "tipo_chat": entity.tipo if entity else None,
        "nombre_empresa": entity.name if entity else None,
        "entity_id": entity.id if entity else None,
    }


def _new_auth_payload(ctx: Ctx, user: User, entity: Entity | None) -> dict[str, Any]:
    """The newest frontend's shape: `token` and `user {...}`, plus the flat fields the widget reads."""
    slug = entity.slug if entity else None
    token = entity.token if entity else None
    inner = {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "rol": user.rol,
        "tenant_slug": slug,
        "tenantSlug": slug,
        "entityToken": token,
        "entity_token": token,
        "tipo_chat": entity.tipo if entity else None,
    }
    return {**_auth_payload(ctx, user, entity), **{k: v for k, v in inner.items() if k != "id"}, "user": inner}


def _login_response(ctx: Ctx, payload: dict[str, Any], status: int = 200) -> Response:
    response = ORJSONResponse(payload, status_code=status)
    _set_cookie(response, ctx.settings, payload["token"])
    return response


@router.post("/login", dependencies=[login_limit], response_model=AuthOut)
async def login(body: LoginIn, ctx: Ctx, uow: UoW) -> Response:
    """Panel login: bearer token in the body and an HttpOnly session cookie for the panel socket."""
    user = await users.authenticate(uow.session, body.email, body.password, staff=True)
    entity = await entities.find(uow.session, user.entity_id)
    return _login_response(ctx, _auth_payload(ctx, user, entity))


@router.post("/logout", response_model=OkOut)
async def logout(ctx: Ctx, uow: UoW, user: OptionalUser) -> Response:
    """Revoke the caller's tokens (every device) and forget the session cookie."""
    if user is not None:
        user.token_version += 1
        uow.on_commit(partial(ctx.user_cache.forget, user.id))
    response = ORJSONResponse({"ok": True})
    response.delete_cookie(ctx.settings.session_cookie_name, path="/")
    return response


@router.post("/register", status_code=201, dependencies=[login_limit], response_model=AuthOut)
async def register(body: RegisterIn, ctx: Ctx, uow: UoW) -> Response:
    """Sign up an entity with its first admin."""
    if not body.acepto_terminos:
        raise BadRequest("Tenés que aceptar los términos y condiciones.")
    if await users.staff_email_taken(uow.session, body.email):
        raise Conflict("Ya existe una cuenta con ese email. Iniciá sesión.")
    tipo = body.tipo_chat if body.tipo_chat in entities.TIPOS else "pyme"
    entity = await entities.create(uow.session, body.nombre_empresa or body.name or body.email, tipo)
    if body.rubro:
        entity.config = {**entity.config, "rubro": body.rubro}
    user = await users.create(
        uow.session,
        entity_id=entity.id,
        email=body.email,
        password=body.password,
        rol="admin",
        profile=users.Profile(name=body.name),
    )
    payload = _auth_payload(ctx, user, entity)
    await uow.flush()
    return _login_response(ctx, payload, status=201)


async def _entity_for_citizen(request: Request, uow: UoW, empresa_token: str | None) -> Entity:
    return await entities.by_token(uow.session, empresa_token or entity_token_of(request))


async def _widget_entity(uow: UoW, hint: Tenant, empresa_token: str | None, tenant_slug: str | None) -> Entity:
    """The entity of a widget login: the body's token or slug, else the request's; they must agree."""
    said = await entities.named(uow.session, token=empresa_token, slug=tenant_slug)
    named = [e for e in (said.entity, hint.entity) if e is not None]
    if len({e.id for e in named}) > 1:
        raise Conflict("El token de la entidad y el tenant indicado no coinciden.")
    if named:
        return named[0]
    if said.unknown_slug or hint.unknown_slug:
        raise NotFound("No existe esa entidad.")
    raise Unauthorized("Falta o es inválido el token de la entidad.")


class AuthUserOut(BaseModel):
    """The account inside a login answer."""

    model_config = ConfigDict(extra="allow")

    id: int
    email: str | None
    name: str
    rol: str
    tenant_slug: str | None


class AuthSessionOut(BaseModel):
    """A login or sign-up answer of the newest frontend (flat fields beside `user`)."""

    model_config = ConfigDict(extra="allow")

    token: str
    user: AuthUserOut
    rol: str


class TokenInfoOut(BaseModel):
    """What an entity token names."""

    model_config = ConfigDict(extra="allow")

    valid: bool
    tipo_chat: str
    slug: str


class MeUpdateOut(BaseModel):
    """The account after `PUT /me`."""

    model_config = ConfigDict(extra="allow")

    ok: bool
    id: int
    name: str
    email: str | None


_LOGIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Email o contraseña incorrectos."},
    429: {"description": "Demasiados intentos."},
}
_WIDGET_ERRORS: dict[int | str, dict[str, Any]] = {
    **_LOGIN_ERRORS,
    404: {"description": "Ningún tenant con ese slug."},
    409: {"description": "El token y el tenant nombran entidades distintas."},
}


def _anon_ids(request: Request, body_anon: str | None) -> list[str]:
    raw = [body_anon, request.headers.get("anon-id"), request.headers.get("x-anon-id")]
    kept = [v.strip()[:64] for v in raw if v and v.strip() and v.strip() not in ("null", "undefined")]
    return list(dict.fromkeys(kept))


@router.post("/auth/admin/login", dependencies=[login_limit], response_model=AuthSessionOut, responses=_LOGIN_ERRORS)
async def admin_login(body: AdminLoginIn, ctx: Ctx, uow: UoW) -> Response:
    """Staff login of the newest panel: the same checks, limits and cookie as `/login`."""
    user = await users.authenticate(uow.session, body.email, body.password, staff=True)
    entity = await entities.find(uow.session, user.entity_id)
    return _login_response(ctx, _new_auth_payload(ctx, user, entity))


@router.post("/auth/login", dependencies=[login_limit], response_model=AuthSessionOut, responses=_WIDGET_ERRORS)
async def widget_login(
    body: WidgetLoginIn, request: Request, ctx: Ctx, uow: UoW, hint: Tenant, session_key: WebSession
) -> Response:
    """Citizen login from the newest widget, inside the entity named by `empresa_token` or the tenant slug."""
    entity = await _widget_entity(uow, hint, body.empresa_token, body.tenant_slug)
    user = await users.authenticate(uow.session, body.email, body.password, entity_id=entity.id)
    if not user.is_staff:
        await users.link_anonymous(
            uow.session, entity.id, user, session_key=session_key, anon_ids=_anon_ids(request, body.anon_id)
        )
    payload = _new_auth_payload(ctx, user, entity)
    await uow.flush()
    return _login_response(ctx, payload)


@router.post(
    "/auth/register",
    status_code=201,
    dependencies=[login_limit],
    response_model=AuthSessionOut,
    responses={**_WIDGET_ERRORS, 409: {"description": "Ya existe una cuenta con ese email."}},
)
async def widget_register(
    body: WidgetRegisterIn, request: Request, ctx: Ctx, uow: UoW, hint: Tenant, session_key: WebSession
) -> Response:
    """Citizen sign-up from the newest widget; what this visitor filed anonymously becomes theirs."""
    if body.acepto_terminos is False:
        raise BadRequest("Tenés que aceptar los términos y condiciones.")
    entity = await _widget_entity(uow, hint, body.empresa_token, body.tenant_slug)
    user = await users.create(
        uow.session,
        entity_id=entity.id,
        email=body.email,
        password=body.password,
        rol="vecino",
        profile=users.Profile(name=body.nombre or body.name, phone=users.clean_phone(body.telefono), dni=body.dni),
    )
    await users.link_anonymous(
        uow.session, entity.id, user, session_key=session_key, anon_ids=_anon_ids(request, body.anon_id)
    )
    payload = _new_auth_payload(ctx, user, entity)
    await uow.flush()
    return _login_response(ctx, payload, status=201)


class AnonIdOut(BaseModel):
    """The anonymous visitor id the widget keeps."""

    anon_id: str


@router.get("/pwa/anon-id", response_model=AnonIdOut)
async def anon_id(request: Request) -> dict[str, str]:
    """The visitor's own anonymous id (`X-Anon-Id` / `Anon-Id`), or a new one: sign-up later claims what it filed."""
    given = _anon_ids(request, None)
    return {"anon_id": given[0] if given else secrets.token_hex(16)}


@router.get(
    "/auth/token-info",
    response_model=TokenInfoOut,
    responses={401: {"description": "Falta o es inválido el token."}, 404: {"description": "Tenant desconocido."}},
)
async def token_info(ctx: Ctx, uow: UoW, user: OptionalUser, hint: Tenant) -> dict[str, Any]:
    """What the widget's entity token names: its `tipo_chat` and public profile."""
    entity = hint.entity
    if entity is None:
        if hint.unknown_slug:
            raise NotFound("No existe esa entidad.")
        raise Unauthorized("Falta o es inválido el token de la entidad.")
    return {"valid": True, **entities.public_profile(entity, ctx.clock())}


@router.post("/chatuserloginpanel", dependencies=[login_limit], response_model=AuthOut)
async def citizen_login(body: CitizenLoginIn, request: Request, ctx: Ctx, uow: UoW) -> Response:
    """Citizen login from the widget, inside one entity."""
    entity = await _entity_for_citizen(request, uow, body.empresa_token)
    user = await users.authenticate(uow.session, body.email, body.password, entity_id=entity.id)
    return _login_response(ctx, _auth_payload(ctx, user, entity))


@router.post("/chatuserregisterpanel", status_code=201, dependencies=[login_limit], response_model=AuthOut)
async def citizen_register(body: CitizenRegisterIn, request: Request, ctx: Ctx, uow: UoW) -> Response:
    """Citizen sign-up from the widget."""
    entity = await _entity_for_citizen(request, uow, body.empresa_token)
    user = await users.create(
        uow.session,
        entity_id=entity.id,
        email=body.email,
        password=body.password,
        rol="vecino",
        profile=users.Profile(name=body.nombre or body.name, phone=body.telefono, dni=body.dni),
    )
    payload = _auth_payload(ctx, user, entity)
    await uow.flush()
    return _login_response(ctx, payload, status=201)


@router.get("/me", response_model=MeOut)
async def me(user: CurrentUser, ctx: Ctx, uow: UoW) -> dict[str, Any]:
    """The logged-in user with their entity's profile (the panel needs a non-empty `rubro`)."""
    entity = await entities.find(uow.session, user.entity_id)
    profile = dict((entity.config or {}).get("perfil", {})) if entity else {}
    schedule = entities.schedule_of(entity) if entity else None
    return {
        **profile,
        "id": user.id,
        "name": user.name,
        "nombre": user.name,
        "email": user.email,
        "rol": user.rol,
        "tipo_chat": entity.tipo if entity else None,
        "nombre_empresa": entity.name if entity else None,
        "logo_url": entity.logo_url if entity else None,
        "rubro": users.entity_rubro(entity),
        "entityToken": entity.token if entity and user.is_staff else None,
        "entity_id": entity.id if entity else None,
        "esPublico": bool(entity and entity.tipo == "municipio"),
        "horario_json": hours.to_frontend(schedule) if schedule else None,
        "horario": hours.horario_payload(schedule, ctx.clock()) if schedule else None,
        "telefono": (user.phone if not user.is_staff else None) or profile.get("telefono") or user.phone,
        **_account_fields(user, entity),
    }


def _account_fields(user: User, entity: Entity | None) -> dict[str, Any]:
    """What the newest frontend adds to /me: tenant, categories, plan, own contact data."""
    categorias = entities.category_wire(entity, user.categories) if entity else []
    return {
        "tenant_slug": entity.slug if entity else None,
        "tenantSlug": entity.slug if entity else None,
        "entity_token": entity.token if entity and user.is_staff else None,
        "categorias": categorias,
        "categoria_ids": [c["id"] for c in categorias],
        "plan": str((entity.config or {}).get("plan") or "free") if entity else "free",
        "phone": user.phone,
        "whatsapp": user.phone,
        "celular": user.phone,
        "acepta_marketing": bool(user.marketing_opt_in),
    }


@router.put(
    "/me",
    response_model=MeUpdateOut,
    responses={
        400: {"description": "Email, nombre o teléfono inválidos."},
        401: {"description": "Sin sesión."},
        403: {"description": "El email no se cambia por acá (igual respuesta, lo use o no otra cuenta)."},
    },
)
async def put_me(body: ProfileIn, ctx: Ctx, uow: UoW, user: CurrentUser) -> dict[str, Any]:
    """The caller changes their own name and contact data (not the account's email: see users.update_profile)."""
    await users.update_profile(
        uow.session,
        user,
        name=body.name if body.name is not None else body.nombre,
        email=body.email,
        phone=next((p for p in (body.telefono, body.celular, body.whatsapp) if p is not None), None),
        marketing_opt_in=body.acepta_marketing,
    )
    entity = await entities.find(uow.session, user.entity_id)
    answer = {
        "ok": True,
        "mensaje": "Guardamos tus datos.",
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "telefono": user.phone,
        "rol": user.rol,
        **_account_fields(user, entity),
    }
    uow.on_commit(partial(ctx.user_cache.forget, user.id))
    return answer


@router.get("/notifications", response_model=NotificationsOut)
async def get_notifications(user: CurrentUser, uow: UoW) -> dict[str, bool]:
    """Notification switches; `ticket` defaults to true for agents."""
    prefs = await users.get_preferences(uow.session, user)
    return {"email": prefs.email, "sms": prefs.sms, "ticket": prefs.ticket}


@router.put("/notifications", response_model=NotificationsOut)
async def put_notifications(body: NotificationsIn, user: CurrentUser, uow: UoW) -> dict[str, bool]:
    """Change notification switches."""
    prefs = await users.set_preferences(uow.session, user, email=body.email, sms=body.sms, ticket=body.ticket)
    await uow.flush()
    return {"email": prefs.email, "sms": prefs.sms, "ticket": prefs.ticket}


class AgentOut(BaseModel):
    """An agent as the newest panel's assignment picker reads it."""

    model_config = ConfigDict(extra="allow")

    id: int
    nombre_usuario: str
    email: str | None
    categoria_ids: list[int]
    abiertos: int
    atendidos: int


class AgentCategoriesIn(BaseModel):
    """The categories an agent handles: by id, by name, or as `{id, nombre}` objects."""

    model_config = ConfigDict(extra="ignore")

    categoria_ids: list[int] | None = Field(default=None, max_length=50)
    categorias: list[str | dict[str, Any]] | None = Field(default=None, max_length=50)


def _agent_wire(entity: Entity, agent: User, counts: dict[int, tuple[int, int]]) -> dict[str, Any]:
    categorias = entities.category_wire(entity, agent.categories)
    abiertos, atendidos = counts.get(agent.id, (0, 0))
    return {
        "id": agent.id,
        "nombre_usuario": agent.name,
        "nombre": agent.name,
        "name": agent.name,
        "email": agent.email,
        "rol": agent.rol,
        "categoria_ids": [c["id"] for c in categorias],
        "categorias": categorias,
        "abiertos": abiertos,
        "atendidos": atendidos,
    }


_AGENT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Sin sesión."},
    403: {"description": "Solo el personal de la entidad."},
}


@router.get("/municipal/usuarios", response_model=list[AgentOut], responses=_AGENT_ERRORS)
@router.get("/pyme/usuarios", response_model=list[AgentOut], responses=_AGENT_ERRORS)
async def list_agents(user: Staff, uow: UoW) -> list[dict[str, Any]]:
    """The entity's agents and admins with their categories and their open and attended tickets."""
    if user.entity_id is None:
        return []
    entity = await entities.require(uow.session, user.entity_id)
    team = await users.team(uow.session, entity.id)
    return [_agent_wire(entity, agent, team.load) for agent in team.staff]


@router.put(
    "/municipal/usuarios/{user_id}/categorias",
    response_model=AgentOut,
    responses={**_AGENT_ERRORS, 400: {"description": "Categoría desconocida."}, 404: {"description": "No existe."}},
)
@router.put("/pyme/usuarios/{user_id}/categorias", response_model=AgentOut, responses=_AGENT_ERRORS)
async def set_agent_categories(
    user_id: RowId, body: AgentCategoriesIn, ctx: Ctx, uow: UoW, user: Staff
) -> dict[str, Any]:
    """An admin sets the complaint categories an agent handles (auto-assignment prefers them)."""
    if user.rol not in ("admin", "super_admin") or user.entity_id is None:
        raise Forbidden("Solo un administrador puede cambiar las categorías de un agente.")
    agent = await users.staff_member(uow.session, user.entity_id, user_id)
    entity = await entities.require(uow.session, user.entity_id)
    ids = list(body.categoria_ids or [])
    names: list[str] = []
    for item in body.categorias or []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item.get("id"), int):
            ids.append(int(item["id"]))
        elif isinstance(item.get("nombre"), str):
            names.append(str(item["nombre"]))
    agent.categories = entities.category_names(entity, ids, names)
    answer = _agent_wire(entity, agent, await users.workload(uow.session, entity.id))
    uow.on_commit(partial(ctx.user_cache.forget, agent.id))
    return answer


class EmployeesOut(BaseModel):
    """The internal-users page: staff with roles and categories, and the categories to choose from."""

    model_config = ConfigDict(extra="allow")

    employees: list[AgentOut]
    ticket_categories: list[dict[str, Any]]


@router.get("/admin/tenants/{slug}/employees", response_model=EmployeesOut, responses=_AGENT_ERRORS)
@router.get("/admin/employees", response_model=EmployeesOut, responses=_AGENT_ERRORS)
async def employees(user: Staff, uow: UoW, slug: str = "") -> dict[str, Any]:
    """The internal-users page: the entity's staff with their roles and categories, and the categories to pick."""
    if user.rol not in ("admin", "super_admin"):
        raise Forbidden("Solo un administrador puede ver el equipo de la entidad.")
    entity = await entities.named_for_staff(uow.session, user, slug)
    team = await users.team(uow.session, entity.id)
    staff = [_agent_wire(entity, agent, team.load) for agent in team.staff]
    return {
        "employees": [{**member, "roles": [member["rol"]]} for member in staff],
        "ticket_categories": [
            {"id": index, "nombre": name, "tipo": entity.tipo}
            for index, name in enumerate(entities.categories_of(entity), start=1)
        ],
    }
