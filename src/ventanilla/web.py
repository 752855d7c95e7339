"""HTTP plumbing shared by every domain router: dependencies, limits, error translation."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ventanilla.context import AppContext
from ventanilla.db import SnapshotCache, UnitOfWork, unit_of_work
from ventanilla.entities import repository as entities_repo
from ventanilla.entities.models import Entity
from ventanilla.errors import DomainError, Forbidden, TooManyRequests, Unauthorized
from ventanilla.ratelimit import per_minute as per_minute_rule
from ventanilla.users import service as users
from ventanilla.users.models import User

log = logging.getLogger(__name__)


class ORJSONResponse(JSONResponse):
    """Compact, fast JSON."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one error shape: {"error": "..."}."""
    return ORJSONResponse({"error": message}, status_code=status, headers=headers)


_STATUS_TEXT = {
    400: "Solicitud inválida.",
    401: "No autenticado.",
    403: "No autorizado.",
    404: "No encontrado.",
    405: "Método no permitido.",
    413: "El cuerpo de la solicitud es demasiado grande.",
    415: "Tipo de contenido no soportado.",
    422: "Datos inválidos.",
    429: "Demasiadas solicitudes; probá de nuevo en un momento.",
}


def _validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return _STATUS_TEXT[422]
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "El cuerpo no es JSON válido."
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(loc)
    msg = str(first.get("msg", "valor inválido"))
    return f"Campo '{field}' inválido: {msg}." if field else f"Datos inválidos: {msg}."


def install_error_handlers(app: FastAPI) -> None:
    """Every failure becomes {"error": "..."} with a fitting status, never a traceback."""

    async def domain(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return error_response(exc.status_code, exc.message, headers)

    async def http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in _STATUS_TEXT else None
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, detail or _STATUS_TEXT.get(exc.status_code, "Error."), headers)

    async def validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        status = 400 if any(e.get("type") == "json_invalid" for e in exc.errors()) else 422
        return error_response(status, _validation_message(exc))

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "Error interno del servidor.")

    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(Exception, unexpected)


class ApiPrefix:
    """Serves every route under /api/ too (the frontend's proxy and some production calls use it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            if path == "/api" or path.startswith("/api/"):
                scope = dict(scope)
                scope["path"] = path[4:] or "/"
                raw = scope.get("raw_path")
                if isinstance(raw, bytes) and raw.startswith(b"/api"):
                    scope["raw_path"] = raw[4:] or b"/"
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses bodies over the limit of their path with 413 before the app reads them.

    Bodies of `streamed` prefixes are not buffered here: only their Content-Length is checked, and the
    route reads them as a stream with its own cap (uploads).
    """

    def __init__(self, app: ASGIApp, default: int, per_prefix: dict[str, int], streamed: tuple[str, ...] = ()) -> None:
        self.app = app
        self.default = default
        self.per_prefix = per_prefix
        self.streamed = streamed

    @staticmethod
    def _under(path: str, prefix: str) -> bool:
        return path.startswith(prefix) or path.startswith("/api" + prefix)

    def _limit(self, path: str) -> int:
        for prefix, limit in self.per_prefix.items():
            if self._under(path, prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_413(scope, receive, send)
                return
        if any(self._under(scope["path"], prefix) for prefix in self.streamed):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send_413(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _send_413(scope: Scope, receive: Receive, send: Send) -> None:
    await error_response(413, _STATUS_TEXT[413])(scope, receive, send)


async def get_ctx(request: Request) -> AppContext:
    """The process context."""
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_uow(ctx: Ctx) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work; the handler commits, anything else is rolled back."""
    async with unit_of_work(ctx.sessions, ctx.collector(), ctx.listeners_seq) as uow:
        yield uow


UoW = Annotated[UnitOfWork, Depends(get_uow)]


def bearer_or_cookie(request: Request, cookie_name: str) -> str | None:
    """The auth token from `Authorization: Bearer` or the session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        if token and token not in ("null", "undefined"):
            return token
    return request.cookies.get(cookie_name)


async def optional_user(request: Request, ctx: Ctx, uow: UoW) -> User | None:
    """The logged-in user, if any."""
    token = bearer_or_cookie(request, ctx.settings.session_cookie_name)
    return await users.user_from_token(
        uow.session, ctx.signer, token, ctx.settings.token_max_age_seconds, ctx.services.get("user_cache")
    )


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def required_user(user: OptionalUser) -> User:
    """The logged-in user, or 401."""
    if user is None:
        raise Unauthorized("Sesión inválida o vencida. Iniciá sesión de nuevo.")
    return user


CurrentUser = Annotated[User, Depends(required_user)]


async def required_staff(user: CurrentUser) -> User:
    """A logged-in agent or admin, or 403."""
    if not user.is_staff:
        raise Forbidden("Solo el personal de la entidad puede hacer esto.")
    return user


Staff = Annotated[User, Depends(required_staff)]


def entity_token_of(request: Request) -> str | None:
    """The entity token from the header, `?entityToken=` or `?token=`."""
    return (
        request.headers.get("x-entity-token")
        or request.query_params.get("entityToken")
        or request.query_params.get("token")
    )


async def optional_entity(request: Request, uow: UoW) -> Entity | None:
    """The entity named by the request's token, if it names a valid one."""
    token = entity_token_of(request)
    if not token:
        return None
    token = token.strip()
    cache: SnapshotCache[Entity] = request.app.state.ctx.services["entity_cache"]
    return await cache.get(uow.session, token, lambda: entities_repo.by_token(uow.session, token))


OptionalEntity = Annotated[Entity | None, Depends(optional_entity)]


async def required_entity(uow: UoW, user: OptionalUser, entity: OptionalEntity) -> Entity:
    """The entity of the request's token, else the logged-in user's entity, else 401."""
    if entity is not None:
        return entity
    if user is not None and user.entity_id is not None:
        found = await entities_repo.get(uow.session, user.entity_id)
        if found is not None:
            return found
    raise Unauthorized("Falta o es inválido el token de la entidad (X-Entity-Token).")


RequestEntity = Annotated[Entity, Depends(required_entity)]


def session_key_of(request: Request) -> str | None:
    """The browser's chat session id."""
    key = request.headers.get("x-chat-session-id", "").strip()
    return key[:128] or None


def client_of(request: Request) -> str:
    """The client address for rate limiting."""
    return request.client.host if request.client else "unknown"


def limit(bucket: str, per_minute: Callable[[AppContext], int]) -> Callable[[Request, AppContext], Awaitable[None]]:
    """A dependency that rate-limits a route per client (counters shared through Redis when configured)."""

    async def dependency(request: Request, ctx: Ctx) -> None:
        await ctx.rate_limits.hit(per_minute_rule(bucket, per_minute(ctx)), client_of(request), _STATUS_TEXT[429])

    return dependency
