"""Files citizens and agents attach to a conversation: checked, stored under an unguessable key, served back."""

from __future__ import annotations

import mimetypes
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ventanilla.errors import BadRequest, NotFound, TooLarge

ALLOWED_PREFIXES = ("image/", "audio/", "video/")
ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
# Served inline they could run script in our origin.
REFUSED_TYPES = frozenset({"image/svg+xml", "text/html", "application/xhtml+xml"})
_KEY = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Stored:
    """Where an upload lives and how to describe it."""

    key: str
    name: str
    mime_type: str
    size: int


def safe_name(name: str | None) -> str:
    """An ASCII file name without paths or odd characters."""
    base = Path(name or "archivo").name
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_name).strip("._") or "archivo"
    return cleaned[-120:]


def mime_of(name: str, declared: str | None) -> str:
    """The declared type, or the one the extension suggests."""
    mime = (declared or "").split(";")[0].strip().lower() or (mimetypes.guess_type(name)[0] or "")
    return mime or "application/octet-stream"


def check(name: str, mime: str, size: int, limit: int) -> None:
    """Refuse what we do not keep: empty, too large, or a type that is not a document, picture or sound."""
    if size == 0:
        raise BadRequest("El archivo está vacío.")
    if size > limit:
        raise TooLarge(f"El archivo supera el máximo de {limit // (1024 * 1024)} MB.")
    allowed = mime in ALLOWED_TYPES or mime.startswith(ALLOWED_PREFIXES)
    if mime in REFUSED_TYPES or not allowed:
        raise BadRequest(f"No se aceptan archivos de tipo {mime}. Mandá fotos, audios, videos, PDF o documentos.")


def store(root: Path, name: str | None, declared_type: str | None, data: bytes, limit: int) -> Stored:
    """Check and write an upload; returns its key and description."""
    clean = safe_name(name)
    mime = mime_of(clean, declared_type)
    check(clean, mime, len(data), limit)
    key = secrets.token_hex(16)
    folder = root / key
    folder.mkdir(parents=True, exist_ok=False)
    (folder / clean).write_bytes(data)
    (folder / ".type").write_text(mime)
    return Stored(key=key, name=clean, mime_type=mime, size=len(data))


def locate(root: Path, key: str, name: str) -> tuple[Path, str]:
    """The file of a key and its type, or NotFound."""
    if not _KEY.match(key) or name != safe_name(name):
        raise NotFound("No existe ese archivo.")
    path = root / key / name
    if not path.is_file():
        raise NotFound("No existe ese archivo.")
    type_file = root / key / ".type"
    mime = type_file.read_text().strip() if type_file.exists() else mime_of(name, None)
    return path, mime
