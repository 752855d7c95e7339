"""Tests for live-chat business hours (pure functions, injected clocks)."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ventanilla.entities.hours import (
    HoursError,
    Schedule,
    TimeRange,
    closed_message,
    current_close,
    days_label,
    default_schedule,
    describe,
    horario_payload,
    is_open,
    next_opening,
    open_days,
    parse_cli,
    parse_frontend,
    parse_json,
    schedule_payload,
    to_frontend,
    to_json,
    today_hours,
    utcnow,
)

BA = ZoneInfo("America/Argentina/Buenos_Aires")
MADRID = ZoneInfo("Europe/Madrid")


def t(text: str) -> dt.time:
    """Time from "HH:MM"."""
    return dt.time.fromisoformat(text)


def r(start: str, end: str) -> TimeRange:
    """TimeRange from two "HH:MM" strings."""
    return TimeRange(t(start), t(end))


def utc(text: str) -> dt.datetime:
    """Aware UTC datetime from "YYYY-MM-DD HH:MM"."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def ba(text: str) -> dt.datetime:
    """Aware Buenos Aires datetime from "YYYY-MM-DD HH:MM"."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BA)


def week(**days: tuple[TimeRange, ...]) -> tuple[tuple[TimeRange, ...], ...]:
    """Weekly tuple from keyword days mon..sun; missing days are closed."""
    keys = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return tuple(days.get(key, ()) for key in keys)


FRIDAY_NIGHT = week(fri=(r("22:00", "02:00"),))
SPLIT = week(**{key: (r("09:00", "13:00"), r("16:00", "20:00")) for key in ("mon", "tue", "wed", "thu", "fri")})
ALWAYS = tuple((r("00:00", "00:00"),) for _ in range(7))


# --- is_open -----------------------------------------------------------------------------------


# 2026-11-25 is a Wednesday; Buenos Aires is UTC−3 all year.
@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        (default_schedule(), utc("2026-11-25 12:30"), True),  # 09:30 local
        (default_schedule(), utc("2026-11-25 11:59"), False),  # 08:59 local
        (default_schedule(), utc("2026-11-25 12:00"), True),  # opening instant is inclusive
        (default_schedule(), utc("2026-11-25 19:59"), True),
        (default_schedule(), utc("2026-11-25 20:00"), False),  # closing instant is exclusive
        (default_schedule(), utc("2026-11-28 15:00"), False),  # Saturday
        (default_schedule(), ba("2026-11-25 09:30").astimezone(MADRID), True),  # any input tz
        (Schedule(default_schedule().weekly, closed_dates=frozenset({dt.date(2026, 11, 25)})),
         utc("2026-11-25 12:30"), False),  # holiday
        (Schedule(default_schedule().weekly, enabled=False), utc("2026-11-25 12:30"), False),
        (Schedule(default_schedule().weekly, timezone="UTC"), utc("2026-11-25 09:30"), True),
        (Schedule(default_schedule().weekly, timezone="UTC"), utc("2026-11-25 18:30"), False),
        (Schedule(SPLIT), ba("2026-11-25 10:00"), True),
        (Schedule(SPLIT), ba("2026-11-25 14:00"), False),
        (Schedule(SPLIT), ba("2026-11-25 16:00"), True),
        (Schedule(SPLIT), ba("2026-11-25 20:00"), False),
        (Schedule(ALWAYS), ba("2026-11-29 03:00"), True),
        (Schedule(week(wed=(r("20:00", "00:00"),))), ba("2026-11-25 23:59"), True),
        (Schedule(week(wed=(r("20:00", "00:00"),))), ba("2026-11-26 00:00"), False),
    ],
)  # fmt: skip
def test_is_open(schedule: Schedule, now: dt.datetime, expected: bool) -> None:
    assert is_open(schedule, now) is expected


# 2026-11-27 is a Friday, 2026-11-28 a Saturday.
@pytest.mark.parametrize(
    ("closed", "now", "expected"),
    [
        ((), ba("2026-11-27 21:59"), False),
        ((), ba("2026-11-27 22:00"), True),
        ((), ba("2026-11-28 01:30"), True),
        ((), utc("2026-11-28 04:30"), True),  # the same instant, 01:30 local
        ((), ba("2026-11-28 02:00"), False),
        ((), ba("2026-11-28 02:30"), False),
        ((), ba("2026-11-29 01:30"), False),  # Saturday has no range of its own
        ((dt.date(2026, 11, 27),), ba("2026-11-28 01:30"), False),  # Friday holiday blocks the whole range
        ((dt.date(2026, 11, 27),), ba("2026-11-27 23:00"), False),
        ((dt.date(2026, 11, 28),), ba("2026-11-28 01:30"), True),  # the range started on Friday
    ],
)
def test_overnight_range(closed: tuple[dt.date, ...], now: dt.datetime, expected: bool) -> None:
    schedule = Schedule(FRIDAY_NIGHT, closed_dates=frozenset(closed))
    assert is_open(schedule, now) is expected


def test_sunday_overnight_wraps_into_monday() -> None:
    schedule = Schedule(week(sun=(r("23:00", "03:00"),)))
    assert is_open(schedule, ba("2026-11-30 02:00"))  # Monday early morning
    assert current_close(schedule, ba("2026-11-30 02:00")) == ba("2026-11-30 03:00")


@pytest.mark.parametrize("func", [is_open, next_opening, current_close, today_hours, describe, closed_message])
def test_naive_now_is_rejected(func: Any) -> None:
    with pytest.raises(HoursError, match="zona horaria"):
        func(default_schedule(), dt.datetime(2026, 11, 25, 12, 30))


# --- next_opening / current_close --------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        (default_schedule(), ba("2026-11-25 08:00"), ba("2026-11-25 09:00")),
        (default_schedule(), ba("2026-11-25 10:00"), ba("2026-11-26 09:00")),  # open: the next one
        (default_schedule(), ba("2026-11-27 18:00"), ba("2026-11-30 09:00")),  # Friday → Monday
        (Schedule(default_schedule().weekly, closed_dates=frozenset({dt.date(2026, 11, 30)})),
         ba("2026-11-27 18:00"), ba("2026-12-01 09:00")),  # Monday holiday → Tuesday
        (Schedule(SPLIT), ba("2026-11-25 14:00"), ba("2026-11-25 16:00")),
        (Schedule(FRIDAY_NIGHT), ba("2026-11-28 03:00"), ba("2026-12-04 22:00")),
        (Schedule(default_schedule().weekly, enabled=False), ba("2026-11-25 08:00"), None),
        (Schedule(week()), ba("2026-11-25 08:00"), None),
        (Schedule(ALWAYS), ba("2026-11-25 08:00"), None),  # never closes, so never "opens"
        (Schedule(default_schedule().weekly,
                  closed_dates=frozenset(dt.date(2026, 11, 25) + dt.timedelta(days=n) for n in range(20))),
         ba("2026-11-25 08:00"), None),  # beyond the 14-day horizon
    ],
)  # fmt: skip
def test_next_opening(schedule: Schedule, now: dt.datetime, expected: dt.datetime | None) -> None:
    opening = next_opening(schedule, now)
    assert opening == expected
    if opening is not None:
        assert opening.tzinfo == ZoneInfo(schedule.timezone)


def test_next_opening_is_in_entity_timezone() -> None:
    schedule = Schedule(default_schedule().weekly, timezone="America/Argentina/Cordoba")
    opening = next_opening(schedule, utc("2026-11-25 00:00"))
    assert opening is not None
    assert (opening.hour, opening.minute, opening.utcoffset()) == (9, 0, dt.timedelta(hours=-3))
    assert str(opening.tzinfo) == "America/Argentina/Cordoba"


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        (default_schedule(), ba("2026-11-25 10:00"), ba("2026-11-25 17:00")),
        (default_schedule(), ba("2026-11-25 18:00"), None),
        (Schedule(SPLIT), ba("2026-11-25 10:00"), ba("2026-11-25 13:00")),
        (Schedule(SPLIT), ba("2026-11-25 17:00"), ba("2026-11-25 20:00")),
        (Schedule(week(wed=(r("09:00", "13:00"), r("13:00", "17:00")))),
         ba("2026-11-25 10:00"), ba("2026-11-25 17:00")),  # adjacent ranges merge
        (Schedule(week(wed=(r("20:00", "00:00"),), thu=(r("00:00", "03:00"),))),
         ba("2026-11-25 21:00"), ba("2026-11-26 03:00")),  # merges across midnight
        (Schedule(FRIDAY_NIGHT), ba("2026-11-27 23:00"), ba("2026-11-28 02:00")),
        (Schedule(FRIDAY_NIGHT), ba("2026-11-28 01:30"), ba("2026-11-28 02:00")),
        (Schedule(ALWAYS), ba("2026-11-25 10:00"), None),
    ],
)  # fmt: skip
def test_current_close(schedule: Schedule, now: dt.datetime, expected: dt.datetime | None) -> None:
    assert current_close(schedule, now) == expected


# --- DST (Europe/Madrid: 2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00) --------------------------

MADRID_OFFICE = Schedule(default_schedule().weekly, timezone="Europe/Madrid")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc("2026-03-27 08:30"), True),  # Friday 09:30 CET (UTC+1)
        (utc("2026-03-27 07:30"), False),  # 08:30 CET
        (utc("2026-03-30 07:30"), True),  # Monday 09:30 CEST (UTC+2)
        (utc("2026-03-30 06:30"), False),
        (utc("2026-03-30 14:59"), True),  # 16:59 CEST
        (utc("2026-03-30 15:00"), False),
        (utc("2026-10-26 08:00"), True),  # Monday 09:00 CET again
    ],
)
def test_dst_is_open(now: dt.datetime, expected: bool) -> None:
    assert is_open(MADRID_OFFICE, now) is expected


def test_dst_next_opening_uses_new_offset() -> None:
    opening = next_opening(MADRID_OFFICE, utc("2026-03-28 12:00"))
    assert opening is not None
    assert opening.astimezone(dt.UTC) == utc("2026-03-30 07:00")
    assert opening.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("saturday", "hours"),
    [("2026-03-28", 5), ("2026-10-24", 7), ("2026-11-07", 6)],  # spring forward, fall back, normal
)
def test_dst_overnight_duration(saturday: str, hours: int) -> None:
    schedule = Schedule(week(sat=(r("22:00", "04:00"),)), timezone="Europe/Madrid")
    opening = dt.datetime.fromisoformat(f"{saturday} 22:00").replace(tzinfo=MADRID)
    close = current_close(schedule, opening)
    assert close is not None
    assert close.astimezone(dt.UTC) - opening.astimezone(dt.UTC) == dt.timedelta(hours=hours)
    assert (close.hour, close.minute) == (4, 0)


# --- today_hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekly", "closed", "now", "expected"),
    [
        (default_schedule().weekly, (), ba("2026-11-25 03:00"), (9, 17)),
        (default_schedule().weekly, (), ba("2026-11-28 10:00"), None),  # Saturday
        (default_schedule().weekly, (dt.date(2026, 11, 25),), ba("2026-11-25 10:00"), None),
        (week(wed=(r("09:30", "17:30"),)), (), ba("2026-11-25 10:00"), (9, 18)),
        (week(wed=(r("08:00", "23:30"),)), (), ba("2026-11-25 10:00"), (8, 24)),
        (week(wed=(r("20:00", "00:00"),)), (), ba("2026-11-25 10:00"), (20, 24)),
        (week(wed=(r("22:00", "02:00"),)), (), ba("2026-11-25 10:00"), (22, 24)),
        (week(wed=(r("00:00", "00:00"),)), (), ba("2026-11-25 10:00"), (0, 24)),
        (SPLIT, (), ba("2026-11-25 10:00"), (9, 20)),
        (FRIDAY_NIGHT, (), ba("2026-11-28 01:00"), None),  # the spill-over is not "today"
        # 02:00Z Saturday is still Friday 23:00 in Buenos Aires.
        (week(fri=(r("10:00", "23:30"),)), (), utc("2026-11-28 02:00"), (10, 24)),
    ],
)
def test_today_hours(
    weekly: tuple[tuple[TimeRange, ...], ...],
    closed: tuple[dt.date, ...],
    now: dt.datetime,
    expected: tuple[int, int] | None,
) -> None:
    hours = today_hours(Schedule(weekly, closed_dates=frozenset(closed)), now)
    assert hours == expected
    if hours is not None:
        assert all(type(value) is int and 0 <= value <= 24 for value in hours)


# --- Labels and messages -----------------------------------------------------------------------


def every(*days: int) -> tuple[tuple[TimeRange, ...], ...]:
    """Weekly tuple open 09:00–17:00 on the given weekdays."""
    return tuple((r("09:00", "17:00"),) if index in days else () for index in range(7))


@pytest.mark.parametrize(
    ("days", "label"),
    [
        ((0, 1, 2, 3, 4), "Lunes a Viernes"),
        ((0, 1, 2, 3, 4, 5), "Lunes a Sábado"),
        ((0, 2, 4), "Lunes, Miércoles y Viernes"),
        (tuple(range(7)), "Todos los días"),
        ((5, 6), "Sábado y Domingo"),
        ((3,), "Jueves"),
        ((0, 1, 2, 3, 4, 6), "Lunes a Viernes y Domingo"),
        ((0, 1, 2, 4), "Lunes a Miércoles y Viernes"),
        ((), "Ningún día"),
    ],
)
def test_days_label(days: tuple[int, ...], label: str) -> None:
    schedule = Schedule(every(*days))
    assert open_days(schedule) == list(days)
    assert days_label(schedule) == label


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (default_schedule(), "Atención en vivo de Lunes a Viernes de 9:00 a 17:00 (hora de Argentina)."),
        (Schedule(SPLIT), "Atención en vivo de Lunes a Viernes de 9:00 a 13:00 y de 16:00 a 20:00 "
                          "(hora de Argentina)."),
        (Schedule(every(*range(7))), "Atención en vivo todos los días de 9:00 a 17:00 (hora de Argentina)."),
        (Schedule(every(0, 2, 4)), "Atención en vivo los Lunes, Miércoles y Viernes de 9:00 a 17:00 "
                                   "(hora de Argentina)."),
        (Schedule((*every(0, 1, 2, 3, 4)[:5], (r("10:00", "13:00"),), ())),
         "Atención en vivo de Lunes a Viernes de 9:00 a 17:00 y los Sábados de 10:00 a 13:00 "
         "(hora de Argentina)."),
        (Schedule(FRIDAY_NIGHT, timezone="Europe/Madrid"),
         "Atención en vivo los Viernes de 22:00 a 2:00 (hora de Madrid)."),
        (Schedule(ALWAYS, timezone="UTC"), "Atención en vivo todos los días de 0:00 a 24:00 (hora UTC)."),
        (Schedule(every(0), enabled=False), "La atención en vivo está desactivada."),
        (Schedule(week()), "No hay horarios de atención en vivo configurados."),
    ],
)  # fmt: skip
def test_describe(schedule: Schedule, text: str) -> None:
    assert describe(schedule, ba("2026-11-25 10:00")) == text


def test_describe_mentions_todays_holiday() -> None:
    schedule = Schedule(default_schedule().weekly, closed_dates=frozenset({dt.date(2026, 11, 25)}))
    assert describe(schedule, ba("2026-11-25 10:00")).endswith(" Hoy es feriado: no hay atención en vivo.")
    assert "feriado" not in describe(schedule, ba("2026-11-26 10:00"))


PREFIX = "Ahora no hay representantes disponibles."


@pytest.mark.parametrize(
    ("schedule", "now", "text"),
    [
        (default_schedule(), ba("2025-11-29 12:00"),
         f"{PREFIX} Volvemos a atender el lunes 1 de diciembre a las 9:00 (hora de Argentina)."),
        (default_schedule(), utc("2025-11-29 15:00"),
         f"{PREFIX} Volvemos a atender el lunes 1 de diciembre a las 9:00 (hora de Argentina)."),
        (default_schedule(), ba("2026-11-25 08:00"), f"{PREFIX} Volvemos a atender hoy a las 9:00 (hora de Argentina)."),
        (default_schedule(), ba("2026-11-25 18:00"), f"{PREFIX} Volvemos a atender mañana a las 9:00 (hora de Argentina)."),
        (default_schedule(), ba("2026-11-27 18:00"),
         f"{PREFIX} Volvemos a atender el lunes 30 de noviembre a las 9:00 (hora de Argentina)."),
        (Schedule(week(thu=(r("01:00", "05:00"),))), ba("2026-11-25 18:00"),
         f"{PREFIX} Volvemos a atender mañana a la 1:00 (hora de Argentina)."),
        (Schedule(every(0, 1, 2, 3, 4), closed_dates=frozenset({dt.date(2026, 12, 31), dt.date(2027, 1, 1)})),
         ba("2026-12-30 18:00"), f"{PREFIX} Volvemos a atender el lunes 4 de enero a las 9:00 (hora de Argentina)."),
        (Schedule(default_schedule().weekly, enabled=False), ba("2026-11-25 08:00"), PREFIX),
    ],
)  # fmt: skip
def test_closed_message(schedule: Schedule, now: dt.datetime, text: str) -> None:
    assert closed_message(schedule, now) == text


# --- Payloads ----------------------------------------------------------------------------------


def test_schedule_payload_open() -> None:
    payload = schedule_payload(default_schedule(), utc("2026-11-25 12:30"))
    assert payload == {
        "enabled": True,
        "available": True,
        "description": "Atención en vivo de Lunes a Viernes de 9:00 a 17:00 (hora de Argentina).",
        "days": "Lunes a Viernes",
        "start_time": "09:00",
        "end_time": "17:00",
        "timezone": "America/Argentina/Buenos_Aires",
    }
    json.dumps(payload)


@pytest.mark.parametrize(
    ("schedule", "now", "available", "start", "end"),
    [
        (default_schedule(), ba("2026-11-28 10:00"), False, None, None),  # Saturday
        (Schedule(SPLIT), ba("2026-11-25 14:00"), False, "09:00", "20:00"),
        (Schedule(week(wed=(r("20:00", "00:00"),))), ba("2026-11-25 21:00"), True, "20:00", "24:00"),
        (Schedule(week(wed=(r("22:00", "02:00"),))), ba("2026-11-25 23:00"), True, "22:00", "02:00"),
        (Schedule(default_schedule().weekly, enabled=False), ba("2026-11-25 10:00"), False, None, None),
    ],
)
def test_schedule_payload_times(
    schedule: Schedule, now: dt.datetime, available: bool, start: str | None, end: str | None
) -> None:
    payload = schedule_payload(schedule, now)
    assert (payload["available"], payload["start_time"], payload["end_time"]) == (available, start, end)
    assert payload["enabled"] is schedule.enabled


@pytest.mark.parametrize(
    ("schedule", "now", "hours"),
    [
        (default_schedule(), ba("2026-11-25 10:00"), (9, 17)),
        (Schedule((*every(0, 1, 2, 3, 4)[:5], (r("10:00", "13:30"),), ())), ba("2026-11-28 10:00"), (10, 14)),
        (Schedule((*every(0, 1, 2, 3, 4)[:5], (r("10:00", "13:30"),), ())), ba("2026-11-29 10:00"), (9, 17)),
        (Schedule(SPLIT, closed_dates=frozenset({dt.date(2026, 11, 25)})), ba("2026-11-25 10:00"), (9, 20)),
        (Schedule(default_schedule().weekly, enabled=False), ba("2026-11-25 10:00"), (9, 17)),
        (Schedule(week()), ba("2026-11-25 10:00"), (0, 0)),
        (Schedule(default_schedule().weekly,
                  closed_dates=frozenset(dt.date(2026, 11, 25) + dt.timedelta(days=n) for n in range(20))),
         ba("2026-11-25 10:00"), (9, 17)),
    ],
)  # fmt: skip
def test_horario_payload(schedule: Schedule, now: dt.datetime, hours: tuple[int, int]) -> None:
    payload = horario_payload(schedule, now)
    assert (payload["start_hour"], payload["end_hour"]) == hours
    assert type(payload["start_hour"]) is int and type(payload["end_hour"]) is int
    assert payload["days"] == open_days(schedule)
    assert payload["dias"] == days_label(schedule)
    assert payload["timezone"] == schedule.timezone
    decoded = json.loads(json.dumps(payload))
    assert isinstance(decoded["start_hour"], int) and isinstance(decoded["end_hour"], int)


# --- Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Schedule((*default_schedule().weekly, ())), "más de 7 días"),
        (lambda: Schedule(default_schedule().weekly[:6]), "Faltan días"),
        (lambda: Schedule(week(mon=(r("09:00", "13:00"), r("12:00", "18:00")))), "Lunes: .*se superponen"),
        (lambda: Schedule(week(mon=(r("09:00", "18:00"), r("10:00", "11:00")))), "se superponen"),
        (lambda: Schedule(week(mon=(r("22:00", "02:00"),), tue=(r("01:00", "05:00"),))), "del lunes.*martes"),
        (lambda: Schedule(week(sun=(r("22:00", "02:00"),), mon=(r("01:00", "05:00"),))), "domingo"),
        (lambda: Schedule(week(mon=(r("20:00", "00:00"), r("00:00", "01:00")))), None),  # fine: 00-01 + 20-24
        (lambda: Schedule(default_schedule().weekly, timezone="America/Narnia"), "zona horaria «America/Narnia»"),
        (lambda: Schedule(default_schedule().weekly, timezone=""), "zona horaria"),
        (lambda: Schedule(default_schedule().weekly, timezone="../etc/passwd"), "zona horaria"),
        (lambda: Schedule(default_schedule().weekly, closed_dates=frozenset({"2026-12-25"})), "fecha"),  # type: ignore[arg-type]
        (lambda: Schedule(default_schedule().weekly,
                          closed_dates=frozenset({dt.datetime(2026, 12, 25, tzinfo=dt.UTC)})), "fecha"),
        (lambda: Schedule(((t("09:00"),),) + ((),) * 6), "rangos"),  # type: ignore[arg-type]
        (lambda: r("09:00", "09:00"), "no pueden ser iguales"),
        (lambda: TimeRange(dt.time(9, 0, 30), t("17:00")), "horas y minutos"),
    ],
)  # fmt: skip
def test_schedule_validation(build: Any, match: str | None) -> None:
    if match is None:
        build()
        return
    with pytest.raises(HoursError, match=match):
        build()


def test_schedule_normalizes_lists_and_order() -> None:
    schedule = Schedule([[r("16:00", "20:00"), r("09:00", "13:00")], [], [], [], [], [], []])  # type: ignore[arg-type]
    assert schedule.weekly[0] == (r("09:00", "13:00"), r("16:00", "20:00"))
    assert isinstance(schedule.weekly, tuple) and isinstance(schedule.weekly[0], tuple)
    assert hash(schedule) == hash(Schedule(schedule.weekly))


def test_hours_error_is_value_error() -> None:
    with pytest.raises(ValueError, match="zona horaria"):
        parse_cli("lun-vie", ["09:00-17:00"], "Mars/Olympus", [])


# --- parse_frontend / to_frontend --------------------------------------------------------------


def frontend_days(overrides: dict[int, tuple[str, str, bool]] | None = None) -> list[dict[str, Any]]:
    """Admin-page array: Mon–Fri 09:00–20:00, weekend closed, with per-index overrides."""
    days: list[dict[str, Any]] = []
    for index, name in enumerate(("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")):
        abre, cierra, cerrado = ("09:00", "20:00", False) if index < 5 else ("", "", True)
        if overrides and index in overrides:
            abre, cierra, cerrado = overrides[index]
        days.append({"dia": name, "abre": abre, "cierra": cierra, "cerrado": cerrado})
    return days


def test_parse_frontend_json_string_and_list() -> None:
    expected_weekly = ((r("09:00", "20:00"),),) * 5 + ((), ())
    assert parse_frontend(json.dumps(frontend_days())) == expected_weekly
    assert parse_frontend(frontend_days()) == expected_weekly


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (("22:00", "02:00", False), (r("22:00", "02:00"),)),  # crosses midnight
        (("20:00", "00:00", False), (r("20:00", "00:00"),)),  # until midnight
        (("00:00", "24:00", False), (r("00:00", "00:00"),)),  # whole day
        (("9:00", "17:30", False), (r("09:00", "17:30"),)),
        (("09:00", "17:00", True), ()),  # cerrado wins
        (("", "", False), ()),
    ],
)
def test_parse_frontend_day(override: tuple[str, str, bool], expected: tuple[TimeRange, ...]) -> None:
    assert parse_frontend(frontend_days({5: override}))[5] == expected


def test_parse_frontend_uses_dia_names() -> None:
    days = frontend_days({6: ("10:00", "12:00", False)})
    days.reverse()
    weekly = parse_frontend(days)
    assert weekly[6] == (r("10:00", "12:00"),)
    assert weekly[0] == (r("09:00", "20:00"),)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (frontend_days({0: ("25:00", "20:00", False)}), "hora inválida"),
        (frontend_days({0: ("09:00", "20:61", False)}), "minutos inválidos"),
        (frontend_days({0: ("9am", "20:00", False)}), "no es una hora válida"),
        (frontend_days({0: ("09:00", "09:00", False)}), "no pueden ser iguales"),
        (frontend_days({0: ("00:00", "00:00", False)}), "no pueden ser iguales"),
        (frontend_days({0: ("24:00", "09:00", False)}), "hora inválida"),
        (frontend_days({0: ("09:00", "", False)}), "falta la hora de cierre"),
        (frontend_days({0: ("", "17:00", False)}), "falta la hora de apertura"),
        (frontend_days()[:6], "Faltan días"),
        (frontend_days() + frontend_days()[:1], "más de 7 días"),
        ([{**day, "dia": "Lunes"} for day in frontend_days()], "repetido"),
        ([{**day, "dia": "Funday"} if i == 2 else day for i, day in enumerate(frontend_days())], "Funday"),
        ([{**day, "cerrado": "no"} for day in frontend_days()], "cerrado"),
        ("[1, 2", "JSON válido"),
        ('{"dia": "Lunes"}', "lista"),
        (json.dumps([1] * 7), "Cada día"),
        (frontend_days({0: ("22:00", "10:00", False), 1: ("09:00", "12:00", False)}), "superpone"),
    ],
)  # fmt: skip
def test_parse_frontend_errors(payload: Any, match: str) -> None:
    with pytest.raises(HoursError, match=match):
        parse_frontend(payload)


@pytest.mark.parametrize(
    "weekly",
    [
        default_schedule().weekly,
        FRIDAY_NIGHT,
        ALWAYS,
        week(mon=(r("20:00", "00:00"),), sat=(r("10:30", "12:45"),)),
    ],
)
def test_frontend_round_trip(weekly: tuple[tuple[TimeRange, ...], ...]) -> None:
    payload = to_frontend(Schedule(weekly))
    assert [day["dia"] for day in payload][:3] == ["Lunes", "Martes", "Miércoles"]
    assert parse_frontend(json.dumps(payload)) == weekly


def test_to_frontend_collapses_several_ranges() -> None:
    monday = to_frontend(Schedule(SPLIT))[0]
    assert monday == {"dia": "Lunes", "abre": "09:00", "cierra": "20:00", "cerrado": False}
    assert to_frontend(Schedule(SPLIT))[6] == {"dia": "Domingo", "abre": "", "cierra": "", "cerrado": True}


# --- parse_json / to_json ----------------------------------------------------------------------


def test_parse_json_example() -> None:
    schedule = parse_json(
        {
            "timezone": "America/Argentina/Cordoba",
            "enabled": True,
            "days": {
                "lunes": [{"start": "09:00", "end": "13:00"}, {"start": "16:00", "end": "20:00"}],
                "tue": [{"start": "09:00", "end": "17:00"}],
                "2": [{"start": "22:00", "end": "02:00", "overnight": True}],
                "Sábado": [{"start": "20:00", "end": "24:00"}],
                "dom": [],
            },
            "closed_dates": ["2026-12-25", "2026-01-01"],
        }
    )
    assert schedule == Schedule(
        week(
            mon=(r("09:00", "13:00"), r("16:00", "20:00")),
            tue=(r("09:00", "17:00"),),
            wed=(r("22:00", "02:00"),),
            sat=(r("20:00", "00:00"),),
        ),
        timezone="America/Argentina/Cordoba",
        closed_dates=frozenset({dt.date(2026, 12, 25), dt.date(2026, 1, 1)}),
    )
    assert to_json(schedule)["closed_dates"] == ["2026-01-01", "2026-12-25"]
    assert to_json(schedule)["days"]["sabado"] == [{"start": "20:00", "end": "24:00"}]
    assert to_json(schedule)["days"]["miercoles"] == [{"start": "22:00", "end": "02:00", "overnight": True}]


@pytest.mark.parametrize(
    ("key", "index"),
    [("lunes", 0), ("mon", 0), ("0", 0), ("Miércoles", 2), ("miercoles", 2), ("wed", 2), ("SAB", 5),
     ("sunday", 6), ("6", 6), (4, 4)],
)  # fmt: skip
def test_parse_json_day_keys(key: Any, index: int) -> None:
    schedule = parse_json({"days": {key: [{"start": "09:00", "end": "10:00"}]}})
    assert open_days(schedule) == [index]
    assert schedule.timezone == "America/Argentina/Buenos_Aires" and schedule.enabled


def test_parse_json_defaults_to_closed() -> None:
    schedule = parse_json({})
    assert open_days(schedule) == [] and schedule.closed_dates == frozenset()


def rng(start: object, end: object, **extra: Any) -> dict[str, Any]:
    """JSON API range."""
    return {"start": start, "end": end, **extra}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"days": {"lunes": [rng("20:00", "02:00")]}}, "la hora de cierre es anterior a la de apertura"),
        ({"days": {"lunes": [rng("20:00", "00:00")]}}, "la hora de cierre es anterior a la de apertura"),
        ({"days": {"lunes": [rng("09:00", "17:00", overnight=True)]}}, "nocturno"),
        ({"days": {"lunes": [rng("09:00", "09:00")]}}, "no pueden ser iguales"),
        ({"days": {"lunes": [rng("25:00", "26:00")]}}, "hora inválida"),
        ({"days": {"lunes": [rng("09:00", "10:61")]}}, "minutos inválidos"),
        ({"days": {"lunes": [rng("9am", "5pm")]}}, "no es una hora válida"),
        ({"days": {"lunes": [rng("24:00", "02:00", overnight=True)]}}, "hora inválida"),
        ({"days": {"lunes": [rng("09:00", "24:30")]}}, "hora inválida"),
        ({"days": {"lunes": [rng(9, 17)]}}, "HH:MM"),
        ({"days": {"lunes": [rng("09:00", "13:00"), rng("12:00", "18:00")]}}, "se superponen"),
        ({"days": {"lunes": [{"start": "09:00"}]}}, "«start» y «end»"),
        ({"days": {"lunes": [rng("09:00", "10:00", note="x")]}}, "desconocidos"),
        ({"days": {"lunes": [rng("22:00", "02:00", overnight="yes")]}}, "overnight"),
        ({"days": {"lunes": "09:00-17:00"}}, "lista de rangos"),
        ({"days": {"funday": []}}, "«funday» no es un día"),
        ({"days": {"7": []}}, "no es un día"),
        ({"days": {"lunes": [], "mon": []}}, "repetido"),
        ({"days": {str(i): [] for i in range(7)} | {"lunes": []}}, "más de 7 días"),
        ({"days": []}, "«days»"),
        ({"timezone": "Mars/Olympus"}, "zona horaria"),
        ({"timezone": 3}, "zona horaria"),
        ({"enabled": "yes"}, "enabled"),
        ({"closed_dates": ["2026-02-30"]}, "fecha válida"),
        ({"closed_dates": ["25/12/2026"]}, "AAAA-MM-DD"),
        ({"closed_dates": ["20261225"]}, "fecha válida"),
        ({"closed_dates": "2026-12-25"}, "lista"),
        ({"dias": {}}, "desconocidos"),
    ],
)  # fmt: skip
def test_parse_json_errors(data: dict[str, Any], match: str) -> None:
    with pytest.raises(HoursError, match=match):
        parse_json(data)


def random_schedule(seed: int) -> Schedule:
    """A valid random schedule: up to 3 non-overlapping ranges per day, no cross-day overlap."""
    generator = random.Random(seed)
    weekly: list[tuple[TimeRange, ...]] = []
    for _ in range(7):
        # Ranges start after 06:00 and an overnight tail stops by 05:00, so days never overlap.
        cuts = sorted(generator.sample(range(36, 144), generator.choice((0, 2, 4, 6))))
        if cuts and generator.random() < 0.4:
            cuts[-1] = generator.randrange(144, 175)  # 144 is "until midnight"
        ranges = []
        for start, end in zip(cuts[::2], cuts[1::2], strict=True):
            ranges.append(
                TimeRange(
                    dt.time((start * 10 // 60) % 24, start * 10 % 60), dt.time((end * 10 // 60) % 24, end * 10 % 60)
                )
            )
        weekly.append(tuple(ranges))
    closed = frozenset(dt.date(2026, 1, 1) + dt.timedelta(days=generator.randrange(730)) for _ in range(3))
    zone = generator.choice(("America/Argentina/Buenos_Aires", "America/Argentina/Cordoba", "Europe/Madrid", "UTC"))
    return Schedule(tuple(weekly), timezone=zone, closed_dates=closed, enabled=generator.random() < 0.8)


@pytest.mark.parametrize("seed", range(40))
def test_json_round_trip_property(seed: int) -> None:
    schedule = random_schedule(seed)
    encoded = to_json(schedule)
    assert parse_json(json.loads(json.dumps(encoded))) == schedule
    assert to_json(parse_json(encoded)) == encoded
    assert list(encoded["days"]) == ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"]


@pytest.mark.parametrize("schedule", [default_schedule(), Schedule(ALWAYS), Schedule(FRIDAY_NIGHT, enabled=False)])
def test_json_round_trip_examples(schedule: Schedule) -> None:
    assert parse_json(to_json(schedule)) == schedule


# --- parse_cli ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ("lun-vie", [0, 1, 2, 3, 4]),
        ("mon-fri", [0, 1, 2, 3, 4]),
        ("lun,mie,vie", [0, 2, 4]),
        ("todos", [0, 1, 2, 3, 4, 5, 6]),
        ("lun-sáb", [0, 1, 2, 3, 4, 5]),
        ("vie-lun", [0, 4, 5, 6]),
        ("lun-mie,sab", [0, 1, 2, 5]),
        ("Domingo", [6]),
    ],
)
def test_parse_cli_days(days: str, expected: list[int]) -> None:
    assert open_days(parse_cli(days, ["09:00-17:00"], "America/Argentina/Buenos_Aires", [])) == expected


def test_parse_cli_full() -> None:
    schedule = parse_cli("lun-vie", ["09:00-13:00", "16:00-20:00"], "America/Argentina/Buenos_Aires", ["2026-12-25"])
    assert schedule == Schedule(SPLIT, closed_dates=frozenset({dt.date(2026, 12, 25)}))


def test_parse_cli_overnight() -> None:
    schedule = parse_cli("vie", ["22:00-02:00"], "America/Argentina/Buenos_Aires", [])
    assert schedule.weekly == FRIDAY_NIGHT
    assert is_open(schedule, ba("2026-11-28 01:30"))


@pytest.mark.parametrize(
    ("days", "ranges", "tz", "closed", "match"),
    [
        ("lun-vie", ["25:00-26:00"], "UTC", [], "hora inválida"),
        ("lun-vie", ["09:00-09:61"], "UTC", [], "minutos inválidos"),
        ("lun-vie", ["9am-5pm"], "UTC", [], "no es una hora válida"),
        ("lun-vie", ["09:00"], "UTC", [], "HH:MM-HH:MM"),
        ("lun-vie", ["09:00-10:00-11:00"], "UTC", [], "HH:MM-HH:MM"),
        ("lun-vie", ["09:00-09:00"], "UTC", [], "no pueden ser iguales"),
        ("lun-vie", [], "UTC", [], "al menos un rango"),
        ("lun-vie", ["09:00-13:00", "12:00-14:00"], "UTC", [], "se superponen"),
        ("lun-vier", ["09:00-17:00"], "UTC", [], "no es un día"),
        ("", ["09:00-17:00"], "UTC", [], "Indicá los días"),
        ("lun,,vie", ["09:00-17:00"], "UTC", [], "no es un día"),
        ("lun-vie", ["09:00-17:00"], "Buenos Aires", [], "zona horaria"),
        ("lun-vie", ["09:00-17:00"], "UTC", ["2026-13-01"], "fecha válida"),
        ("todos", ["20:00-02:00", "01:00-03:00"], "UTC", [], "se superpone"),
    ],
)
def test_parse_cli_errors(days: str, ranges: list[str], tz: str, closed: list[str], match: str) -> None:
    with pytest.raises(HoursError, match=match):
        parse_cli(days, ranges, tz, closed)


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
