"""Small text helpers shared by domains."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

MAX_MESSAGE_CHARS: Final = 4000
"""The longest message (citizen, agent or bot turn) kept; longer text is cut, never refused."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

# JSON Schema patterns (documentation of what the edge and the services accept; the checks live in code).
TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Text without control characters (tab, line feed and carriage return allowed)."""
NONBLANK_PATTERN: Final = (
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f\x85][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
)
"""Text with at least one visible character."""
EMAIL_PATTERN: Final = r"^[^@\s\x00-\x1f\x7f\x85]+@[^@\s\x00-\x1f\x7f\x85]+\.[^@\s\x00-\x1f\x7f\x85]+$"
"""What `users.service.normalize_email` accepts (NEL written out: ECMA's `\\s` lacks it, Python's has it)."""
PHONE_PATTERN: Final = r"^ *(?:\+?[0-9][0-9 ()-]{5,30})? *$"
"""What `users.service.clean_phone` accepts (empty: no phone)."""
LINK_PATTERN: Final = r"^[ \t\n\r]*(?:https?://[^\x00-\x1f\x7f]*)?$"
"""An optional http(s) link."""


def one_line(value: str | None, limit: int = 200) -> str:
    """Trimmed text without control characters (line breaks included): safe in names, subjects and headers."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]


def fold(text: str) -> str:
    """Lowercase without accents, compatibility forms folded ("Ｈ" -> "h", "Canción" -> "cancion"); for matching."""
    if text.isascii():  # NFKD leaves ASCII as it is, casefold is lower, and nothing combines
        return text.lower()
    return _fold_unicode(text)


@functools.lru_cache(maxsize=16384)
def _fold_unicode(text: str) -> str:
    # Cached: the bot folds the same phrases and keywords many times per turn (~160 calls on a first turn).
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def clean(value: str) -> str:
    """Text without NUL and lone surrogates (no database, encoder or socket accepts them); done once, at the edge."""
    if not _UNSAFE.search(value):
        return value
    return _UNSAFE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


def national_phone(digits: str) -> str:
    """An Argentine number's digits in their 10-digit national form when they are one (no +54, 9, trunk 0 or
    mobile 15); other digits as they are."""
    d = digits
    if d.startswith("54") and len(d) >= 12:
        d = d[2:]
    if d.startswith("9") and len(d) == 11:
        d = d[1:]
    if d.startswith("0"):
        d = d[1:]
    if len(d) == 12:
        for area in (2, 3, 4):
            if d[area : area + 2] == "15":
                return d[:area] + d[area + 2 :]
    return d
