"""The agents' panel list kept per process as the bytes it answered, until a write could have changed it.

Every panel polls `GET /tickets`, and the list is a pure function of the database (tickets, their agents, messages
and history) and of the query: building it cost three statements, an ORM object per ticket and ~30 attributes read
from each. Where one process serves every request (no Redis, see `chat.known`), that process sees every write: each
INSERT, UPDATE or DELETE on those tables, and again the moment its connection goes back to the pool (after the
COMMIT), moves a generation counter, and an answer is reused only while the counter has not moved since it was
built. A separate `ventanilla worker` process writing (inbound email) shows within `TTL_SECONDS`, as for the cached
users and entities. Access checks run on every request: only the body is reused.
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Engine, event

TTL_SECONDS = 5.0
_MAX_ENTRIES = 1_000
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(?:tickets|ticket_messages|ticket_events|users)\b',
    re.IGNORECASE,
)
_DIRTY = "ventanilla.lists_dirty"


class Lists:
    """One database's cached lists and its write generation."""

    def __init__(self) -> None:
        self.generation = 0
        self.entries: dict[Hashable, tuple[int, float, bytes]] = {}

    def get(self, key: Hashable) -> bytes | None:
        """The cached body of `key`, if no write happened since it was built (and it is fresh)."""
        hit = self.entries.get(key)
        if hit is None or hit[0] != self.generation or hit[1] < time.monotonic():
            return None
        return hit[2]

    def put(self, key: Hashable, generation: int, body: bytes) -> None:
        """Keep a body built while the counter read `generation` (dropped if a write happened meanwhile)."""
        if generation != self.generation:
            return
        if len(self.entries) >= _MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = (generation, time.monotonic() + TTL_SECONDS, body)


_CACHES: weakref.WeakKeyDictionary[Engine, Lists] = weakref.WeakKeyDictionary()


def install(engine: Engine) -> None:
    """Keep lists for this engine's database (the one serving process, see the module's docstring)."""
    if engine in _CACHES:
        return
    lists = _CACHES[engine] = Lists()

    def on_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if _WRITE.match(statement):
            lists.generation += 1
            conn.info[_DIRTY] = True

    def on_checkin(_dbapi_conn: Any, record: Any) -> None:
        if record.info.pop(_DIRTY, False):  # its transaction has ended: the write is visible (or gone)
            lists.generation += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkin", on_checkin)


def of(engine: Engine) -> Lists | None:
    """The lists of this database, when kept."""
    return _CACHES.get(engine)
