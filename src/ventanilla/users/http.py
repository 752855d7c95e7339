"""Accounts over HTTP: panel and widget login/registration, /me, notification switches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ventanilla.entities import hours
from ventanilla.entities import repository as entities_repo
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict
from ventanilla.settings import Settings
from ventanilla.users import repository as users_repo
from ventanilla.users import service as users
from ventanilla.users.models import User
from ventanilla.web import (
    Ctx,
    CurrentUser,
    OkOut,
    OptionalUser,
    ORJSONResponse,
    UoW,
    WireOut,
    entity_token_of,
    errors,
    limit,
)

router = APIRouter(tags=["cuentas"], responses=errors(401, 404, 409))
login_limit = Depends(limit("login", lambda ctx: ctx.settings.login_rate_limit_per_minute))


class LoginIn(BaseModel):
    """Email and password."""

    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=320)
    password: str = Field(max_length=256)


class RegisterIn(LoginIn):
    """A business or municipality signing up: an entity and its first admin."""

    name: str = Field(default="", max_length=200)
    nombre_empresa: str = Field(default="", max_length=200)
    rubro: str | None = Field(default=None, max_length=100)
    tipo_chat: str = Field(default="pyme", max_length=16)
    acepto_terminos: bool = False


class CitizenLoginIn(LoginIn):
    """A citizen logging in from the widget."""

    empresa_token: str | None = Field(default=None, max_length=128)


class CitizenRegisterIn(CitizenLoginIn):
    """A citizen signing up from the widget."""

    name: str | None = Field(default=None, max_length=200)
    nombre: str | None = Field(default=None, max_length=200)
    telefono: str | None = Field(default=None, max_length=32)
    dni: str | None = Field(default=None, max_length=16)


class NotificationsIn(BaseModel):
    """Switches to change; absent ones keep their value."""

    model_config = ConfigDict(extra="ignore")

    email: bool | None = None
    sms: bool | None = None
    ticket: bool | None = None


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


def _login_response(ctx: Ctx, payload: dict[str, Any], status: int = 200) -> Response:
    response = ORJSONResponse(payload, status_code=status)
    _set_cookie(response, ctx.settings, payload["token"])
    return response


@router.post("/login", dependencies=[login_limit], response_model=AuthOut)
async def login(body: LoginIn, ctx: Ctx, uow: UoW) -> Response:
    """Panel login: bearer token in the body and an HttpOnly session cookie for the panel socket."""
    user = await users.authenticate(uow.session, body.email, body.password, staff=True)
    entity = await entities_repo.get(uow.session, user.entity_id) if user.entity_id else None
    return _login_response(ctx, _auth_payload(ctx, user, entity))


@router.post("/logout", response_model=OkOut)
async def logout(ctx: Ctx, uow: UoW, user: OptionalUser) -> Response:
    """Revoke the caller's tokens (every device) and forget the session cookie."""
    if user is not None:
        user.token_version += 1
        await uow.commit()
        ctx.services["user_cache"].forget(user.id)
    response = ORJSONResponse({"ok": True})
    response.delete_cookie(ctx.settings.session_cookie_name, path="/")
    return response


@router.post("/register", status_code=201, dependencies=[login_limit], response_model=AuthOut)
async def register(body: RegisterIn, ctx: Ctx, uow: UoW) -> Response:
    """Sign up an entity with its first admin."""
    if not body.acepto_terminos:
        raise BadRequest("Tenés que aceptar los términos y condiciones.")
    if any(u.is_staff for u in await users_repo.by_email(uow.session, users.normalize_email(body.email))):
        raise Conflict("Ya existe una cuenta con ese email. Iniciá sesión.")
    tipo = body.tipo_chat if body.tipo_chat in entities.TIPOS else "pyme"
    entity = await entities.create(uow.session, body.nombre_empresa or body.name or body.email, tipo)
    if body.rubro:
        entity.config = {**entity.config, "rubro": body.rubro}
    user = await users.create(
        uow.session, entity_id=entity.id, email=body.email, password=body.password, rol="admin", name=body.name
    )
    payload = _auth_payload(ctx, user, entity)
    await uow.commit()
    return _login_response(ctx, payload, status=201)


async def _entity_for_citizen(request: Request, uow: UoW, empresa_token: str | None) -> Entity:
    return await entities.by_token(uow.session, empresa_token or entity_token_of(request))


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
        name=body.nombre or body.name,
        phone=body.telefono,
        dni=body.dni,
    )
    payload = _auth_payload(ctx, user, entity)
    await uow.commit()
    return _login_response(ctx, payload, status=201)


@router.get("/me", response_model=MeOut)
async def me(user: CurrentUser, ctx: Ctx, uow: UoW) -> dict[str, Any]:
    """The logged-in user with their entity's profile (the panel needs a non-empty `rubro`)."""
    entity = await entities_repo.get(uow.session, user.entity_id) if user.entity_id else None
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
        "telefono": profile.get("telefono") or user.phone,
    }


@router.get("/notifications", response_model=NotificationsOut)
async def get_notifications(user: CurrentUser, uow: UoW) -> dict[str, bool]:
    """Notification switches; `ticket` defaults to true for agents."""
    prefs = await users.get_preferences(uow.session, user)
    return {"email": prefs.email, "sms": prefs.sms, "ticket": prefs.ticket}


@router.put("/notifications", response_model=NotificationsOut)
async def put_notifications(body: NotificationsIn, user: CurrentUser, uow: UoW) -> dict[str, bool]:
    """Change notification switches."""
    prefs = await users.set_preferences(uow.session, user, email=body.email, sms=body.sms, ticket=body.ticket)
    await uow.commit()
    return {"email": prefs.email, "sms": prefs.sms, "ticket": prefs.ticket}
