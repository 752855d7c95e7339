"""The panel list's per-process cache: a body is reused only while no write could have changed it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ventanilla.tickets import list_cache


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("UPDATE tickets SET updated_at=? WHERE tickets.id = ?", True),
        ("INSERT INTO ticket_messages (ticket_id, text) VALUES (?, ?)", True),
        ('insert into "ticket_events" (ticket_id) values ($1)', True),
        ("DELETE FROM users WHERE users.id = ?", True),
        ("INSERT OR REPLACE INTO tickets (id) VALUES (?)", True),
        ("SELECT tickets.id FROM tickets", False),
        ("UPDATE chat_sessions SET state=? WHERE entity_id = ?", False),
        ("INSERT INTO tickets_archive (id) VALUES (?)", False),
    ],
)
def test_writes_to_the_listed_tables_are_recognised(statement: str, writes: bool) -> None:
    assert bool(list_cache._WRITE.match(statement)) is writes


def test_a_body_built_across_a_write_is_not_kept() -> None:
    lists = list_cache.Lists()
    before = lists.generation
    lists.generation += 1  # a write while the list was being built
    lists.put("k", before, b"old")
    assert lists.get("k") is None
    lists.put("k", lists.generation, b"new")
    assert lists.get("k") == b"new"
    lists.generation += 1
    assert lists.get("k") is None


def test_a_write_moves_the_generation_at_the_statement_and_again_when_its_connection_returns(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    list_cache.install(engine)
    lists = list_cache.of(engine)
    assert lists is not None
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE tickets (id INTEGER PRIMARY KEY)"))
        connection.execute(text("SELECT 1"))
        start = lists.generation
        connection.execute(text("INSERT INTO tickets (id) VALUES (1)"))
        assert lists.generation == start + 1
    assert lists.generation == start + 2  # committed and back in the pool
    with engine.connect() as connection:
        connection.execute(text("SELECT * FROM tickets"))
    assert lists.generation == start + 2  # a read moves nothing
    engine.dispose()
