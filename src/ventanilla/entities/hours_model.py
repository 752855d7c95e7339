"""Live-chat business hours: the schedule types, their validation and the time arithmetic.

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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "America/Argentina/Buenos_Aires"
HORIZON = dt.timedelta(days=14)
DAY_NAMES = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MIDNIGHT = dt.time(0, 0)
_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES


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


def is_open(s: Schedule, now: dt.datetime) -> bool:
    """Whether live chat is attended at ``now``."""
    if not isinstance(now, dt.datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise HoursError("La fecha y hora de referencia debe incluir la zona horaria.")
    now_utc = now.astimezone(dt.UTC)
    known = _STEADY.get(s)
    if known is not None and known[0] <= now_utc < known[1]:
        return known[2]
    since, until, found = _steady_at(s, now)
    if len(_STEADY) >= _STEADY_MAX:
        _STEADY.clear()
    _STEADY[s] = (since, until, found)
    return found


# Every bot turn asks whether live chat is open: 16 days of spans computed for one answer showed in profiles. The
# answer holds until the current span ends (open) or the next one starts (closed); a changed schedule is another key.
_STEADY: dict[Schedule, tuple[dt.datetime, dt.datetime, bool]] = {}
_STEADY_MAX = 1024


def _steady_at(s: Schedule, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, bool]:
    """Whether the schedule is open at ``now`` and a UTC interval around it where that answer holds (possibly
    shorter than the real one: never longer)."""
    now_utc, local_day, _ = _localize(s, now)
    since, until = now_utc, now_utc + HORIZON
    for start, end in _spans(s, local_day - dt.timedelta(days=1), local_day + HORIZON + dt.timedelta(days=1)):
        if start <= now_utc < end:
            return start, end, True
        if end <= now_utc:
            since = end  # spans are sorted and disjoint: the last one before now ends latest
        else:
            until = min(until, start)
            break
    return since, until, False


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
