"""The unit of work's own hooks: `on_commit` callbacks run once after a commit, never after a rollback."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ventanilla.db import make_engine, make_sessionmaker, unit_of_work
from ventanilla.events import EventCollector


async def test_on_commit_callbacks_run_after_the_commit_and_never_after_a_rollback(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'uow.db'}")
    sessions = make_sessionmaker(engine)
    ran: list[str] = []
    try:
        async with unit_of_work(sessions, EventCollector()) as uow:
            await uow.session.execute(text("CREATE TABLE t (v TEXT)"))
            await uow.commit()

        async with unit_of_work(sessions, EventCollector()) as uow:
            await uow.session.execute(text("INSERT INTO t VALUES ('kept')"))

            async def woken() -> None:
                ran.append("async")

            uow.on_commit(lambda: ran.append("sync"))
            uow.on_commit(woken)
            assert ran == []
            await uow.commit()
            assert ran == ["sync", "async"]
            await uow.commit()  # nothing pending: the callbacks do not run twice
            assert ran == ["sync", "async"]

        async with unit_of_work(sessions, EventCollector()) as uow:
            await uow.session.execute(text("INSERT INTO t VALUES ('dropped')"))
            uow.on_commit(lambda: ran.append("after rollback"))
            await uow.rollback()
            await uow.commit()
        assert ran == ["sync", "async"]

        async with sessions() as session:
            assert (await session.execute(text("SELECT v FROM t"))).scalars().all() == ["kept"]
    finally:
        await engine.dispose()
