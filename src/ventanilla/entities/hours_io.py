"""Business hours on the wire: the admin page's array, the stored JSON, the CLI spec, and the response payloads."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ventanilla.entities.hours_model import (
    _DAY_MINUTES,
    _MIDNIGHT,
    DAY_NAMES,
    DEFAULT_TIMEZONE,
    HORIZON,
    HoursError,
    Schedule,
    TimeRange,
    _check_day_count,
    _end_hhmm,
    _from_minutes,
    _hhmm,
    _hour_bounds,
    _localize,
    _parse_date,
    _ranges_on,
    _validate_weekly,
    is_open,
    open_days,
)
from ventanilla.entities.hours_text import days_label, describe
from ventanilla.text import fold

_JSON_DAY_KEYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
_DAY_ALIASES: dict[str, int] = {}
for _index, _aliases in enumerate(
    (
        ("lunes", "lun", "monday", "mon"),
        ("martes", "mar", "tuesday", "tue", "tues"),
        ("miercoles", "mie", "mier", "wednesday", "wed"),
        ("jueves", "jue", "thursday", "thu", "thur", "thurs"),
        ("viernes", "vie", "friday", "fri"),
        ("sabado", "sab", "saturday", "sat"),
        ("domingo", "dom", "sunday", "sun"),
    )
):
    _DAY_ALIASES[str(_index)] = _index
    for _alias in _aliases:
        _DAY_ALIASES[_alias] = _index


_ALL_DAYS_WORDS = frozenset({"todos", "todos los dias", "todoslosdias", "todos-los-dias", "all", "*"})
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_JSON_KEYS = frozenset({"timezone", "enabled", "days", "closed_dates"})
_JSON_RANGE_KEYS = frozenset({"start", "end", "overnight"})


def always_open(tz: str = DEFAULT_TIMEZONE) -> Schedule:
    """Every day, all day (`ventanilla demo --always-open`)."""
    return parse_cli("todos", ["00:00-24:00"], tz)


def schedule_payload(s: Schedule, now: dt.datetime) -> dict[str, Any]:
    """Body of ``GET /live-chat/schedule``; start/end are today's (entity tz) or None."""
    _, local_day, _ = _localize(s, now)
    ranges = _ranges_on(s, local_day)
    return {
        "enabled": s.enabled,
        "available": is_open(s, now),
        "description": describe(s, now),
        "days": days_label(s),
        "start_time": _hhmm(ranges[0].start) if ranges else None,
        "end_time": _end_hhmm(ranges[-1]) if ranges else None,
        "timezone": s.timezone,
    }


def horario_payload(s: Schedule, now: dt.datetime) -> dict[str, Any]:
    """/perfil ``horario``: today's (else next open day's, else 0/0) whole hours, ignoring ``enabled``."""
    configured = replace(s, enabled=True)
    _, local_day, _ = _localize(s, now)
    bounds = (0, 0)
    for offset in range(HORIZON.days + 1):
        ranges = _ranges_on(configured, local_day + dt.timedelta(days=offset))
        if ranges:
            bounds = _hour_bounds(ranges)
            break
    else:
        # Every day in the horizon is a closed date: fall back to the weekly template.
        weekly = [ranges for ranges in s.weekly if ranges]
        if weekly:
            bounds = _hour_bounds(weekly[0])
    return {
        "start_hour": bounds[0],
        "end_hour": bounds[1],
        "days": open_days(s),
        "dias": days_label(s),
        "timezone": s.timezone,
    }


def parse_frontend(horario_json: str | Sequence[Mapping[str, Any]]) -> tuple[tuple[TimeRange, ...], ...]:
    """Weekly ranges from the admin page's 7-day array; ``cierra`` < ``abre`` crosses midnight."""
    items: object = horario_json
    if isinstance(horario_json, str | bytes):
        try:
            items = json.loads(horario_json)
        except ValueError:
            raise HoursError("El horario enviado no es un JSON válido.") from None
    if not isinstance(items, list | tuple):
        raise HoursError("El horario debe ser una lista con los 7 días de la semana.")
    _check_day_count(len(items))
    weekly: dict[int, tuple[TimeRange, ...]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise HoursError("Cada día del horario debe tener «dia», «abre», «cierra» y «cerrado».")
        name = item.get("dia")
        index = _day_index(name) if name not in (None, "") else position
        if index in weekly:
            raise HoursError(f"El día {DAY_NAMES[index]} está repetido en el horario.")
        weekly[index] = _frontend_day(item, DAY_NAMES[index])
    return _validate_weekly(tuple(weekly[index] for index in range(7)))


def to_frontend(s: Schedule) -> list[dict[str, Any]]:
    """The admin page's 7-day array; several ranges collapse to first start and last end."""
    days: list[dict[str, Any]] = []
    for index, ranges in enumerate(s.weekly):
        if not ranges:
            days.append({"dia": DAY_NAMES[index], "abre": "", "cierra": "", "cerrado": True})
            continue
        first, last = ranges[0], ranges[-1]
        whole_day = len(ranges) == 1 and first.start == first.end
        closes = "24:00" if whole_day else _hhmm(last.end)
        days.append({"dia": DAY_NAMES[index], "abre": _hhmm(first.start), "cierra": closes, "cerrado": False})
    return days


def parse_json(data: Mapping[str, Any]) -> Schedule:
    """Schedule from the JSON API shape; ``end < start`` requires ``"overnight": true``."""
    if not isinstance(data, Mapping):
        raise HoursError("El horario debe ser un objeto JSON.")
    unknown = sorted(str(key) for key in data if key not in _JSON_KEYS)
    if unknown:
        raise HoursError(f"Campos desconocidos en el horario: {', '.join(unknown)}.")
    timezone = data.get("timezone", DEFAULT_TIMEZONE)
    if not isinstance(timezone, str):
        raise HoursError("La zona horaria debe ser un texto, por ejemplo America/Argentina/Buenos_Aires.")
    days = data.get("days", {})
    if not isinstance(days, Mapping):
        raise HoursError("El campo «days» debe ser un objeto con los días de la semana.")
    if len(days) > 7:
        raise HoursError("El horario semanal tiene más de 7 días.")
    weekly: dict[int, tuple[TimeRange, ...]] = {}
    for key, value in days.items():
        index = _day_index(key)
        if index in weekly:
            raise HoursError(f"El día {DAY_NAMES[index]} está repetido en el horario.")
        weekly[index] = _json_day(value, DAY_NAMES[index])
    closed = data.get("closed_dates", [])
    if not isinstance(closed, list | tuple):
        raise HoursError("El campo «closed_dates» debe ser una lista de fechas AAAA-MM-DD.")
    return Schedule(
        weekly=tuple(weekly.get(index, ()) for index in range(7)),
        timezone=timezone,
        closed_dates=frozenset(_parse_date(value) for value in closed),
        enabled=data.get("enabled", True),
    )


def to_json(s: Schedule) -> dict[str, Any]:
    """Inverse of ``parse_json``: ASCII Spanish day keys, "HH:MM" times, sorted ISO dates."""
    return {
        "timezone": s.timezone,
        "enabled": s.enabled,
        "days": {
            _JSON_DAY_KEYS[index]: [_range_json(time_range) for time_range in ranges]
            for index, ranges in enumerate(s.weekly)
        },
        "closed_dates": sorted(day.isoformat() for day in s.closed_dates),
    }


def parse_cli(days: str, ranges: Sequence[str], tz: str = DEFAULT_TIMEZONE, closed: Sequence[str] = ()) -> Schedule:
    """Schedule from CLI options: ``--days lun-vie --range 09:00-13:00 --tz ... --closed 2026-12-25``."""
    selected = _parse_days_spec(days)
    if isinstance(ranges, str) or not ranges:
        raise HoursError("Indicá al menos un rango horario, por ejemplo --range 09:00-17:00.")
    parsed = tuple(_cli_range(text) for text in ranges)
    weekly = tuple(parsed if index in selected else () for index in range(7))
    if isinstance(closed, str):
        closed = [closed]
    return Schedule(weekly=weekly, timezone=tz, closed_dates=frozenset(_parse_date(d) for d in closed))


def _normalize(text: str) -> str:
    return fold(text.strip())


def _day_index(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        index = _DAY_ALIASES.get(_normalize(value))
        if index is not None:
            return index
    raise HoursError(f"«{value}» no es un día de la semana válido (usá de lunes a domingo).")


def _parse_minutes(value: object, what: str, *, allow_24: bool) -> int:
    """Minutes since midnight of an "HH:MM" 24-hour string; "24:00" gives 1440 when allowed."""
    if not isinstance(value, str):
        raise HoursError(f"{what}: se esperaba una hora con formato HH:MM (por ejemplo 09:00).")
    match = _TIME_RE.fullmatch(value.strip())
    if match is None:
        raise HoursError(f"{what}: «{value}» no es una hora válida; usá el formato 24 h HH:MM (ej. 09:00).")
    hour, minute = int(match[1]), int(match[2])
    if minute > 59:
        raise HoursError(f"{what}: «{value}» tiene minutos inválidos (van de 00 a 59).")
    if allow_24 and hour == 24 and minute == 0:
        return _DAY_MINUTES
    if hour > 23:
        raise HoursError(f"{what}: «{value}» tiene una hora inválida (van de 00 a 23).")
    return hour * 60 + minute


def _make_range(start: int, end: int, what: str, *, overnight: bool | None) -> TimeRange:
    """Build a range; ``overnight=None`` lets ``end < start`` cross midnight implicitly."""
    if start == end:
        raise HoursError(f"{what}: la hora de apertura y la de cierre no pueden ser iguales.")
    if end < start and overnight is False:
        raise HoursError(
            f"{what}: la hora de cierre es anterior a la de apertura; "
            'si el horario pasa la medianoche, marcalo con "overnight": true.'
        )
    if overnight is True and start < end < _DAY_MINUTES:
        raise HoursError(f"{what}: el rango está marcado como nocturno pero cierra el mismo día.")
    return TimeRange(_from_minutes(start), _from_minutes(end))


def _frontend_day(item: Mapping[str, Any], day: str) -> tuple[TimeRange, ...]:
    closed = item.get("cerrado", False)
    if not isinstance(closed, bool):
        raise HoursError(f"{day}: el campo «cerrado» debe ser verdadero o falso.")
    opens, closes = item.get("abre", ""), item.get("cierra", "")
    if closed or (opens in ("", None) and closes in ("", None)):
        return ()
    if opens in ("", None):
        raise HoursError(f"{day}: falta la hora de apertura.")
    if closes in ("", None):
        raise HoursError(f"{day}: falta la hora de cierre.")
    start = _parse_minutes(opens, f"{day}, apertura", allow_24=False)
    end = _parse_minutes(closes, f"{day}, cierre", allow_24=True)
    return (_make_range(start, end, day, overnight=None),)


def _json_day(value: object, day: str) -> tuple[TimeRange, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise HoursError(f"{day}: los horarios deben ser una lista de rangos con «start» y «end».")
    ranges: list[TimeRange] = []
    for item in value:
        if not isinstance(item, Mapping) or "start" not in item or "end" not in item:
            raise HoursError(f"{day}: cada rango debe tener «start» y «end» (por ejemplo 09:00 y 17:00).")
        unknown = sorted(str(key) for key in item if key not in _JSON_RANGE_KEYS)
        if unknown:
            raise HoursError(f"{day}: campos desconocidos en el rango: {', '.join(unknown)}.")
        overnight = item.get("overnight", False)
        if not isinstance(overnight, bool):
            raise HoursError(f"{day}: el campo «overnight» debe ser verdadero o falso.")
        start = _parse_minutes(item["start"], f"{day}, apertura", allow_24=False)
        end = _parse_minutes(item["end"], f"{day}, cierre", allow_24=True)
        ranges.append(_make_range(start, end, day, overnight=overnight))
    return tuple(ranges)


def _range_json(time_range: TimeRange) -> dict[str, Any]:
    data: dict[str, Any] = {"start": _hhmm(time_range.start), "end": _end_hhmm(time_range)}
    if time_range.end != _MIDNIGHT and time_range.end < time_range.start:
        data["overnight"] = True
    return data


def _parse_days_spec(spec: str) -> set[int]:
    if not isinstance(spec, str) or not spec.strip():
        raise HoursError("Indicá los días, por ejemplo lun-vie, lun,mie,vie o todos.")
    text = _normalize(spec)
    if text in _ALL_DAYS_WORDS:
        return set(range(7))
    selected: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        start = _day_index(first)
        if not dash:
            selected.add(start)
            continue
        end = _day_index(last)
        # "vie-lun" wraps over the weekend.
        selected.update((start + offset) % 7 for offset in range((end - start) % 7 + 1))
    return selected


def _cli_range(text: str) -> TimeRange:
    what = f"Rango «{text}»"
    if not isinstance(text, str) or text.count("-") != 1:
        raise HoursError(f"{what}: usá el formato HH:MM-HH:MM (por ejemplo 09:00-17:00).")
    opens, closes = text.split("-")
    start = _parse_minutes(opens, what, allow_24=False)
    end = _parse_minutes(closes, what, allow_24=True)
    return _make_range(start, end, what, overnight=None)
