"""Uploads over HTTP: `POST /archivos/upload/chat_attachment` (multipart `file`) and the file links it returns.

The caller's token and rate limit are checked before the body is read; the body is then parsed as a stream and
the file written to disk as it arrives, with the size cap enforced while reading, so memory stays flat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from ventanilla.attachments import service
from ventanilla.context import AppContext
from ventanilla.errors import BadRequest, TooLarge, TooManyRequests, Unauthorized
from ventanilla.web import FILE_OK, Ctx, WireOut, errors, limit, optional_entity, optional_user, tenant_hint

router = APIRouter(tags=["archivos"], responses=errors(401, 404, 415))
upload_limit = Depends(limit("upload", lambda ctx: ctx.settings.upload_rate_limit_per_minute))
FIELD = "file"
MALFORMED = "El cuerpo multipart no es válido; mandá el archivo en el campo `file`."
# Bytes kept in memory per upload before they go to disk.
FLUSH_BYTES = 256 * 1024
# Multipart framing and small fields allowed on top of the file itself.
FRAMING_BYTES = 64 * 1024
# Served with every upload: never sniffed into another type, never a page that runs script, even if opened.
SERVING_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, max-age=86400",
}
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Sin archivo, vacío, de un tipo que no aceptamos, o cuyo contenido no coincide con su tipo"},
    401: {"description": "Falta el token de la entidad o la sesión"},
    413: {"description": "El archivo supera el máximo"},
    429: {"description": "Demasiadas subidas seguidas"},
}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {FIELD: {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


class UploadOut(WireOut):
    """The stored file's link and what it is."""

    url: str
    name: str
    mimeType: str
    size: int


def uploads_root(ctx: AppContext) -> Path:
    """Where uploads are kept."""
    return ctx.settings.data_dir / "uploads"


class _Sink:
    """Writes a file to an `Incoming` in batches off the event loop."""

    def __init__(self, incoming: service.Incoming) -> None:
        self.incoming = incoming
        self.pending = bytearray()

    async def add(self, data: bytes) -> None:
        self.pending += data
        if self.incoming.size + len(self.pending) > self.incoming.limit:
            self.incoming.write(bytes(self.pending))  # raises TooLarge
        if len(self.pending) >= FLUSH_BYTES:
            await self.flush()

    async def flush(self) -> None:
        if self.pending:
            chunk, self.pending = bytes(self.pending), bytearray()
            await asyncio.to_thread(self.incoming.write, chunk)


async def _keep(ctx: AppContext, incoming: service.Incoming, name: str | None, declared: str | None) -> service.Stored:
    return await asyncio.to_thread(incoming.keep, uploads_root(ctx), name, declared)


async def receive_upload(ctx: AppContext, file: UploadFile) -> service.Stored:
    """Check and keep a file FastAPI already parsed (spooled to disk past 1 MB): read in chunks under the cap."""
    incoming = await asyncio.to_thread(service.Incoming, uploads_root(ctx), ctx.settings.max_upload_bytes)
    sink = _Sink(incoming)
    try:
        while chunk := await file.read(FLUSH_BYTES):
            await sink.add(chunk)
        await sink.flush()
    except BaseException:
        await asyncio.to_thread(incoming.discard)
        raise
    return await _keep(ctx, incoming, file.filename, file.content_type)


class _FormStream:
    """python-multipart callbacks: the part named `file` goes to a sink, small text fields are kept, files
    under other names are ignored."""

    def __init__(self) -> None:
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.headers: dict[bytes, bytes] = {}
        self.in_file = False
        self.file_seen = False
        self.file_complete = False
        self.filename: str | None = None
        self.content_type: str | None = None
        self.data: list[bytes] = []
        self.fields: dict[str, str] = {}
        self.field_name: str | None = None
        self.field_value = bytearray()
        self.field_bytes = 0

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self.header_field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self.header_value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self.headers = {}

    def _header_end(self) -> None:
        self.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field.clear()
        self.header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("latin-1")
        self.in_file = name == FIELD and not self.file_seen
        self.field_name = name if name and name != FIELD and b"filename" not in options else None
        if self.in_file:
            self.file_seen = True
            filename = options.get(b"filename")
            self.filename = filename.decode("utf-8", "replace") if filename is not None else None
            declared = self.headers.get(b"content-type")
            self.content_type = declared.decode("latin-1") if declared is not None else None

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.data.append(data[start:end])
        elif self.field_name is not None:
            self.field_bytes += end - start
            if self.field_bytes > FRAMING_BYTES:
                raise TooLarge("Los campos del formulario son demasiado largos.")
            self.field_value.extend(data[start:end])

    def _part_end(self) -> None:
        if self.in_file:
            self.file_complete = True
        elif self.field_name is not None:
            self.fields[self.field_name] = self.field_value.decode("utf-8", "replace")
        self.in_file = False
        self.field_name = None
        self.field_value = bytearray()


@dataclass(frozen=True, slots=True)
class Form:
    """A multipart body received as a stream: the kept `file` (if sent) and the small text fields."""

    stored: service.Stored | None
    fields: dict[str, str]


async def receive_stream(ctx: AppContext, request: Request) -> service.Stored:
    """Parse a multipart body as it arrives and keep its `file` part, never holding the whole body in memory."""
    form = await receive_form(ctx, request, require_file=True)
    assert form.stored is not None
    return form.stored


async def receive_form(ctx: AppContext, request: Request, *, require_file: bool = True) -> Form:
    """A streamed multipart body: its `file` part checked and kept (see `receive_stream`), and its text fields.

    For routes that take a message with an optional file: list their path in `Edge(streamed=...)` so the
    body reaches them unbuffered, and check the caller before calling this.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadRequest("Mandá el archivo como multipart/form-data en el campo `file`.")
    cap = ctx.settings.max_upload_bytes
    form = _FormStream()
    try:
        parser = MultipartParser(boundary, form.callbacks())  # type: ignore[arg-type]
    except ValueError as exc:
        raise BadRequest(MALFORMED) from exc
    incoming = await asyncio.to_thread(service.Incoming, uploads_root(ctx), cap)
    sink = _Sink(incoming)
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > cap + FRAMING_BYTES:
                raise TooLarge(f"El archivo supera el máximo de {cap // (1024 * 1024)} MB.")
            parser.write(chunk)
            for data in form.data:
                await sink.add(data)
            form.data.clear()
        parser.finalize()
        await sink.flush()
    except FormParserError as exc:
        await asyncio.to_thread(incoming.discard)
        raise BadRequest(MALFORMED) from exc
    except BaseException:
        await asyncio.to_thread(incoming.discard)
        raise
    if not form.file_complete:
        await asyncio.to_thread(incoming.discard)
        if form.file_seen:
            raise BadRequest(MALFORMED)
        if require_file:
            raise BadRequest("Falta el archivo (campo `file`).")
        return Form(None, form.fields)
    return Form(await _keep(ctx, incoming, form.filename, form.content_type), form.fields)


async def _require_uploader(request: Request, ctx: AppContext) -> str:
    """Only widget visitors of a known entity and logged-in users may upload (a short transaction, then free).

    Returns whose daily upload quota the file counts against: the entity (of the widget's token, else of the
    user), or the user when they belong to none.
    """
    async with ctx.uow() as uow:
        user = await optional_user(request, uow)
        entity = None if user is not None else await optional_entity(await tenant_hint(request, uow))
        if entity is not None:
            return f"entity-{entity.id}"
        if user is not None:
            return f"entity-{user.entity_id}" if user.entity_id is not None else f"user-{user.id}"
    raise Unauthorized("Falta el token de la entidad o iniciar sesión para subir archivos.")


QUOTA_REACHED = "Por hoy se llegó al máximo de archivos que se pueden subir. Probá de nuevo mañana."
_QUOTA_COUNTER = "upload-bytes"


async def _count_upload(ctx: AppContext, owner: str, amount: int) -> None:
    """Count `amount` bytes against the owner's quota of the UTC day (first, atomically); over it: given back
    and refused with 429 until midnight UTC. A negative amount gives bytes back."""
    quota = ctx.settings.upload_bytes_per_entity_per_day
    if quota <= 0 or amount == 0:
        return
    now = ctx.clock()
    key = f"{owner}:{now.date().isoformat()}"
    total = await ctx.rate_limits.add(_QUOTA_COUNTER, key, amount, 2 * 86400)
    if amount > 0 and total > quota:
        await ctx.rate_limits.add(_QUOTA_COUNTER, key, -amount, 2 * 86400)
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        raise TooManyRequests(QUOTA_REACHED, retry_after=int((midnight - now).total_seconds()))


def _declared_size(request: Request, cap: int) -> int:
    """What an upload may weigh at most: its Content-Length (the Edge refused more), else the cap."""
    raw = request.headers.get("content-length", "")
    return min(int(raw), cap) if raw.isdigit() else cap


def upload_wire(ctx: AppContext, stored: service.Stored) -> dict[str, Any]:
    """What the widget and the panel read back about an upload: the message's reference plus two aliases."""
    return {**attachment_info(ctx, stored), "filename": stored.name, "mime_type": stored.mime_type}


@router.post(
    "/archivos/upload/chat_attachment",
    dependencies=[upload_limit],
    responses=UPLOAD_RESPONSES,
    openapi_extra=UPLOAD_BODY,
    response_model=UploadOut,
)
async def upload(request: Request, ctx: Ctx) -> dict[str, Any]:
    """Keep a file for a conversation: typed by its content, from the allowed types, up to the size cap and
    within the entity's daily quota."""
    owner = await _require_uploader(request, ctx)
    reserved = _declared_size(request, ctx.settings.max_upload_bytes + FRAMING_BYTES)
    await _count_upload(ctx, owner, reserved)
    try:
        stored = await receive_stream(ctx, request)
    except TooLarge:
        await _count_upload(ctx, owner, -reserved)
        await _drain(request)
        raise
    except ClientDisconnect as exc:  # the client went away mid-upload: nothing kept, nothing to log
        await _count_upload(ctx, owner, -reserved)
        raise BadRequest("La subida se cortó antes de terminar.") from exc
    except BaseException:
        await _count_upload(ctx, owner, -reserved)
        raise
    await _count_upload(ctx, owner, stored.size - reserved)
    return upload_wire(ctx, stored)


async def _drain(request: Request, limit: int = 1024 * 1024) -> None:
    """Read (and drop) a little of what is left, so a client still sending gets the answer instead of a reset."""
    read = 0
    try:
        async for chunk in request.stream():
            read += len(chunk)
            if read > limit:
                return
    except (ClientDisconnect, RuntimeError):
        return


@router.get(
    "/archivos/{key}/{name}",
    response_class=Response,
    responses={**FILE_OK, 404: {"description": "No existe ese archivo"}},
)
async def download(key: str, name: str, ctx: Ctx) -> FileResponse:
    """An uploaded file, by its unguessable link, typed again from its content."""
    path, how = await asyncio.to_thread(service.locate, uploads_root(ctx), key, name)
    return FileResponse(
        path,
        media_type=how.mime_type,
        filename=name,
        content_disposition_type="inline" if how.inline else "attachment",
        headers=SERVING_HEADERS,
    )


def attachment_info(ctx: AppContext, stored: service.Stored) -> dict[str, Any]:
    """How a message refers to a kept file (`attachment_info`)."""
    url = f"{ctx.settings.public_url.rstrip('/')}/archivos/{stored.key}/{stored.name}"
    info: dict[str, Any] = {"name": stored.name, "url": url, "mimeType": stored.mime_type, "size": stored.size}
    if stored.mime_type.startswith("image/"):
        info["thumbUrl"] = url
    return info
