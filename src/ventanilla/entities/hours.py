"""Live-chat business hours: weekly schedules, holidays and Spanish (es-AR) wording.

One import for callers; the work is split by responsibility:
- `hours_model`: the types, their validation and the time arithmetic (pure functions of an aware ``now``);
- `hours_text`: what citizens read (the weekly description, day labels, the "closed" message);
- `hours_io`: the wire formats (the admin page's array, stored JSON, the CLI spec, response payloads).
"""

from __future__ import annotations

from ventanilla.entities.hours_io import (
    always_open,
    horario_payload,
    parse_cli,
    parse_frontend,
    parse_json,
    schedule_payload,
    to_frontend,
    to_json,
)
from ventanilla.entities.hours_model import (
    DAY_NAMES,
    DEFAULT_TIMEZONE,
    HORIZON,
    HoursError,
    Schedule,
    TimeRange,
    current_close,
    default_schedule,
    is_open,
    next_opening,
    open_days,
    today_hours,
    utcnow,
)
from ventanilla.entities.hours_text import closed_message, days_label, describe

__all__ = [
    "DAY_NAMES",
    "DEFAULT_TIMEZONE",
    "HORIZON",
    "HoursError",
    "Schedule",
    "TimeRange",
    "always_open",
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
