"""Statistics over HTTP: `estadisticas/tickets` and `estadisticas/mapa_calor/datos`, with the `/municipal` alias
(and `/api`, served for every route): staff of the entity only, its own tickets only."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ventanilla.entities import service as entities
from ventanilla.errors import BadRequest
from ventanilla.stats import service
from ventanilla.web import Staff, UoW, WireOut, errors


class StatsOut(WireOut):
    """Charts the page matches by title, a summary and the heat map."""

    charts: list[dict[str, Any]]
    resumen: dict[str, Any]
    heatmap: list[dict[str, Any]]


class HeatPointOut(WireOut):
    """One open ticket with coordinates."""

    lat: float
    lng: float
    weight: int
    estado: str


router = APIRouter(tags=["estadísticas"], responses=errors(400, 401, 403))
Many = Annotated[list[str] | None, Query(max_length=50)]
# A day `YYYY-MM-DD` (what the schema states; an ISO date-time is also taken and cut to its date), or nothing.
Day = Annotated[
    str | None,
    Query(
        max_length=40,
        json_schema_extra={"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]},
    ),
]


def _day(value: str | None, name: str) -> dt.date | None:
    """A `YYYY-MM-DD` (an ISO date-time is cut to its date, as the frontend itself does)."""
    if not value or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip().split("T")[0])
    except ValueError as exc:
        raise BadRequest(f"Fecha inválida en {name}: usá AAAA-MM-DD.") from exc


async def stats_filters(
    tipo: Annotated[str | None, Query(max_length=32)] = None,
    fecha_inicio: Day = None,
    fecha_fin: Day = None,
    estado: Many = None,
    categoria: Many = None,
) -> service.Filters:
    """The filters of both pages, from the query string (`tipo` is accepted and ignored: the entity is the user's)."""
    # A range that ends before it starts is empty, as any filter nothing matches (not an error).
    since, until = _day(fecha_inicio, "fecha_inicio"), _day(fecha_fin, "fecha_fin")
    return service.Filters(
        since=since,
        until=until,
        estados=tuple(e.strip() for e in estado or () if e.strip() and e.strip() != "all"),
        categorias=tuple(c.strip() for c in categoria or () if c.strip() and c.strip() != "all"),
    )


Filters = Annotated[service.Filters, Depends(stats_filters)]


@router.get("/estadisticas/tickets", response_model=StatsOut)
@router.get("/municipal/estadisticas/tickets", response_model=StatsOut)
async def ticket_stats(user: Staff, uow: UoW, filters: Filters) -> dict[str, Any]:
    """Counts by estado, category, channel and day, and average first-response and resolution times."""
    entity = await entities.named_for_staff(uow.session, user, "")
    return await service.ticket_stats(uow.session, entity, filters)


@router.get("/estadisticas/mapa_calor/datos", response_model=list[HeatPointOut])
@router.get("/municipal/estadisticas/mapa_calor/datos", response_model=list[HeatPointOut])
async def heatmap(user: Staff, uow: UoW, filters: Filters) -> list[dict[str, Any]]:
    """One point per open ticket with coordinates (urgent ones weigh double)."""
    entity = await entities.named_for_staff(uow.session, user, "")
    return await service.heatmap(uow.session, entity, filters)
