"""Counts by estado, category, channel and day, average first-response and resolution times, and the heat map."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.domain import Estado
from ventanilla.entities import service as entities
from ventanilla.entities.models import Entity
from ventanilla.stats import repository
from ventanilla.text import fold
from ventanilla.tickets.models import CLOSED_ESTADOS
from ventanilla.tickets.service import ESTADO_LABELS

CHANNEL_LABELS = {"web": "Web", "whatsapp": "WhatsApp", "email": "Email", "phone": "Teléfono", "other": "Otro"}
STATUS_LABELS: dict[str, str] = {
    Estado.NUEVO: "Nuevo",
    Estado.EN_PROCESO: "En proceso",
    Estado.ESPERANDO_AGENTE: "Chat en espera de un representante",
    Estado.EN_VIVO: "Chat en curso con un representante",
    Estado.RESUELTO: "Resuelto",
    Estado.CERRADO: "Cerrado",
}
"""The estado chart's names: the newest statistics page sorts them into its cards by words ("proceso", "curso",
"espera" are in progress; "resuelt", "cerrad" resolved; the rest open), so a live chat reads as in progress."""


def estado_of(name: str) -> str:
    """The estado a filter names, by its key or its chart name (the page filters by what the chart showed)."""
    wanted = fold(name)
    return next((key for key, label in STATUS_LABELS.items() if wanted in (key, fold(label))), name)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the statistics page asks for: a period in the entity's days, and optional estados and categories."""

    since: dt.date | None = None
    until: dt.date | None = None
    estados: tuple[str, ...] = ()
    categorias: tuple[str, ...] = ()


@dataclass(slots=True)
class Row:
    """One ticket as the statistics see it."""

    id: int
    nro: int
    estado: str
    categoria: str | None
    channel: str
    created_at: dt.datetime
    latitud: float | None
    longitud: float | None
    direccion: str | None
    prioridad: str
    first_reply: dt.datetime | None = None
    closed_at: dt.datetime | None = None


@dataclass(slots=True)
class Stats:
    """The aggregates of a period."""

    total: int = 0
    by_estado: Counter[str] = field(default_factory=Counter)
    by_categoria: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    by_day: dict[str, int] = field(default_factory=dict)
    first_response_minutes: float | None = None
    resolution_hours: float | None = None
    answered: int = 0
    resolved: int = 0


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _bounds(filters: Filters, zone: ZoneInfo) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The period as UTC instants: from the start of `since` to the end of `until`, in the entity's time zone."""
    start = dt.datetime.combine(filters.since, dt.time(), zone).astimezone(dt.UTC) if filters.since else None
    end = (
        dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
        if filters.until
        else None
    )
    return start, end


def _kept(row: Row, filters: Filters) -> bool:
    if filters.estados and row.estado not in {estado_of(e) for e in filters.estados}:
        return False
    return not filters.categorias or fold(row.categoria or "") in {fold(c) for c in filters.categorias}


async def rows_for(session: AsyncSession, entity: Entity, filters: Filters) -> list[Row]:
    """The entity's tickets of the period that pass the filters, with their first reply and closing times."""
    zone = ZoneInfo(entities.schedule_of(entity).timezone)
    start, end = _bounds(filters, zone)
    found = [
        Row(r[0], r[1], r[2], r[3], r[4], _aware(r[5]), r[6], r[7], r[8], r[9])
        for r in await repository.tickets_between(session, entity.id, start, end)
    ]
    rows = [row for row in found if _kept(row, filters)]
    ids = [row.id for row in rows]
    replies = await repository.first_agent_replies(session, entity.id, ids)
    closings = await repository.first_closings(session, entity.id, ids)
    for row in rows:
        row.first_reply = _aware(replies[row.id]) if row.id in replies else None
        row.closed_at = _aware(closings[row.id]) if row.id in closings else None
    return rows


def aggregate(rows: list[Row], zone: ZoneInfo) -> Stats:
    """Counts and averages of some tickets (pure)."""
    stats = Stats(total=len(rows))
    days: Counter[str] = Counter()
    waits: list[float] = []
    spans: list[float] = []
    for row in rows:
        stats.by_estado[row.estado] += 1
        stats.by_categoria[row.categoria or "Sin categoría"] += 1
        stats.by_channel[CHANNEL_LABELS.get(row.channel, row.channel)] += 1
        days[row.created_at.astimezone(zone).date().isoformat()] += 1
        if row.first_reply is not None and row.first_reply >= row.created_at:
            waits.append((row.first_reply - row.created_at).total_seconds() / 60)
        if row.closed_at is not None and row.closed_at >= row.created_at:
            spans.append((row.closed_at - row.created_at).total_seconds() / 3600)
    stats.by_day = dict(sorted(days.items()))
    stats.answered, stats.resolved = len(waits), len(spans)
    stats.first_response_minutes = round(sum(waits) / len(waits), 1) if waits else None
    stats.resolution_hours = round(sum(spans) / len(spans), 2) if spans else None
    return stats


def charts_wire(stats: Stats) -> dict[str, Any]:
    """`GET estadisticas/tickets`: `charts [{title, data}]` whose titles the page matches by keyword (estado,
    categoría, canal, día), plus a `resumen` the page ignores but an operator can read."""
    return {
        "charts": [
            {"title": "Tickets por estado", "data": {STATUS_LABELS.get(k, k): v for k, v in stats.by_estado.items()}},
            {"title": "Tickets por categoría", "data": dict(stats.by_categoria)},
            {"title": "Tickets por canal", "data": dict(stats.by_channel)},
            {"title": "Tickets por día", "data": stats.by_day},
        ],
        "resumen": {
            "total": stats.total,
            "estados": {ESTADO_LABELS.get(k, k): v for k, v in stats.by_estado.items()},
            "respondidos": stats.answered,
            "resueltos": stats.resolved,
            "primera_respuesta_promedio_minutos": stats.first_response_minutes,
            "resolucion_promedio_horas": stats.resolution_hours,
        },
    }


def heatmap_wire(rows: list[Row], zone: ZoneInfo) -> list[dict[str, Any]]:
    """`GET estadisticas/mapa_calor/datos`: one point per open ticket with coordinates, as a bare array (the
    reference reads nothing else; the newest finds points anywhere)."""
    return [
        {
            "lat": row.latitud,
            "lng": row.longitud,
            "weight": 2 if row.prioridad == "urgente" else 1,
            "id": row.id,
            "ticket": str(row.nro),
            "categoria": row.categoria or "Sin categoría",
            "estado": row.estado,
            "direccion": row.direccion,
            "fecha": row.created_at.astimezone(zone).isoformat(),
        }
        for row in rows
        if row.estado not in CLOSED_ESTADOS and row.latitud is not None and row.longitud is not None
    ]


def counted_wire(rows: list[Row], zone: ZoneInfo, center: tuple[float, float] | None) -> list[dict[str, Any]]:
    """`heatmap` of `GET estadisticas/tickets`: the heat map's points, then every other ticket of the period.

    The reference statistics page counts its "abiertos / en proceso / resueltos" from this list (and drops a point
    without numeric `lat`/`lng`), and the reference profile draws it as its heat map. So a live chat, a ticket with no
    place and a closed one come too, weighing 0 (no heat), an unplaced one at the entity's place, else at the
    middle of the placed ones, else at 0, 0 (the profile page's location card sets the entity's place)."""
    points = heatmap_wire(rows, zone)
    shown = {point["id"] for point in points}
    placed = [(r.latitud, r.longitud) for r in rows if r.latitud is not None and r.longitud is not None]
    if center is None and placed:
        center = (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed))
    for row in rows:
        if row.id in shown:
            continue
        where = (row.latitud, row.longitud) if row.latitud is not None and row.longitud is not None else center
        where = where or (0.0, 0.0)
        points.append(
            {
                "lat": where[0],
                "lng": where[1],
                "weight": 0,
                "id": row.id,
                "ticket": str(row.nro),
                "categoria": row.categoria or "Sin categoría",
                "estado": row.estado,
                "direccion": row.direccion if row.latitud is not None else "Sin ubicación",
                "fecha": row.created_at.astimezone(zone).isoformat(),
            }
        )
    return points


def _place_of(entity: Entity) -> tuple[float, float] | None:
    profile = (entity.config or {}).get("perfil") or {}
    lat, lng = profile.get("latitud"), profile.get("longitud")
    if not isinstance(lat, int | float) or not isinstance(lng, int | float):
        return None
    return (float(lat), float(lng)) if -90 <= lat <= 90 and -180 <= lng <= 180 else None


async def ticket_stats(session: AsyncSession, entity: Entity, filters: Filters) -> dict[str, Any]:
    """The statistics page's charts for a period, with every ticket as a point (the reference pages read them)."""
    zone = ZoneInfo(entities.schedule_of(entity).timezone)
    rows = await rows_for(session, entity, filters)
    return {**charts_wire(aggregate(rows, zone)), "heatmap": counted_wire(rows, zone, _place_of(entity))}


async def heatmap(session: AsyncSession, entity: Entity, filters: Filters) -> list[dict[str, Any]]:
    """The heat map of the period's open tickets."""
    zone = ZoneInfo(entities.schedule_of(entity).timezone)
    return heatmap_wire(await rows_for(session, entity, filters), zone)
