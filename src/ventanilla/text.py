"""Small text helpers shared by domains."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(value: str | None, limit: int = 200) -> str:
    """Trimmed text without control characters (line breaks included): safe in names, subjects and headers."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]
