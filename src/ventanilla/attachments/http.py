"""Uploads over HTTP: `POST /archivos/upload/chat_attachment` (multipart `file`) and the file links it returns."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import FileResponse, Response

from ventanilla.attachments import service
from ventanilla.errors import Unauthorized
from ventanilla.web import FILE_OK, Ctx, OptionalEntity, OptionalUser, WireOut, errors, limit

router = APIRouter(tags=["archivos"], responses=errors(401, 404, 415))
upload_limit = Depends(limit("upload", lambda ctx: 30))
INLINE_PREFIXES = ("image/", "audio/", "video/", "application/pdf")


class UploadOut(WireOut):
    """The stored file's link and what it is."""

    url: str
    name: str
    mimeType: str
    size: int


def uploads_root(ctx: Ctx) -> Path:
    """Where uploads are kept."""
    return ctx.settings.data_dir / "uploads"


@router.post("/archivos/upload/chat_attachment", dependencies=[upload_limit], response_model=UploadOut)
async def upload(ctx: Ctx, user: OptionalUser, entity: OptionalEntity, file: UploadFile = File(...)) -> dict[str, Any]:
    """Keep a file for a conversation; only widget visitors of a known entity and logged-in users may upload."""
    if user is None and entity is None:
        raise Unauthorized("Falta el token de la entidad o iniciar sesión para subir archivos.")
    data = await file.read(ctx.settings.max_upload_bytes + 1)
    stored = await asyncio.to_thread(
        service.store, uploads_root(ctx), file.filename, file.content_type, data, ctx.settings.max_upload_bytes
    )
    url = f"{ctx.settings.public_url.rstrip('/')}/archivos/{stored.key}/{stored.name}"
    return {
        "url": url,
        "name": stored.name,
        "filename": stored.name,
        "mimeType": stored.mime_type,
        "mime_type": stored.mime_type,
        "size": stored.size,
        **({"thumbUrl": url} if stored.mime_type.startswith("image/") else {}),
    }


@router.get("/archivos/{key}/{name}", response_class=Response, responses=FILE_OK)
async def download(key: str, name: str, ctx: Ctx) -> FileResponse:
    """An uploaded file, by its unguessable link."""
    path, mime = await asyncio.to_thread(service.locate, uploads_root(ctx), key, name)
    disposition = "inline" if mime.startswith(INLINE_PREFIXES) else "attachment"
    return FileResponse(
        path,
        media_type=mime,
        filename=name,
        content_disposition_type=disposition,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )
