"""SQLAlchemy's aiosqlite driver with one thread hop per statement instead of four.

aiosqlite runs every call on its connection's thread, and SQLAlchemy's adapter makes four of them per statement
(open a cursor, execute, fetch all rows, close). Each hop is a queue put, a thread wake-up, a `call_soon_threadsafe`
back to the loop and a future; they were the largest single cost of a SQLite request after the framework. Here
the four run as one function on that thread; everything else (pool, transactions, errors) is SQLAlchemy's.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)


class _Done:
    """What a statement left on its (already closed) sqlite3 cursor, read back on the event loop."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1


def _run(conn: sqlite3.Connection, done: _Done, operation: Any, parameters: Any, many: bool) -> list[Any] | None:
    """On the connection's thread: execute, fetch every row, close."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        done.description = cursor.description
        done.rowcount = cursor.rowcount
        done.lastrowid = cursor.lastrowid
        return rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement runs in one call on aiosqlite's thread."""

    __slots__ = ()

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _Done()  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()

    async def _go(self, operation: Any, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        done: _Done = self._cursor  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            rows = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, done, operation, parameters, many
            )
        if rows is not None:
            self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._go(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._go(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        return  # the sqlite3 cursor is closed already

    def close(self) -> None:
        self._rows.clear()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection, with one-hop cursors (server-side cursors stay SQLAlchemy's)."""

    __slots__ = ()
    _cursor_cls = OneHopCursor


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module handed to `create_async_engine(module=...)`."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def dbapi() -> OneHopDBAPI:
    """The module for a SQLite engine."""
    return OneHopDBAPI(aiosqlite, sqlite3)
