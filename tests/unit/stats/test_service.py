"""The statistics' pure parts: the period in the entity's days, the aggregates and the heat map."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ventanilla.stats.service import Filters, Row, _bounds, _kept, aggregate, heatmap_wire

BA = ZoneInfo("America/Argentina/Buenos_Aires")
T0 = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)  # 09:00 in Buenos Aires


def row(n: int, estado: str, categoria: str | None = "Alumbrado", channel: str = "web", **extra: object) -> Row:
    values: dict[str, object] = {
        "created_at": T0,
        "latitud": None,
        "longitud": None,
        "direccion": None,
        "prioridad": "media",
        **extra,
    }
    return Row(n, n, estado, categoria, channel, **values)  # type: ignore[arg-type]


def test_the_period_is_whole_days_of_the_entity() -> None:
    start, end = _bounds(Filters(since=dt.date(2026, 12, 1), until=dt.date(2026, 12, 7)), BA)
    assert start == dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC)
    assert _bounds(Filters(), BA) == (None, None)


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        (Filters(), True),
        (Filters(estados=("nuevo",)), True),
        (Filters(estados=("resuelto",)), False),
        (Filters(categorias=("alumbrado",)), True),
        (Filters(categorias=("Baches",)), False),
    ],
)
def test_filters_by_estado_and_category_ignoring_case_and_accents(filters: Filters, kept: bool) -> None:
    assert _kept(row(1, "nuevo"), filters) is kept


def test_counts_and_averages() -> None:
    rows = [
        row(1, "nuevo"),
        row(2, "en_proceso", first_reply=T0 + dt.timedelta(minutes=10)),
        row(
            3,
            "resuelto",
            None,
            "whatsapp",
            first_reply=T0 + dt.timedelta(minutes=30),
            closed_at=T0 + dt.timedelta(hours=3),
        ),
        row(4, "en_proceso", created_at=T0 - dt.timedelta(hours=10)),  # 23:00 of the day before, in Buenos Aires
    ]
    stats = aggregate(rows, BA)
    assert stats.total == 4
    assert stats.by_estado == {"nuevo": 1, "en_proceso": 2, "resuelto": 1}
    assert stats.by_categoria == {"Alumbrado": 3, "Sin categoría": 1}
    assert stats.by_channel == {"Web": 3, "WhatsApp": 1}
    assert stats.by_day == {"2026-12-06": 1, "2026-12-07": 3}
    assert stats.first_response_minutes == 20.0 and stats.answered == 2
    assert stats.resolution_hours == 3.0 and stats.resolved == 1


def test_the_heat_map_has_open_tickets_with_coordinates_only() -> None:
    rows = [
        row(1, "nuevo", latitud=-32.9, longitud=-68.8, prioridad="urgente"),
        row(2, "resuelto", latitud=-32.8, longitud=-68.7),
        row(3, "en_proceso"),
    ]
    points = heatmap_wire(rows, BA)
    assert [(p["ticket"], p["weight"], p["estado"]) for p in points] == [("1", 2, "nuevo")]
