"""Which web chat sessions exist, known to the process that creates them: a new session costs no query.

Without Redis there is one serving process (`serve --workers N` needs Redis), and web sessions (`web:` keys) are
inserted only by it, through `repository.insert_session`. That process can then tell an unseen key from a known one
without asking the database: every greeting of a new widget, and the first turn of its conversation, looked up a
row that was not there. The keys are kept as a Bloom filter: "absent" is certain, "maybe" asks the database as
before, and the memory stays fixed (1 MiB; one wrong "maybe" in a hundred lookups at about 870,000 sessions).
The filter is filled once per process from the table (the first lookup), then on every insert; an insert rolled
back leaves a "maybe", which costs only the query. WhatsApp keys are never answered here (a separate worker
process inserts them).
"""

from __future__ import annotations

import hashlib
import weakref

from sqlalchemy import Engine, select
from sqlalchemy.ext.asyncio import AsyncSession

from ventanilla.chat import keys
from ventanilla.chat.models import ChatSession

_BITS = 1 << 23
_HASHES = 7


class KnownKeys:
    """A Bloom filter of (entity, web key) pairs that have a chat session row."""

    def __init__(self) -> None:
        self._bits = bytearray(_BITS // 8)
        self.ready = False

    @staticmethod
    def _positions(entity_id: int, key: str) -> list[int]:
        digest = hashlib.blake2b(f"{entity_id}\0{key}".encode(), digest_size=4 * _HASHES).digest()
        return [int.from_bytes(digest[i : i + 4], "little") & (_BITS - 1) for i in range(0, 4 * _HASHES, 4)]

    def add(self, entity_id: int, key: str) -> None:
        """Remember a row (inserted or read)."""
        for position in self._positions(entity_id, key):
            self._bits[position >> 3] |= 1 << (position & 7)

    def may_exist(self, entity_id: int, key: str) -> bool:
        """False only when no row of this pair exists."""
        bits = self._bits
        return all(bits[p >> 3] & (1 << (p & 7)) for p in self._positions(entity_id, key))


# One filter per database (engine): tests run several servers, each on its own database, in one process.
_TRUSTED: weakref.WeakKeyDictionary[Engine, KnownKeys] = weakref.WeakKeyDictionary()


def trust(engine: Engine) -> None:
    """This process is the only one inserting web chat sessions into this database (no Redis: one process)."""
    _TRUSTED.setdefault(engine, KnownKeys())


def _of(session: AsyncSession) -> KnownKeys | None:
    if not _TRUSTED:
        return None
    bind = session.get_bind()
    return _TRUSTED.get(bind if isinstance(bind, Engine) else bind.engine)


async def absent(session: AsyncSession, entity_id: int, key: str) -> bool:
    """Whether the chat session of this key certainly has no row (False when unsure: ask the database)."""
    if not key.startswith(keys.WEB):
        return False
    known = _of(session)
    if known is None:
        return False
    if not known.ready:
        rows = await session.execute(
            select(ChatSession.entity_id, ChatSession.session_key).where(ChatSession.session_key.startswith(keys.WEB))
        )
        for row_entity, row_key in rows:
            known.add(row_entity, row_key)
        known.ready = True
    return not known.may_exist(entity_id, key)


def inserted(session: AsyncSession, entity_id: int, key: str) -> None:
    """A row of this key is being inserted (before its commit: a rollback leaves only a harmless "maybe")."""
    known = _of(session)
    if known is not None:
        known.add(entity_id, key)
