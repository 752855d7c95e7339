"""Knowledge base over HTTP: the admins' CRUD and CSV import, and the agents' answer suggestions."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, UploadFile

from ventanilla.errors import BadRequest, Forbidden
from ventanilla.knowledge import schemas, service
from ventanilla.tickets import service as tickets
from ventanilla.users.models import User
from ventanilla.web import CurrentUser, RequestEntity, RowId, Staff, TicketId, UoW

router = APIRouter(tags=["base de conocimiento"])
EntryId = RowId
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Datos inválidos"},
    401: {"description": "Sin sesión o token"},
    403: {"description": "Solo administradores"},
    404: {"description": "No existe"},
    409: {"description": "Título repetido"},
}


def _admin_entity(user: User) -> int:
    if user.rol not in ("admin", "super_admin") or user.entity_id is None:
        raise Forbidden("Solo un administrador de la entidad puede editar la base de conocimiento.")
    return user.entity_id


def _data(body: schemas.EntryIn) -> service.EntryData:
    return service.entry_data(body.titulo, body.respuesta, body.palabras_clave, body.enlace)


@router.get("/knowledge-base", response_model=schemas.EntryList, responses=_ERRORS)
async def list_entries(uow: UoW, user: CurrentUser) -> schemas.EntryList:
    """Every entry of the admin's entity."""
    entries = await service.list_entries(uow.session, _admin_entity(user))
    return schemas.EntryList(entradas=[schemas.EntryOut.of(e) for e in entries])


@router.post("/knowledge-base", response_model=schemas.EntryOut, status_code=201, responses=_ERRORS)
async def create_entry(body: schemas.EntryIn, uow: UoW, user: CurrentUser) -> schemas.EntryOut:
    """Add an entry."""
    entry = await service.create_entry(uow.session, _admin_entity(user), _data(body))
    out = schemas.EntryOut.of(entry)
    await uow.flush()
    return out


@router.put("/knowledge-base/{entry_id:int}", response_model=schemas.EntryOut, responses=_ERRORS)
async def update_entry(entry_id: EntryId, body: schemas.EntryIn, uow: UoW, user: CurrentUser) -> schemas.EntryOut:
    """Replace an entry."""
    entry = await service.update_entry(uow.session, _admin_entity(user), entry_id, _data(body))
    out = schemas.EntryOut.of(entry)
    await uow.flush()
    return out


@router.delete("/knowledge-base/{entry_id:int}", status_code=204, responses=_ERRORS)
async def delete_entry(entry_id: EntryId, uow: UoW, user: CurrentUser) -> None:
    """Remove an entry."""
    await service.delete_entry(uow.session, _admin_entity(user), entry_id)
    await uow.flush()


@router.post("/knowledge-base/import", response_model=schemas.ImportOut, responses=_ERRORS)
async def import_csv(archivo: UploadFile, uow: UoW, user: CurrentUser) -> schemas.ImportOut:
    """Import a CSV (titulo, respuesta, palabras_clave): all rows or none; existing titles are replaced."""
    entity_id = _admin_entity(user)
    raw = await archivo.read(service.MAX_IMPORT_BYTES + 1)
    result = await service.import_entries(uow.session, entity_id, service.parse_csv(raw))
    await uow.flush()
    return schemas.ImportOut(creadas=result.created, actualizadas=result.updated)


async def _query_of(request: Request, query: str | None) -> str:
    """The query from `?query=` or the JSON body, which the newest panel encodes twice (a string holding JSON)."""
    if request.method == "GET":
        return query or ""
    raw = await request.body()
    if not raw.strip():
        return query or ""
    try:
        body: Any = orjson.loads(raw)
        if isinstance(body, str):
            body = orjson.loads(body) if body.strip().startswith("{") else {"query": body}
    except orjson.JSONDecodeError:
        raise BadRequest('El cuerpo debe ser JSON: {"query": "..."}.') from None
    if not isinstance(body, dict):
        raise BadRequest('El cuerpo debe ser un objeto JSON: {"query": "..."}.')
    try:
        return schemas.SuggestionQuery.model_validate(body).query or (query or "")
    except ValueError:
        raise BadRequest("`query` debe ser un texto de hasta 4000 caracteres.") from None


_SUGGESTION_ERRORS: dict[int | str, dict[str, Any]] = {k: v for k, v in _ERRORS.items() if k in (400, 401, 404)}


@router.get("/knowledge-base/suggestions", response_model=schemas.Suggestions, responses=_SUGGESTION_ERRORS)
@router.post("/knowledge-base/suggestions", response_model=schemas.Suggestions, responses=_SUGGESTION_ERRORS)
async def suggestions(
    request: Request, uow: UoW, entity: RequestEntity, query: Annotated[str | None, Query(max_length=4000)] = None
) -> schemas.Suggestions:
    """Answers from the entity's knowledge base for a text."""
    text = await _query_of(request, query)
    hits = await service.suggestions(uow.session, entity.id, text) if text.strip() else []
    return schemas.Suggestions(suggestions=[schemas.Suggestion.of(h) for h in hits])


_TICKET_SUGGESTIONS = "/tickets/{ticket_id}/knowledge-base/suggestions"


@router.get(_TICKET_SUGGESTIONS, response_model=schemas.Suggestions, responses=_SUGGESTION_ERRORS)
@router.post(_TICKET_SUGGESTIONS, response_model=schemas.Suggestions, responses=_SUGGESTION_ERRORS)
async def ticket_suggestions(
    ticket_id: TicketId,
    request: Request,
    uow: UoW,
    user: Staff,
    query: Annotated[str | None, Query(max_length=4000)] = None,
) -> schemas.Suggestions:
    """Answers for a ticket of the agent's entity: for the given text, else for the ticket's subject and category.

    Staff only: with the widget's public token it would tell anyone which ticket ids exist.
    """
    ticket = await tickets.of_entity(uow.session, user.entity_id, ticket_id)
    entity_id = ticket.entity_id
    text = await _query_of(request, query)
    if not text.strip():
        text = " ".join(p for p in (ticket.asunto, ticket.categoria or "") if p)
    hits = await service.suggestions(uow.session, entity_id, text) if text.strip() else []
    return schemas.Suggestions(suggestions=[schemas.Suggestion.of(h) for h in hits])
