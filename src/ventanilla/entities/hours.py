"""Live-chat business hours: weekly schedules, holidays and Spanish (es-AR) wording.

Pure functions only: every time-dependent function receives an aware ``now``.

Conventions:
- A ``TimeRange`` whose ``end <= start`` crosses midnight and ends on the next day;
  ``end == 00:00`` means "until midnight" and ``00:00-00:00`` is the whole day.
- A range that crosses midnight belongs to the day it STARTS on: a closed date blocks
  the ranges starting that day (including their after-midnight part) but not the
  after-midnight part of the previous day's range.
- Look-ahead is limited to ``HORIZON`` (14 days).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_TIMEZONE",
    "HORIZON",
    "HoursError",
    "Schedule",
    "TimeRange",
    "closed_message",
    "current_close",
    "days_label",
    "default_schedule",
    "describe",
    "horario_payload",
    "is_open",
    "next_opening",
    "open_days",
    "parse_cli",
    "parse_frontend",
    "parse_json",
    "schedule_payload",
    "to_frontend",
    "to_json",
    "today_hours",
    "utcnow",
]

DEFAULT_TIMEZONE = "America/Argentina/Buenos_Aires"
HORIZON = dt.timedelta(days=14)

DAY_NAMES = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")
_DAY_PLURALS = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábados", "Domingos")
_JSON_DAY_KEYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
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

_MIDNIGHT = dt.time(0, 0)
_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_JSON_KEYS = frozenset({"timezone", "enabled", "days", "closed_dates"})
_JSON_RANGE_KEYS = frozenset({"start", "end", "overnight"})


class HoursError(ValueError):
    """Malformed schedule input; the message is meant for end users (es-AR)."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Opening hours within a day; ``end <= start`` means it closes on the next day."""

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if not isinstance(value, dt.time):
                raise HoursError("Los horarios deben ser horas del día (por ejemplo 09:00).")
            if value.tzinfo is not None or value.second or value.microsecond:
                raise HoursError("Los horarios se indican solo con horas y minutos, sin zona horaria.")
        if self.start == self.end and self.start != _MIDNIGHT:
            raise HoursError(
                f"El horario {_hhmm(self.start)} a {_hhmm(self.end)} no es válido: "
                "la apertura y el cierre no pueden ser iguales."
            )

    @property
    def crosses_midnight(self) -> bool:
        """True when the range ends on the following day (or exactly at midnight)."""
        return self.end <= self.start

    def minutes(self) -> tuple[int, int]:
        """Start and end as minutes from the start of its day; end may exceed 1440."""
        start = _to_minutes(self.start)
        end = _to_minutes(self.end)
        return start, end + _DAY_MINUTES if self.crosses_midnight else end


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly live-chat hours (Monday=0) in an IANA time zone, with closed dates."""

    weekly: tuple[tuple[TimeRange, ...], ...]
    timezone: str = DEFAULT_TIMEZONE
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)
    enabled: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekly", _validate_weekly(self.weekly))
        _zone(self.timezone)
        object.__setattr__(self, "closed_dates", _validate_dates(self.closed_dates))
        if not isinstance(self.enabled, bool):
            raise HoursError("El campo «enabled» debe ser verdadero o falso.")


def utcnow() -> dt.datetime:
    """Current aware UTC time; the only place that reads the clock."""
    return dt.datetime.now(dt.UTC)


def default_schedule() -> Schedule:
    """Monday to Friday, 09:00 to 17:00, Buenos Aires time."""
    office = (TimeRange(dt.time(9), dt.time(17)),)
    return Schedule(weekly=(office,) * 5 + ((), ()))


# --- Queries -----------------------------------------------------------------------------------


def always_open(tz: str = DEFAULT_TIMEZONE) -> Schedule:
    """Every day, all day (`ventanilla demo --always-open`)."""
    return parse_cli("todos", ["00:00-24:00"], tz)


def is_open(s: Schedule, now: dt.datetime) -> bool:
    """Whether live chat is attended at ``now``."""
    return _containing(s, now) is not None


def next_opening(s: Schedule, now: dt.datetime) -> dt.datetime | None:
    """Start of the next opening strictly after ``now`` within 14 days, in the entity tz."""
    now_utc, local_day, zone = _localize(s, now)
    for start, _ in _spans(s, local_day - dt.timedelta(days=1), local_day + HORIZON):
        if now_utc < start <= now_utc + HORIZON:
            return start.astimezone(zone)
    return None


def current_close(s: Schedule, now: dt.datetime) -> dt.datetime | None:
    """When the current opening ends (adjacent ranges merged); None when closed or open beyond 14 days."""
    span = _containing(s, now)
    if span is None:
        return None
    now_utc = now.astimezone(dt.UTC)
    if span[1] - now_utc > HORIZON:
        return None
    return span[1].astimezone(_zone(s.timezone))


def today_hours(s: Schedule, now: dt.datetime) -> tuple[int, int] | None:
    """Whole hours (0–24) of today's first opening and last closing in the entity tz."""
    _, local_day, _ = _localize(s, now)
    ranges = _ranges_on(s, local_day)
    return _hour_bounds(ranges) if ranges else None


def open_days(s: Schedule) -> list[int]:
    """Weekdays (0=Monday) with at least one configured range, regardless of ``enabled``."""
    return [index for index, ranges in enumerate(s.weekly) if ranges]


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
    return f"{text} Volvemos a atender {when} {article} {_clock(opening.time())}."


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


# --- Parsing and serialising -------------------------------------------------------------------


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


# --- Internals ---------------------------------------------------------------------------------


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name.strip():
        raise HoursError("Falta la zona horaria (por ejemplo America/Argentina/Buenos_Aires).")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise HoursError(
            f"La zona horaria «{name}» no existe; usá un nombre IANA como America/Argentina/Buenos_Aires."
        ) from None


def _localize(s: Schedule, now: dt.datetime) -> tuple[dt.datetime, dt.date, ZoneInfo]:
    if not isinstance(now, dt.datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise HoursError("La fecha y hora de referencia debe incluir la zona horaria.")
    zone = _zone(s.timezone)
    return now.astimezone(dt.UTC), now.astimezone(zone).date(), zone


def _ranges_on(s: Schedule, day: dt.date) -> tuple[TimeRange, ...]:
    if not s.enabled or day in s.closed_dates:
        return ()
    return s.weekly[day.weekday()]


def _spans(s: Schedule, first: dt.date, last: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Merged UTC opening spans for the ranges starting on ``first``..``last`` (local dates)."""
    zone = _zone(s.timezone)
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    day = first
    while day <= last:
        for time_range in _ranges_on(s, day):
            end_day = day + dt.timedelta(days=1) if time_range.crosses_midnight else day
            # Aware datetimes sharing a tzinfo compare by wall clock, so compare in UTC.
            start = dt.datetime.combine(day, time_range.start, tzinfo=zone).astimezone(dt.UTC)
            end = dt.datetime.combine(end_day, time_range.end, tzinfo=zone).astimezone(dt.UTC)
            if end > start:
                spans.append((start, end))
        day += dt.timedelta(days=1)
    spans.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _containing(s: Schedule, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    now_utc, local_day, _ = _localize(s, now)
    # Extra days on both sides let adjacent ranges merge into one span.
    for start, end in _spans(s, local_day - dt.timedelta(days=1), local_day + HORIZON + dt.timedelta(days=1)):
        if start <= now_utc < end:
            return start, end
    return None


def _hour_bounds(ranges: tuple[TimeRange, ...]) -> tuple[int, int]:
    last = ranges[-1]
    end_hour = 24 if last.crosses_midnight else last.end.hour + (1 if last.end.minute else 0)
    return ranges[0].start.hour, end_hour


def _to_minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def _from_minutes(minutes: int) -> dt.time:
    return dt.time((minutes // 60) % 24, minutes % 60)


def _hhmm(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _end_hhmm(time_range: TimeRange) -> str:
    return "24:00" if time_range.end == _MIDNIGHT else _hhmm(time_range.end)


def _clock(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _day_index(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        index = _DAY_ALIASES.get(_normalize(value))
        if index is not None:
            return index
    raise HoursError(f"«{value}» no es un día de la semana válido (usá de lunes a domingo).")


def _check_day_count(count: int) -> None:
    if count > 7:
        raise HoursError("El horario semanal tiene más de 7 días.")
    if count < 7:
        raise HoursError("Faltan días en el horario: se esperan los 7 días, de lunes a domingo.")


def _validate_weekly(weekly: object) -> tuple[tuple[TimeRange, ...], ...]:
    if not isinstance(weekly, Sequence) or isinstance(weekly, str | bytes):
        raise HoursError("El horario semanal debe ser una lista de 7 días, de lunes a domingo.")
    _check_day_count(len(weekly))
    normalized: list[tuple[TimeRange, ...]] = []
    for index, ranges in enumerate(weekly):
        if not isinstance(ranges, Iterable) or isinstance(ranges, str | bytes):
            raise HoursError(f"{DAY_NAMES[index]}: los horarios deben ser una lista de rangos.")
        day = tuple(ranges)
        if not all(isinstance(item, TimeRange) for item in day):
            raise HoursError(f"{DAY_NAMES[index]}: los horarios deben ser rangos de apertura y cierre.")
        normalized.append(tuple(sorted(day, key=lambda item: (item.start, item.end))))
    _check_overlaps(normalized)
    return tuple(normalized)


def _check_overlaps(weekly: Sequence[tuple[TimeRange, ...]]) -> None:
    spans: list[tuple[int, int, int, TimeRange]] = []
    for index, ranges in enumerate(weekly):
        for time_range in ranges:
            start, end = time_range.minutes()
            base = index * _DAY_MINUTES
            spans.append((base + start, base + end, index, time_range))
            if base + end > _WEEK_MINUTES:
                # Sunday's overnight range runs into Monday morning.
                spans.append((base + start - _WEEK_MINUTES, base + end - _WEEK_MINUTES, index, time_range))
    spans.sort(key=lambda span: (span[0], span[1]))
    for previous, current in pairwise(spans):
        if current[0] < previous[1]:
            first, second = _range_text(previous[3]), _range_text(current[3])
            if previous[2] == current[2]:
                raise HoursError(f"{DAY_NAMES[current[2]]}: los horarios {first} y {second} se superponen.")
            raise HoursError(
                f"El horario del {DAY_NAMES[previous[2]].lower()} ({first}) se superpone con el del "
                f"{DAY_NAMES[current[2]].lower()} ({second})."
            )


def _range_text(time_range: TimeRange) -> str:
    return f"{_hhmm(time_range.start)} a {_end_hhmm(time_range)}"


def _validate_dates(values: object) -> frozenset[dt.date]:
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        raise HoursError("Las fechas sin atención deben ser una lista de fechas.")
    dates = frozenset(values)
    for value in dates:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise HoursError(f"«{value}» no es una fecha válida para un día sin atención.")
    return dates


def _parse_date(value: object) -> dt.date:
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise HoursError(f"«{value}» no es una fecha válida; usá el formato AAAA-MM-DD (por ejemplo 2026-12-25).")


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
