"""Business hours in Spanish (es-AR): the weekly description, day labels and the "closed" message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ventanilla.entities.hours_model import (
    _MIDNIGHT,
    DAY_NAMES,
    Schedule,
    TimeRange,
    _localize,
    next_opening,
    open_days,
)

_DAY_PLURALS = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábados", "Domingos")
_MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def days_label(s: Schedule) -> str:
    """Spanish label of the configured days, e.g. "Lunes a Viernes"."""
    return _days_label(open_days(s))


def describe(s: Schedule, now: dt.datetime) -> str:
    """Spanish sentence describing the weekly hours (and today's holiday, if any)."""
    _, local_day, _ = _localize(s, now)
    if not s.enabled:
        return "La atención en vivo está desactivada."
    groups: dict[tuple[TimeRange, ...], list[int]] = {}
    for index, ranges in enumerate(s.weekly):
        if ranges:
            groups.setdefault(ranges, []).append(index)
    if not groups:
        return "No hay horarios de atención en vivo configurados."
    parts = [f"{_days_phrase(days)} {_ranges_phrase(ranges)}" for ranges, days in groups.items()]
    text = f"Atención en vivo {_join(parts)} ({_zone_label(s.timezone)})."
    if local_day in s.closed_dates and s.weekly[local_day.weekday()]:
        text += " Hoy es feriado: no hay atención en vivo."
    return text


def closed_message(s: Schedule, now: dt.datetime) -> str:
    """Spanish message for visitors when nobody is attending, with the next opening."""
    text = "Ahora no hay representantes disponibles."
    opening = next_opening(s, now)
    if opening is None:
        return text
    _, today, _ = _localize(s, now)
    day = opening.date()
    if day == today:
        when = "hoy"
    elif day == today + dt.timedelta(days=1):
        when = "mañana"
    else:
        when = f"el {DAY_NAMES[day.weekday()].lower()} {day.day} de {_MONTH_NAMES[day.month - 1]}"
    article = "a la" if opening.hour == 1 else "a las"
    # The visitor may be elsewhere (the browser compares hours in its own zone): the time names the entity's zone.
    return f"{text} Volvemos a atender {when} {article} {_clock(opening.time())} ({_zone_label(s.timezone)})."


def _clock(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _runs(days: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} y {parts[-1]}"


def _days_label(days: Sequence[int]) -> str:
    if not days:
        return "Ningún día"
    if len(set(days)) == 7:
        return "Todos los días"
    items: list[str] = []
    for first, last in _runs(days):
        if last - first >= 2:
            items.append(f"{DAY_NAMES[first]} a {DAY_NAMES[last]}")
        else:
            items.extend(DAY_NAMES[day] for day in range(first, last + 1))
    return _join(items)


def _days_phrase(days: Sequence[int]) -> str:
    """Days as they read inside a sentence: "de Lunes a Viernes", "los Sábados y Domingos"."""
    if len(set(days)) == 7:
        return "todos los días"
    items: list[str] = []
    previous_single = False
    for first, last in _runs(days):
        if last - first >= 2:
            items.append(f"de {DAY_NAMES[first]} a {DAY_NAMES[last]}")
            previous_single = False
            continue
        for day in range(first, last + 1):
            items.append(_DAY_PLURALS[day] if previous_single else f"los {_DAY_PLURALS[day]}")
            previous_single = True
    return _join(items)


def _ranges_phrase(ranges: Sequence[TimeRange]) -> str:
    end_labels = ("24:00" if r.end == _MIDNIGHT else _clock(r.end) for r in ranges)
    return _join([f"de {_clock(r.start)} a {end}" for r, end in zip(ranges, end_labels, strict=True)])


def _zone_label(name: str) -> str:
    if name.startswith("America/Argentina/") or name == "America/Buenos_Aires":
        return "hora de Argentina"
    if name in ("UTC", "Etc/UTC", "Etc/GMT", "GMT"):
        return "hora UTC"
    return f"hora de {name.rsplit('/', 1)[-1].replace('_', ' ')}"
