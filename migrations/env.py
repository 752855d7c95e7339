"""Alembic environment: runs migrations on the async engine named by the settings."""

from __future__ import annotations

import asyncio

from alembic import context
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import ventanilla.models  # noqa: F401  (registers every table)
from ventanilla.db import Base, make_engine
from ventanilla.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


# Until 0011 the migrations were branches off 0001 (0010_ops15 off 0003), so a database made then carries one
# alembic_version row per branch head. The chain is linear now, in the order those branches were released.
_BRANCHED_PARENTS = {
    "0002": "0001",
    "0003": "0001",
    "0004": "0001",
    "0010_bot13": "0001",
    "0010_fe10": "0001",
    "0010_ops15": "0003",
    "0010_urg12": "0001",
}


def _one_version_row(connection: Connection) -> None:
    """Turn the rows of a database made while the migrations branched into the one row of the linear chain."""
    if not inspect(connection).has_table("alembic_version"):
        return
    rows = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
    if len(rows) < 2:
        return
    chain = [script.revision for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]
    unknown = [row for row in rows if row not in _BRANCHED_PARENTS]
    if unknown:
        raise RuntimeError(f"alembic_version holds {rows}: {unknown} did not come from the old branches")
    applied = set(rows)
    for row in rows:
        while row in _BRANCHED_PARENTS:
            row = _BRANCHED_PARENTS[row]
            applied.add(row)
    newest = max(rows, key=chain.index)
    missing = [revision for revision in chain[: chain.index(newest)] if revision not in applied]
    if missing:
        raise RuntimeError(
            f"alembic_version holds {rows}, which lacks {missing}: a state of the old branches that no release had. "
            "Apply the missing ones with the migrations of that time, then upgrade."
        )
    connection.execute(text("DELETE FROM alembic_version"))
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": newest})


def _run(connection: Connection) -> None:
    _one_version_row(connection)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
