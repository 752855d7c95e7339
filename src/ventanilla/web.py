"""HTTP plumbing shared by every domain router: dependencies, limits, error translation."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Annotated, Any
from urllib.parse import unquote_plus

import orjson
from fastapi import Depends, FastAPI, Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ventanilla.chat import keys
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, unit_of_work
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.entities.service import TenantHint
from ventanilla.errors import (
    BadRequest,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from ventanilla.ratelimit import per_minute as per_minute_rule
from ventanilla.text import TEXT_PATTERN, clean
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
    500: "Error interno del servidor.",
}


_DESCRIPTIONS = {
    **_STATUS_TEXT,
    409: "En conflicto con el estado actual.",
    502: "Falló un servicio externo.",
    503: "Un servicio del que dependemos no responde; reintentá en unos segundos.",
}


class ErrorOut(BaseModel):
    """Every 4xx and 5xx answer."""

    error: str


class WireOut(BaseModel):
    """Base of response models: documents the keys the frontend reads; any other key passes through untouched."""

    model_config = ConfigDict(extra="allow")


class OkOut(WireOut):
    """`{"ok": true}` and whatever the route adds."""

    ok: bool


FILE_OK: dict[int | str, dict[str, Any]] = {200: {"description": "A file", "content": {"application/octet-stream": {}}}}
"""`responses=` of a route that answers a file (with `response_class=Response`)."""


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the `{"error"}` answers a route raises itself (404, 409...)."""
    return {status: {"model": ErrorOut, "description": _DESCRIPTIONS.get(status, "Error.")} for status in statuses}


# Answers that come with a dependency: a route that uses it documents them without saying so.
_DEPENDENCY_ERRORS: dict[Callable[..., Any], tuple[int, ...]] = {}
# Answers any operation may give: malformed input at the edge, the body limit, and the unexpected.
_EVERY_ROUTE_ERRORS = (400, 413, 422, 500)


def _dependency_errors(dependant: Dependant) -> set[int]:
    found = set(_DEPENDENCY_ERRORS.get(dependant.call, ())) if dependant.call is not None else set()
    for sub in dependant.dependencies:
        found |= _dependency_errors(sub)
    return found


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, inside included routers too (FastAPI >= 0.16x keeps them as included-router nodes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif getattr(route, "original_router", None) is not None:
            yield from _api_routes(route.original_router.routes)
        elif isinstance(getattr(route, "routes", None), list):
            yield from _api_routes(route.routes)


def install_openapi(app: FastAPI) -> None:
    """/openapi.json documents the `{"error"}` answers of every operation (see `errors` and `_DEPENDENCY_ERRORS`)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
        error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for route in _api_routes(app.routes):
            if not route.include_in_schema:
                continue
            statuses = _dependency_errors(route.dependant) | set(_EVERY_ROUTE_ERRORS)
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for status in sorted(statuses - ({413} if method in ("GET", "HEAD", "DELETE") else set())):
                    responses.setdefault(str(status), {"description": _DESCRIPTIONS.get(status, "Error.")})
                for status, entry in responses.items():
                    if status.startswith(("4", "5")):
                        entry["content"] = error_ref  # 422 too: we answer {"error"}, not FastAPI's detail list
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        _document_text_rules(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_TEXT = TEXT_PATTERN
"""What the edge takes in a text value: no control characters but tab, line feed and carriage return."""
_ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
"""What it takes in a path segment or a header: no control character at all."""
_SHAPED = ("pattern", "format", "enum", "const", "contentMediaType", "contentEncoding")


_INT64 = 2**63
_COMPOSED = ("$ref", "anyOf", "oneOf", "allOf", "not")
_TEXT_JSON_REF = "#/components/schemas/TextJSON"
_TEXT_JSON = {
    "description": "Any JSON value whose texts and keys have no control characters (but tab, LF and CR).",
    "anyOf": [
        {"type": "string", "pattern": TEXT_PATTERN},
        {"type": "number", "minimum": -_INT64, "maximum": _INT64 - 1},
        {"type": ["boolean", "null"]},
        {"type": "array", "items": {"$ref": _TEXT_JSON_REF}},
        {
            "type": "object",
            "propertyNames": {"pattern": TEXT_PATTERN},
            "additionalProperties": {"$ref": _TEXT_JSON_REF},
        },
    ],
}
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "if", "then", "else")


def _constrain_strings(schema: Any, pattern: str, *, keys: bool = True) -> None:
    """Give every free-form string schema (untyped ones too: `pattern` only binds strings), the values of
    objects' extra properties and, with `keys`, every object's keys the edge's rule (`Edge` refuses the rest
    with 400)."""
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind is None and not any(key in schema for key in (*_SHAPED, *_COMPOSED, *_SCHEMA_MAPS, "items")):
        schema["$ref"] = _TEXT_JSON_REF  # any JSON value: text anywhere inside follows the rule too
    elif kind == "string" and not any(key in schema for key in _SHAPED):
        schema["pattern"] = pattern
    if kind == "object" or "properties" in schema:
        if keys and "propertyNames" not in schema:
            schema["propertyNames"] = {"pattern": pattern}
        if keys and schema.get("additionalProperties", True) is True:
            schema["additionalProperties"] = {"$ref": _TEXT_JSON_REF}
    if kind in ("integer", "number"):  # a JSON number beyond 64-bit integers is a 400 at the edge
        schema.setdefault("minimum", -_INT64)
        schema.setdefault("maximum", _INT64 - 1)
    if kind == "array" and "items" not in schema:
        schema["items"] = {"$ref": _TEXT_JSON_REF}
    for key in _SCHEMA_ONE:
        _constrain_strings(schema.get(key), pattern, keys=keys)
    for key in _SCHEMA_LISTS:
        for item in schema.get(key) or ():
            _constrain_strings(item, pattern, keys=keys)
    for key in _SCHEMA_MAPS:
        for item in (schema.get(key) or {}).values():
            _constrain_strings(item, pattern, keys=keys)


def _document_text_rules(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for component in components.values():
        _constrain_strings(component, _TEXT)
    components["TextJSON"] = _TEXT_JSON
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            _document_html(operation.get("responses", {}))
            for parameter in operation.get("parameters", ()):
                _never_null(parameter)
                rule = _TEXT if parameter.get("in") == "query" else _ONE_LINE
                _constrain_strings(parameter.get("schema"), rule)
            for media, body in operation.get("requestBody", {}).get("content", {}).items():
                _hoist_defs(body.get("schema"), components)
                # A form's unknown fields are ignored, whatever their names.
                form = media.startswith(("multipart/", "application/x-www-form-urlencoded"))
                _constrain_strings(body.get("schema"), _TEXT, keys=not form)


def _never_null(parameter: dict[str, Any]) -> None:
    """An optional parameter is absent, never null (a query string has no null): drop FastAPI's null branch, so a
    tool does not take `?x=false` for a value other than the text "false"."""
    schema = parameter.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("anyOf"), list):
        return
    kept = [branch for branch in schema["anyOf"] if branch != {"type": "null"}]
    if len(kept) == len(schema["anyOf"]):
        return
    if len(kept) == 1:
        del schema["anyOf"]
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept


def _hoist_defs(schema: Any, components: dict[str, Any]) -> None:
    """A model's schema written into a route's `openapi_extra` (refs as `#/components/schemas/...`) brings its
    nested models under `$defs`: move them to the components, where those refs point."""
    if isinstance(schema, dict):
        for name, sub in (schema.pop("$defs", None) or {}).items():
            _hoist_defs(sub, components)
            _constrain_strings(sub, _TEXT)
            components.setdefault(name, sub)
        for value in schema.values():
            _hoist_defs(value, components)
    elif isinstance(schema, list):
        for item in schema:
            _hoist_defs(item, components)


def _document_html(responses: dict[str, Any]) -> None:
    """A page for the browser (an email's link, `response_class=HTMLResponse`): its 200 and its 404 (an unknown
    or broken link) are HTML pages; the other errors stay `{"error"}`."""
    html = {"text/html": {"schema": {"type": "string"}}}
    if "text/html" in responses.get("200", {}).get("content", {}):
        responses.setdefault("404", {"description": _DESCRIPTIONS[404]})["content"] = html


def refuse_control_characters(value: str) -> str:
    """A form's text field as sent, or 400 when it has a control character (the rule the Edge applies to JSON)."""
    if _CONTROL.search(value):
        raise BadRequest(CONTROL_REFUSED)
    return value


def allowed_methods(app: Any, path: str) -> set[str]:
    """Every method some route serves at `path` (for the `Allow` header of a 405); a path written out in full
    (`/archivos/upload/chat_attachment`) is not also an instance of a template (`/archivos/{key}/{name}`)."""
    matching = [route for route in _api_routes(app.routes) if route.path_regex.match(path)]
    literal = [route for route in matching if route.path_format == path]
    return {method for route in literal or matching for method in route.methods or ()}


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
        if isinstance(exc, Unavailable):
            headers = {"Retry-After": "5"}
        return error_response(exc.status_code, exc.message, headers)

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in _STATUS_TEXT else None
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            # Starlette names only the first route whose path matched; every route of the path counts.
            methods = allowed_methods(request.app, request.scope["path"])
            if methods:
                headers = {**(headers or {}), "Allow": ", ".join(sorted(methods))}
        return error_response(exc.status_code, detail or _STATUS_TEXT.get(exc.status_code, "Error."), headers)

    async def validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        status = 400 if any(e.get("type") == "json_invalid" for e in exc.errors()) else 422
        return error_response(status, _validation_message(exc))

    async def unexpected(request: Request, exc: Exception) -> Response:
        known = outage_response(exc)
        if known is not None:
            log.warning("%s on %s %s: %s", known.status_code, request.method, request.url.path, _describe(exc))
            return known
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "Error interno del servidor.")

    app.add_exception_handler(DomainError, domain)
    for family in (SQLAlchemyError, RedisError, ConnectionError, TimeoutError):
        app.add_exception_handler(family, unexpected)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(Exception, unexpected)
    # Innermost middleware (CORS is the Edge's, outside FastAPI), so a 500 still gets CORS headers.
    app.add_middleware(ServerErrors)


UNAVAILABLE = "No podemos atender esta solicitud ahora mismo; probá de nuevo en unos segundos."
OUT_OF_RANGE = "Hay un número fuera de rango."


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


def outage_response(exc: BaseException) -> Response | None:
    """The answer to a failure of a service we depend on, or None when `exc` is a fault of ours.

    The database or Redis gone (a killed connection, a closed port, an exhausted pool) is a 503 the client may
    retry: the request's transaction was rolled back, so nothing half-done stays. A value the database refuses as
    out of range (an id beyond its column) is the client's 422; ids are checked at the edge, this is the net.
    """
    if isinstance(exc, DataError) and not exc.connection_invalidated:
        return error_response(422, OUT_OF_RANGE)
    return error_response(503, UNAVAILABLE, {"Retry-After": "5"}) if _is_outage(exc) else None


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError):
        return (
            exc.connection_invalidated
            or isinstance(exc, OperationalError | InterfaceError)
            or _is_disconnect(exc.orig)
            # SQLAlchemy's asyncpg adapter wraps what asyncpg raised on connect ("too many clients") in its own Error
            or _is_disconnect(exc.orig.__cause__ if exc.orig is not None else None)
        )
    if isinstance(exc, SQLAlchemyError):
        return isinstance(exc, SATimeoutError | DisconnectionError)  # pool exhausted, connection refused
    if isinstance(exc, RedisError):
        return isinstance(exc, RedisConnectionError | RedisTimeoutError)
    return isinstance(exc, ConnectionError | TimeoutError) or _is_disconnect(exc)


def _is_disconnect(exc: BaseException | None) -> bool:
    """An asyncpg error meaning the connection is gone or cannot be had now (terminated backend, closed socket,
    server shutting down, "too many clients" and other lack of resources on the server)."""
    if exc is None:
        return False
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - SQLite-only installs
        return isinstance(exc, ConnectionError)
    return isinstance(
        exc,
        asyncpg.exceptions.PostgresConnectionError
        | asyncpg.exceptions.InterfaceError
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.exceptions.InsufficientResourcesError
        | ConnectionError,
    )


class ServerErrors:
    """Answers an unexpected exception with the 500 `{"error"}` itself and keeps the connection.

    Starlette's last-resort handler answers and then re-raises, and uvicorn closes a kept-alive connection
    on any exception that leaves the app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if started:
                raise  # half a response went out: only closing the connection tells the client
            exc = sys.exc_info()[1]
            known = outage_response(exc) if exc is not None else None
            if known is not None and exc is not None:
                log.warning("%s on %s %s: %s", known.status_code, scope["method"], scope["path"], _describe(exc))
                await known(scope, receive, send)
                return
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await error_response(500, "Error interno del servidor.")(scope, receive, send)


INT32_MAX = 2**31 - 1
"""The largest value of an INTEGER column (users, knowledge entries, messages, jobs)."""
ID53_MAX = 2**53
"""The largest ticket id (a BIGINT column, kept within what the browser's numbers hold exactly)."""
RowId = Annotated[int, Path(ge=1, le=INT32_MAX)]
"""A path id of an INTEGER column: anything else is a 422 before any query."""
TicketId = Annotated[int, Path(ge=1, le=ID53_MAX)]
"""A path ticket id."""


def fits_row_id(value: int) -> bool:
    """Whether a body id can name a row of an INTEGER column."""
    return 1 <= value <= INT32_MAX


class OutOfRange(ValueError):
    """A JSON number no column can hold: beyond 64-bit integers (`1e30` too, which JSON Schema calls an integer)."""


_JSON_SUSPECT = re.compile(rb"\\u(?:00[01][0-9a-fA-F]|007[fF]|[dD][89a-fA-F])|\x7f|\d{19}|\d[eE]\+?\d\d")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters a text field never carries (tab, line feed and carriage return are text)."""
_PATH_CONTROL = re.compile("[\x00-\x1f\x7f]")
CONTROL_REFUSED = "El texto enviado tiene caracteres de control no permitidos."


class ControlCharacters(ValueError):
    """A string with a control character other than tab, line feed or carriage return."""


def clean_json(value: Any) -> Any:
    """A decoded JSON value with its strings (keys too) cleaned; integers beyond 64 bits raise OutOfRange."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean(key): clean_json(item) for key, item in value.items()}
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise OutOfRange(value)
    return value


def checked_json(value: Any) -> Any:
    """A client's decoded JSON: control characters (but tab, LF, CR) raise ControlCharacters, numbers beyond 64-bit
    integers raise OutOfRange; lone surrogates (a browser cutting an emoji in half) become U+FFFD."""
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ControlCharacters
        return clean(value)
    if isinstance(value, list):
        return [checked_json(item) for item in value]
    if isinstance(value, dict):
        return {checked_json(key): checked_json(item) for key, item in value.items()}
    if isinstance(value, (int, float)) and not -_INT64 <= value < _INT64:
        raise OutOfRange(value)
    return value


def _query_has_control(query: bytes) -> bool:
    if b"%" not in query and not any(byte < 0x20 or byte == 0x7F for byte in query):
        return False
    return bool(_CONTROL.search(unquote_plus(query.decode("latin-1"), encoding="latin-1")))


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-type":
            return b"json" in value.lower()
    return True  # FastAPI reads a body without a content type as JSON


RequestObserver = Callable[[Scope, int, float], None]
"""Called once per HTTP request that reached the app: its scope (with the matched route), status and seconds."""
_NO_BODY = frozenset(("GET", "HEAD", "OPTIONS"))
_NOT_GUARDED = frozenset(("GET", "HEAD", "OPTIONS", "DELETE"))


class Edge:
    """Everything the HTTP edge does before FastAPI, in one ASGI layer (each layer costs a call, a scope copy and a
    wrapped `send` per request):

    1. **Body limit.** A body over the limit of its path is refused with 413 before the app reads it. Bodies of
       `streamed` prefixes are not buffered here: only their Content-Length is checked, and the route reads them as
       a stream with its own cap (uploads). `per_suffix` limits paths by their ending (an agent's multipart reply,
       whatever the ticket).
    2. **API prefix.** Every route is served under /api/ too (the frontend's proxy and some production calls).
    3. **Input guard.** Text is checked here, once, for every route, and never silently changed: a control
       character (but tab, line feed and carriage return) in the path, the query string or a JSON string (keys too)
       is refused with 400, as is a JSON integer beyond 64 bits. Only a lone surrogate in JSON (a browser cutting an
       emoji in half) becomes U+FFFD, since no database or encoder takes it. Headers need nothing: the HTTP parser
       refuses control characters there, and URL decoding already replaces invalid UTF-8. Raw bodies verified by
       signature (`raw_body_prefixes`) pass untouched: their channel cleans what it decodes.
    4. **Request log.** `observe` gets every request that reached the app (one log line and the metrics).
    5. **CORS.** A request with an `Origin` header goes through `cors` (Starlette's CORS middleware around the app);
       any other only gets the `Vary: Origin` that middleware would add, without its layer (headers parsed and
       `send` wrapped on every request).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_limit: int,
        per_prefix: dict[str, int],
        per_suffix: dict[str, int] | None = None,
        streamed: tuple[str, ...] = (),
        raw_body_prefixes: tuple[str, ...] = ("/webhooks/",),
        observe: RequestObserver | None = None,
        cors: Callable[[ASGIApp], ASGIApp] | None = None,
    ) -> None:
        self.app = app
        self.cors = cors(app) if cors is not None else app
        self.default_limit = default_limit
        self.per_prefix = per_prefix
        self.per_suffix = per_suffix or {}
        self.streamed = streamed
        self.raw_body_prefixes = raw_body_prefixes
        self.observe = observe

    @staticmethod
    def _under(path: str, prefix: str) -> bool:
        return path.startswith(prefix) or path.startswith("/api" + prefix)

    def _limit(self, path: str) -> int:
        for prefix, limit in self.per_prefix.items():
            if self._under(path, prefix):
                return limit
        for suffix, limit in self.per_suffix.items():
            if path.endswith(suffix):
                return limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.app(_unprefixed(scope), receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        body: bytes | None = None
        if method not in _NO_BODY:
            limit = self._limit(path)
            for name, value in scope.get("headers", ()):
                if name == b"content-length" and value.isdigit() and int(value) > limit:
                    await _send_413(scope, receive, send)
                    return
            if not any(self._under(path, prefix) for prefix in self.streamed):
                body = await _read_body(receive, limit)
                if body is None:
                    return  # disconnected
                if len(body) > limit:
                    await _send_413(scope, receive, send)
                    return
        scope = _unprefixed(scope)
        path = scope["path"]
        if _PATH_CONTROL.search(path):
            await error_response(400, "La dirección pedida tiene caracteres inválidos.")(scope, receive, send)
            return
        if _query_has_control(scope.get("query_string", b"")):
            await error_response(400, CONTROL_REFUSED)(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        guarded = method not in _NOT_GUARDED and not path.startswith(self.raw_body_prefixes) and _is_json(headers)
        if guarded and body is None:  # JSON sent to a streamed route: checked like any other (Content-Length was)
            body = await _read_body(receive, sys.maxsize)
            if body is None:
                return
        if guarded and body is not None and _JSON_SUSPECT.search(body):
            try:
                body = json.dumps(checked_json(json.loads(body)), ensure_ascii=False).encode()
                scope["headers"] = [(n, v) for n, v in headers if n != b"content-length"] + [
                    (b"content-length", str(len(body)).encode())
                ]
            except OutOfRange:
                await error_response(400, OUT_OF_RANGE)(scope, receive, send)
                return
            except ControlCharacters:
                await error_response(400, CONTROL_REFUSED)(scope, receive, send)
                return
            except (ValueError, RecursionError):
                pass  # not JSON: the route answers its own 400
        if body is not None:
            receive = _replay(body, receive)
        cross_origin = any(name == b"origin" for name, _ in headers)
        app = self.cors if cross_origin else self.app
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if not cross_origin:
                    _vary_origin(message)
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            if self.observe is not None:
                self.observe(scope, status, time.perf_counter() - started)


def _vary_origin(message: Message) -> None:
    """`Vary: Origin` on a response, as Starlette's CORS middleware adds it to a request without an Origin."""
    headers: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
    varies = [value for name, value in headers if name.lower() == b"vary"]
    if varies:
        headers = [(name, value) for name, value in headers if name.lower() != b"vary"]
    headers.append((b"vary", b", ".join([*varies, b"Origin"])))
    message["headers"] = headers


def _unprefixed(scope: Scope) -> Scope:
    """A copy of the scope (the app may add to it), without a leading /api."""
    scope = dict(scope)
    path: str = scope["path"]
    if path == "/api" or path.startswith("/api/"):
        scope["path"] = path[4:] or "/"
        raw = scope.get("raw_path")
        if isinstance(raw, bytes) and raw.startswith(b"/api"):
            scope["raw_path"] = raw[4:] or b"/"
    return scope


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or as soon as it passes `limit` what was read so far; None when the client went away."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > limit or not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_413(scope: Scope, receive: Receive, send: Send) -> None:
    await error_response(413, _STATUS_TEXT[413])(scope, receive, send)


def ctx_of(request: Request) -> AppContext:
    """The process context of a request."""
    ctx: AppContext = request.app.state.ctx
    return ctx


async def get_ctx(request: Request) -> AppContext:
    """The process context."""
    return ctx_of(request)


# Shared dependencies below take the context from the request, not as `Ctx`: FastAPI solves a dependency's own
# dependencies again wherever it appears (only the call itself is cached), so every nested `Ctx` was one more node
# to solve per request (/ask had 20).
Ctx = Annotated[AppContext, Depends(get_ctx)]


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work. A write (POST, PUT, PATCH, DELETE) whose handler returns commits here, and its
    events and `on_commit` callbacks leave after that; a handler that raises is rolled back. A read is rolled back:
    a write a read leads to (an agent opening a ticket marks it read) runs in a transaction of its own."""
    ctx = ctx_of(request)
    async with unit_of_work(ctx.sessions, ctx.collector(), ctx.listeners_seq) as uow:
        yield uow
        if request.method not in _READS:
            await uow.commit()


# scope="function": the transaction ends (commit or rollback, and the connection goes back) before the response
# starts, so a failure there (a killed connection) is still answered with a clean 503, never a cut response.
UoW = Annotated[UnitOfWork, Depends(get_uow, scope="function")]


def bearer_or_cookie(request: Request, cookie_name: str) -> str | None:
    """The auth token from `Authorization: Bearer` or the session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        if token and token not in ("null", "undefined"):
            return token
    return request.cookies.get(cookie_name)


# What the request's own session already resolved: `required_entity` calls the two resolvers itself instead of
# declaring them as sub-dependencies, which FastAPI would solve again (4 of the 12 nodes /ask solved per request).
_USER_MEMO = "ventanilla.request_user"
_TENANT_MEMO = "ventanilla.request_tenant"


async def optional_user(request: Request, uow: UoW) -> User | None:
    """The logged-in user, if any."""
    info = uow.session.info
    if _USER_MEMO in info:
        memo: User | None = info[_USER_MEMO]
        return memo
    ctx = ctx_of(request)
    token = bearer_or_cookie(request, ctx.settings.session_cookie_name)
    user = await users.user_from_token(
        uow.session, ctx.signer, token, ctx.settings.token_max_age_seconds, ctx.user_cache
    )
    info[_USER_MEMO] = user
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def required_user(user: OptionalUser) -> User:
    """The logged-in user, or 401."""
    if user is None:
        raise Unauthorized("Sesión inválida o vencida. Iniciá sesión de nuevo.")
    return user


CurrentUser = Annotated[User, Depends(required_user)]
_DEPENDENCY_ERRORS[required_user] = (401,)


async def required_staff(user: CurrentUser) -> User:
    """A logged-in agent or admin, or 403."""
    if not user.is_staff:
        raise Forbidden("Solo el personal de la entidad puede hacer esto.")
    return user


Staff = Annotated[User, Depends(required_staff)]
_DEPENDENCY_ERRORS[required_staff] = (401, 403)


def entity_token_of(request: Request) -> str | None:
    """The entity token from the headers (`X-Entity-Token`, `X-Widget-Token`) or `?entityToken=` / `?token=` /
    `?widget_token=`."""
    return (
        request.headers.get("x-entity-token")
        or request.headers.get("x-widget-token")
        or request.query_params.get("entityToken")
        or request.query_params.get("token")
        or request.query_params.get("widget_token")
    )


def tenant_slug_of(request: Request) -> str | None:
    """The tenant slug from `X-Tenant`, `?tenant_slug=` or `?tenant=`."""
    raw = (
        request.headers.get("x-tenant")
        or request.query_params.get("tenant_slug")
        or request.query_params.get("tenant")
        or ""
    )
    return raw.strip().lower()[:64] or None


async def tenant_hint(request: Request, uow: UoW) -> TenantHint:
    """The entity the request's token and slug name (`entities.service.named`), resolved once per request."""
    memo: TenantHint | None = uow.session.info.get(_TENANT_MEMO)
    if memo is not None:
        return memo
    hint = await entities.named(
        uow.session, token=entity_token_of(request), slug=tenant_slug_of(request), cache=ctx_of(request).entity_cache
    )
    uow.session.info[_TENANT_MEMO] = hint
    return hint


Tenant = Annotated[TenantHint, Depends(tenant_hint)]
_DEPENDENCY_ERRORS[tenant_hint] = (409,)


async def optional_entity(hint: Tenant) -> Entity | None:
    """The entity named by the request's token or slug, if it names a valid one."""
    return hint.entity


OptionalEntity = Annotated[Entity | None, Depends(optional_entity)]


async def required_entity(request: Request, uow: UoW) -> Entity:
    """The entity of the request's token or slug, else the logged-in user's entity, else 404 (unknown slug) or 401."""
    hint = await tenant_hint(request, uow)
    if hint.entity is not None:
        return hint.entity
    user = await optional_user(request, uow)
    if user is not None and user.entity_id is not None:
        found = await entities.find(uow.session, user.entity_id)
        if found is not None:
            return found
    if hint.unknown_slug:
        raise NotFound("No existe esa entidad.")
    raise Unauthorized("Falta o es inválido el token de la entidad (X-Entity-Token).")


RequestEntity = Annotated[Entity, Depends(required_entity)]
_DEPENDENCY_ERRORS[required_entity] = (401,)


def session_key_of(request: Request) -> str | None:
    """The key of the browser's chat session (`web:<uuid>`), from `X-Chat-Session-Id`; 400 unless it is a UUID.

    The key lives in the web namespace, so no header value can name a WhatsApp (or any other channel's)
    conversation.
    """
    raw = request.headers.get("x-chat-session-id", "").strip()
    if not raw:
        return None
    try:
        return keys.web(raw)
    except keys.InvalidSessionId:
        raise BadRequest(
            "El encabezado X-Chat-Session-Id no es válido: tiene que ser el UUID que genera el widget."
        ) from None


async def web_session(request: Request) -> str | None:
    """The request's web chat-session key, if it sends one (see `session_key_of`)."""
    return session_key_of(request)


WebSession = Annotated[str | None, Depends(web_session)]
_DEPENDENCY_ERRORS[web_session] = (400,)


def client_of(request: Request) -> str:
    """The client address for rate limiting."""
    return request.client.host if request.client else "unknown"


def limit(bucket: str, per_minute: Callable[[AppContext], int]) -> Callable[[Request], Awaitable[None]]:
    """A dependency that rate-limits a route per client (counters shared through Redis when configured)."""

    async def dependency(request: Request) -> None:
        ctx = ctx_of(request)
        await ctx.rate_limits.hit(per_minute_rule(bucket, per_minute(ctx)), client_of(request), _STATUS_TEXT[429])

    _DEPENDENCY_ERRORS[dependency] = (429,)
    return dependency


async def live_fanout(request: Request) -> None:
    """Redis, which carries live chat to every process, is reachable (else 503 before anything is stored).

    A reply stored while its live delivery cannot leave would reach the other side only on a reload.
    """
    try:
        await ctx_of(request).presence.reachable()
    except (RedisError, ConnectionError, TimeoutError) as exc:
        raise Unavailable(UNAVAILABLE) from exc


LiveFanout = Depends(live_fanout)
_DEPENDENCY_ERRORS[live_fanout] = (503,)
