"""Knowledge base: entries per entity, CSV import (one transaction, replace by title) and retrieval."""

from __future__ import annotations

import csv
import io
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.db import utcnow
from ventanilla.errors import BadRequest, Conflict, NotFound
from ventanilla.knowledge import repository, search
from ventanilla.knowledge.models import KnowledgeEntry
from ventanilla.text import MAX_MESSAGE_CHARS, one_line

CSV_COLUMNS = ("titulo", "respuesta", "palabras_clave")
MAX_IMPORT_BYTES = 2_000_000
MAX_ENTRIES = 2000


@dataclass(frozen=True, slots=True)
class EntryData:
    """A validated entry, before it is stored."""

    title: str
    answer: str
    keywords: tuple[str, ...] = ()
    link: str | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed."""

    created: int
    updated: int


def split_keywords(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    """Keywords from "a, b, c" or a list: trimmed, without duplicates, in order."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw or ())
    seen: dict[str, None] = {}
    for part in parts:
        word = one_line(str(part), 100)
        if word and word.casefold() not in {k.casefold() for k in seen}:
            seen[word] = None
    return tuple(seen)[:50]


def entry_data(title: str, answer: str, keywords: str | Iterable[str] | None, link: str | None = None) -> EntryData:
    """Validate one entry's fields."""
    clean_title = one_line(title, 200)
    clean_answer = (answer or "").replace("\x00", "").strip()[:MAX_MESSAGE_CHARS]
    if not clean_title:
        raise BadRequest("Falta el título.")
    if not clean_answer:
        raise BadRequest(f"Falta la respuesta de «{clean_title}».")
    clean_link = one_line(link, 500) or None
    if clean_link and not clean_link.startswith(("https://", "http://")):
        raise BadRequest("El enlace debe empezar con https:// o http://.")
    return EntryData(clean_title, clean_answer, split_keywords(keywords), clean_link)


def parse_csv(raw: bytes) -> list[EntryData]:
    """Rows of a knowledge-base CSV (UTF-8: titulo, respuesta, palabras_clave); clear errors, no partial result."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise BadRequest(f"El archivo supera el máximo de {MAX_IMPORT_BYTES // 1_000_000} MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"El archivo no está en UTF-8 (byte inválido en la posición {exc.start}). Guardalo como «CSV UTF-8»."
        ) from None
    if "\x00" in text:
        raise BadRequest("El archivo no es un CSV de texto.")
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().casefold() for h in (reader.fieldnames or [])]
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise BadRequest(f"Faltan columnas en el CSV: {', '.join(missing)} (se esperan: {', '.join(CSV_COLUMNS)}).")
        reader.fieldnames = header
        entries: list[EntryData] = []
        seen: dict[str, int] = {}
        for line, row in enumerate(reader, start=2):
            values = {k: (v or "") for k, v in row.items() if isinstance(k, str)}
            if not any(str(v).strip() for v in values.values()):
                continue
            try:
                entry = entry_data(
                    values["titulo"], values["respuesta"], values["palabras_clave"], values.get("enlace")
                )
            except BadRequest as exc:
                raise BadRequest(f"Fila {line}: {exc.message}") from None
            key = entry.title.casefold()
            if key in seen:
                raise BadRequest(f"Título repetido en las filas {seen[key]} y {line}: «{entry.title}».")
            seen[key] = line
            entries.append(entry)
    except csv.Error as exc:
        raise BadRequest(f"El CSV está mal formado: {exc}.") from None
    if not entries:
        raise BadRequest("El CSV no tiene filas.")
    if len(entries) > MAX_ENTRIES:
        raise BadRequest(f"El CSV tiene más de {MAX_ENTRIES} filas.")
    return entries


async def list_entries(session: AsyncSession, entity_id: int) -> Sequence[KnowledgeEntry]:
    """An entity's entries, by title."""
    return await repository.list_for_entity(session, entity_id)


async def import_entries(session: AsyncSession, entity_id: int, entries: Sequence[EntryData]) -> ImportResult:
    """Create or replace (by title) every entry; the caller commits once, so an import is all or nothing."""
    existing = {e.title.casefold(): e for e in await repository.list_for_entity(session, entity_id)}
    created = updated = 0
    now = utcnow()
    for data in entries:
        row = existing.get(data.title.casefold())
        if row is None:
            row = KnowledgeEntry(entity_id=entity_id, title=data.title, created_at=now)
            session.add(row)
            existing[data.title.casefold()] = row
            created += 1
        else:
            updated += 1
        row.title, row.answer, row.keywords, row.link, row.updated_at = (
            data.title,
            data.answer,
            list(data.keywords),
            data.link,
            now,
        )
    await session.flush()
    _changed(session, entity_id)
    return ImportResult(created, updated)


async def create_entry(session: AsyncSession, entity_id: int, data: EntryData) -> KnowledgeEntry:
    """A new entry; the title must be new in the entity."""
    if await repository.by_title(session, entity_id, data.title) is not None:
        raise Conflict(f"Ya existe una entrada con el título «{data.title}».")
    now = utcnow()
    row = KnowledgeEntry(
        entity_id=entity_id,
        title=data.title,
        answer=data.answer,
        keywords=list(data.keywords),
        link=data.link,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    _changed(session, entity_id)
    return row


async def update_entry(session: AsyncSession, entity_id: int, entry_id: int, data: EntryData) -> KnowledgeEntry:
    """Replace an entry's fields."""
    row = await repository.get(session, entity_id, entry_id)
    if row is None:
        raise NotFound("No existe esa entrada.")
    other = await repository.by_title(session, entity_id, data.title)
    if other is not None and other.id != row.id:
        raise Conflict(f"Ya existe una entrada con el título «{data.title}».")
    row.title, row.answer, row.keywords, row.link, row.updated_at = (
        data.title,
        data.answer,
        list(data.keywords),
        data.link,
        utcnow(),
    )
    await session.flush()
    _changed(session, entity_id)
    return row


async def delete_entry(session: AsyncSession, entity_id: int, entry_id: int) -> None:
    """Remove an entry."""
    row = await repository.get(session, entity_id, entry_id)
    if row is None:
        raise NotFound("No existe esa entrada.")
    await session.delete(row)
    await session.flush()
    _changed(session, entity_id)


def as_item(entry: KnowledgeEntry) -> search.Item:
    """The retrieval view of a stored entry."""
    return search.Item(entry.id, entry.title, entry.answer, tuple(entry.keywords or ()), entry.link)


async def items(session: AsyncSession, entity_id: int) -> tuple[search.Item, ...]:
    """Every entry of an entity, ready for retrieval (kept per process for `CACHE_SECONDS`, see `_changed`)."""
    cache = _cache_of(session)
    if entity_id in session.info.get(_CHANGED, ()):  # this transaction's own changes, not yet committed
        return tuple(as_item(e) for e in await repository.list_for_entity(session, entity_id))
    now = time.monotonic()
    hit = cache.get(entity_id)
    if hit is not None and hit[0] >= now:
        return hit[1]
    found = tuple(as_item(e) for e in await repository.list_for_entity(session, entity_id))
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[entity_id] = (now + CACHE_SECONDS, found)
    return found


CACHE_SECONDS = 5.0
"""How long a process answers from its copy of an entity's entries: every free-text turn read them all. A change
made through this process shows at once (`_changed`); one made through another process, within this time."""
_CACHE_MAX = 10_000
_CHANGED = "ventanilla.knowledge_changed"
# One cache per database (engine): tests run several servers, each on its own database, in one process.
_CACHES: weakref.WeakKeyDictionary[Engine, dict[int, tuple[float, tuple[search.Item, ...]]]] = (
    weakref.WeakKeyDictionary()
)


def _cache_of(session: AsyncSession) -> dict[int, tuple[float, tuple[search.Item, ...]]]:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return _CACHES.setdefault(engine, {})


def _changed(session: AsyncSession, entity_id: int) -> None:
    """Entries of the entity changed in this transaction: read them fresh in it, and forget the process's copy now
    and again once it ends (a request that read the old entries meanwhile must not keep them)."""
    cache = _cache_of(session)
    cache.pop(entity_id, None)
    changed: set[int] = session.info.setdefault(_CHANGED, set())
    if changed:
        changed.add(entity_id)
        return
    changed.add(entity_id)

    def forget(sync_session: Any, *_: Any) -> None:
        for changed_id in sync_session.info.pop(_CHANGED, ()):
            cache.pop(changed_id, None)

    event.listen(session.sync_session, "after_commit", forget, once=True)
    event.listen(session.sync_session, "after_rollback", forget, once=True)


async def suggestions(session: AsyncSession, entity_id: int, query: str, limit: int = 3) -> list[search.Hit]:
    """The entries that best answer a query (for agents: shown with their confidence)."""
    return search.rank(await items(session, entity_id), query, limit=limit)
