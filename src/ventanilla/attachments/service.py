"""Files citizens and agents attach to a conversation: typed by their content, stored under an unguessable key.

The type of a file is what its bytes are (`filetype`, pure Python), from an allow-list of exact types; the
declared type and the name's extension may only agree with it. Nothing we keep or serve can run as a page.
"""

from __future__ import annotations

import codecs
import mimetypes
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import filetype

from ventanilla.errors import BadRequest, NotFound, TooLarge

HEAD_BYTES = 8192
OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Kind:
    """An allowed type: its family (the container its bytes are), extensions, and whether it is shown inline."""

    mime: str
    family: str
    extensions: tuple[str, ...]

    @property
    def inline(self) -> bool:
        """Pictures, sounds and videos are shown in the page; everything else is downloaded."""
        return self.mime.startswith(("image/", "audio/", "video/"))


_OOXML = "application/vnd.openxmlformats-officedocument"
KINDS: dict[str, Kind] = {
    kind.mime: kind
    for kind in (
        Kind("image/jpeg", "jpeg", ("jpg", "jpeg", "jpe", "jfif")),
        Kind("image/png", "png", ("png",)),
        Kind("image/gif", "gif", ("gif",)),
        Kind("image/webp", "webp", ("webp",)),
        Kind("image/heic", "heic", ("heic", "heif")),
        Kind("audio/ogg", "ogg", ("ogg", "oga", "opus")),
        Kind("audio/mpeg", "mpeg-audio", ("mp3",)),
        Kind("audio/aac", "aac", ("aac",)),
        Kind("audio/amr", "amr", ("amr",)),
        Kind("audio/webm", "webm", ("webm", "weba")),
        Kind("video/webm", "webm", ("webm",)),
        Kind("audio/mp4", "mp4", ("m4a", "mp4")),
        Kind("video/mp4", "mp4", ("mp4", "m4v")),
        Kind("video/3gpp", "mp4", ("3gp", "3gpp")),
        Kind("video/quicktime", "mp4", ("mov", "qt")),
        Kind("application/pdf", "pdf", ("pdf",)),
        Kind("application/msword", "doc", ("doc",)),
        Kind("application/vnd.ms-excel", "xls", ("xls",)),
        Kind(f"{_OOXML}.wordprocessingml.document", "docx", ("docx",)),
        Kind(f"{_OOXML}.spreadsheetml.sheet", "xlsx", ("xlsx",)),
        Kind("application/vnd.oasis.opendocument.text", "odt", ("odt",)),
        Kind("application/vnd.oasis.opendocument.spreadsheet", "ods", ("ods",)),
        Kind("text/plain", "text", ("txt", "text", "log")),
        Kind("text/csv", "text", ("csv",)),
    )
}
# What the detector calls a type, or what browsers and phones declare, mapped to the allowed type it is.
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/heif": "image/heic",
    "audio/opus": "audio/ogg",
    "video/ogg": "audio/ogg",
    "application/ogg": "audio/ogg",
    "audio/mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/x-aac": "audio/aac",
    "audio/aacp": "audio/aac",
    "audio/amr-nb": "audio/amr",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "video/x-m4v": "video/mp4",
    "audio/3gpp": "video/3gpp",
    "video/3gpp2": "video/3gpp",
    "audio/3gpp2": "video/3gpp",
    "text/comma-separated-values": "text/csv",
}
# Declarations that say nothing about the content (phones and some browsers send them for anything).
UNKNOWN_DECLARED = frozenset({"", OCTET_STREAM, "binary/octet-stream", "application/unknown"})
# Zip containers: some systems declare an office file as a plain zip.
_ZIP_FAMILIES = frozenset({"docx", "xlsx", "odt", "ods"})
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"^\s*({_TOKEN})/({_TOKEN})\s*((?:;\s*{_TOKEN}=(?:{_TOKEN}|\"[^\"\\\r\n]*\")\s*)*)$")
_KEY = re.compile(r"^[0-9a-f]{32}$")
_OWN_LINK = re.compile(
    r"^/(?:api/)?archivos/(?:[0-9a-f]{32}/[A-Za-z0-9._-]{1,120}|whatsapp/[0-9]{1,40}(?:\?sig=[0-9a-f]{1,64})?)$"
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
ACCEPTED = "Mandá fotos, audios, videos, PDF, documentos de Office o texto."


@dataclass(frozen=True, slots=True)
class Stored:
    """Where an upload lives and how to describe it."""

    key: str
    name: str
    mime_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Serving:
    """How to serve a stored file: its type and whether it is shown inline or downloaded."""

    mime_type: str
    inline: bool


def safe_name(name: str | None) -> str:
    """An ASCII file name without paths or odd characters."""
    base = Path(name or "archivo").name
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_name).strip("._") or "archivo"
    return cleaned[-120:]


def declared_type(value: str | None) -> str:
    """The essence (`type/subtype`, lower case) of a declared Content-Type, parsed strictly.

    One media type with optional well-formed parameters; a list (`image/png,text/html`) or junk is refused.
    """
    if value is None or not value.strip():
        return ""
    match = _MEDIA_TYPE.match(value)
    if match is None:
        raise BadRequest("El tipo de archivo declarado no es válido. " + ACCEPTED)
    return f"{match.group(1)}/{match.group(2)}".lower()


def canonical(mime: str) -> str:
    """The allowed type a detected or declared type stands for (itself when it has no alias)."""
    return ALIASES.get(mime, mime)


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 text without control characters that does not start like markup (HTML, SVG, XML)."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    if _TEXT_CONTROL.search(text):
        return False
    return not text.lstrip("\ufeff \t\r\n\f").startswith("<")


def detect(head: bytes, declared: str = "") -> Kind | None:
    """The allowed kind the first bytes of a file are, or None (unknown or not allowed)."""
    guess = filetype.guess(head)
    if guess is not None:
        kind = KINDS.get(canonical(str(guess.mime)))
        if kind is not None and kind.family == "webm" and declared == "audio/webm":
            return KINDS["audio/webm"]
        return kind
    if head and _looks_like_text(head):
        return KINDS["text/csv"] if declared == "text/csv" else KINDS["text/plain"]
    return None


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def _family_of_extension(ext: str) -> str | None:
    families = {kind.family for kind in KINDS.values() if ext in kind.extensions}
    return families.pop() if len(families) == 1 else None


def _media_family(family: str) -> bool:
    return any(kind.inline for kind in KINDS.values() if kind.family == family)


_FOREIGN_EXTENSIONS = frozenset(
    {"htm", "html", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "mjs", "css", "swf", "exe", "bat", "cmd"}
    | {"com", "scr", "msi", "sh", "php", "jsp", "asp", "aspx", "hta", "jar", "vbs", "ps1", "json", "wasm", "zip"}
)


def resolve(name: str, declared: str, head: bytes) -> tuple[Kind, str]:
    """The kind of an upload and the name to keep it under; refuses what we do not keep or what disagrees.

    `declared` is the essence given by `declared_type`.
    """
    kind = detect(head, canonical(declared))
    if kind is None:
        raise BadRequest("No se aceptan archivos de ese tipo. " + ACCEPTED)
    said = canonical(declared)
    if said not in UNKNOWN_DECLARED:
        said_kind = KINDS.get(said)
        zipped = said in ("application/zip", "application/x-zip-compressed") and kind.family in _ZIP_FAMILIES
        if not zipped and (said_kind is None or said_kind.family != kind.family):
            raise BadRequest(f"El archivo dice ser {declared} pero su contenido no lo es. " + ACCEPTED)
        if said_kind is not None and said_kind.family == kind.family and kind.family != "text":
            kind = said_kind
    ext = _extension(name)
    if kind.family == "text" and ext in KINDS["text/csv"].extensions:
        kind = KINDS["text/csv"]
    if ext in kind.extensions:
        return kind, name
    family = _family_of_extension(ext)
    foreign = ext in _FOREIGN_EXTENSIONS or (family is None and mimetypes.guess_type(f"x.{ext}")[0] is not None)
    if family is not None and family != kind.family and kind.inline and _media_family(family):
        # The widget names every voice note `.webm` whatever the browser recorded (ogg, mp4): between pictures,
        # sounds and videos the content decides and the name gets the right extension.
        stem = name.rsplit(".", 1)[0] or "archivo"
        return kind, f"{stem[:110]}.{kind.extensions[0]}"
    if foreign or family not in (None, kind.family):
        raise BadRequest(f"El nombre del archivo (.{ext}) no coincide con su contenido. " + ACCEPTED)
    return kind, f"{name}.{kind.extensions[0]}"[-120:]


class Incoming:
    """An upload being received: written to a temporary file as it arrives, with the size cap enforced."""

    def __init__(self, root: Path, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.head = b""
        self._folder = root / ".incoming"
        self._folder.mkdir(parents=True, exist_ok=True)
        self.path = self._folder / secrets.token_hex(16)
        self._file: IO[bytes] | None = self.path.open("xb")

    def write(self, chunk: bytes) -> None:
        """Append a chunk; TooLarge as soon as the file passes the cap."""
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooLarge(f"El archivo supera el máximo de {self.limit // (1024 * 1024)} MB.")
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        assert self._file is not None
        self._file.write(chunk)

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self) -> None:
        """Drop what was received."""
        self._close()
        self.path.unlink(missing_ok=True)

    def keep(self, root: Path, name: str | None, declared: str | None) -> Stored:
        """Check the received file and move it under a new key; refuses (and drops it) when unsafe or empty."""
        try:
            self._close()
            if self.size == 0:
                raise BadRequest("El archivo está vacío.")
            kind, clean = resolve(safe_name(name), declared_type(declared), self.head)
            key = new_key()
            folder = root / key
            folder.mkdir(parents=True, exist_ok=False)
            os.replace(self.path, folder / clean)
            (folder / ".type").write_text(kind.mime)
            return Stored(key=key, name=clean, mime_type=kind.mime, size=self.size)
        finally:
            self.discard()


_DIGIT_RUN = re.compile(r"\d{7}")


def new_key() -> str:
    """An unguessable key for a kept file, without seven digits in a row: both widgets turn a run of nine or more
    digits in a message into a WhatsApp link, and a file's link is written into the live-chat text."""
    while True:
        key = secrets.token_hex(16)
        if not _DIGIT_RUN.search(key):
            return key


def store(root: Path, name: str | None, declared: str | None, data: bytes, limit: int) -> Stored:
    """Check and keep an upload given whole (for callers that already hold the bytes)."""
    incoming = Incoming(root, limit)
    try:
        incoming.write(data)
    except BaseException:
        incoming.discard()
        raise
    return incoming.keep(root, name, declared)


def serving(recorded: str, head: bytes) -> Serving:
    """How to serve a file: the recorded type when its content still is that, else what the content is.

    Files stored before content checks (or tampered with) may carry any recorded type; content outside the
    allow-list is served only as a download of unknown type.
    """
    kind = detect(head, canonical(recorded))
    if kind is None:
        return Serving(OCTET_STREAM, inline=False)
    if kind.family != "text":
        recorded_kind = KINDS.get(recorded)
        if recorded_kind is not None and recorded_kind.family == kind.family:
            kind = recorded_kind
    mime = f"{kind.mime}; charset=utf-8" if kind.family == "text" else kind.mime
    return Serving(mime, inline=kind.inline)


def locate(root: Path, key: str, name: str) -> tuple[Path, Serving]:
    """The file of a key and how to serve it, or NotFound."""
    if not _KEY.match(key) or name != safe_name(name):
        raise NotFound("No existe ese archivo.")
    path = root / key / name
    if not path.is_file():
        raise NotFound("No existe ese archivo.")
    type_file = root / key / ".type"
    recorded = type_file.read_text().strip().lower() if type_file.exists() else ""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    return path, serving(recorded, head)


def safe_link(url: object) -> str | None:
    """A link a citizen may attach: an http(s) URL, or one of our own upload links; None for anything else."""
    if not isinstance(url, str):
        return None
    link = url.strip()
    if not link or len(link) > 2048 or any(ch in link for ch in "\x00\r\n\t\\"):
        return None
    if _OWN_LINK.match(link):
        return link
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return link


def clean_attachment(info: dict[str, Any] | None) -> dict[str, Any] | None:
    """An attachment as a citizen sent it, or None when its link is not one we would show; a name or type missing
    (a link kept alone) is read from the link."""
    if not info:
        return None
    link = safe_link(info.get("url"))
    if link is None:
        return None
    kept = {**info, "url": link}
    if "thumbUrl" in kept and safe_link(kept["thumbUrl"]) is None:
        del kept["thumbUrl"]
    name, mime = described_by_link(link)
    if not isinstance(kept.get("name"), str) or not kept["name"].strip():
        kept["name"] = name
    if not isinstance(kept.get("mimeType"), str) or not kept["mimeType"].strip():
        kept["mimeType"] = mime or type_of_name(str(kept["name"]))
    if kept["mimeType"] is None:
        del kept["mimeType"]
    elif str(kept["mimeType"]).startswith("image/") and "thumbUrl" not in kept:
        kept["thumbUrl"] = link
    return kept


def type_of_name(name: str) -> str | None:
    """The allowed type a file name's extension stands for, or None."""
    guessed = mimetypes.guess_type(name)[0]
    if guessed is not None and canonical(guessed) in KINDS:
        return canonical(guessed)
    ext = _extension(name)
    return next((kind.mime for kind in KINDS.values() if ext and ext in kind.extensions), None)


def described_by_link(url: str) -> tuple[str, str | None]:
    """The file name and type a link shows (its last path segment), for attachments kept as a bare link."""
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    last = unquote(path.rstrip("/").rsplit("/", 1)[-1]) if path else ""
    name = safe_name(last) if last else "archivo"
    return name, type_of_name(name)
