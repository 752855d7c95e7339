"""The Alembic migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

import ventanilla.models  # noqa: F401
from tests.support import Server
from ventanilla.db import Base


async def test_models_and_migrations_agree(server: Server) -> None:
    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with server.ctx.engine.connect() as connection:
        assert await connection.run_sync(diff) == []
