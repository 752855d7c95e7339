"""The short-lived row cache: hits need no query, behave like loaded rows, and can be forgotten."""

from __future__ import annotations

from sqlalchemy import event

from tests.support import Server, seed_tenant
from ventanilla.db import SnapshotCache
from ventanilla.entities import repository as entities_repo
from ventanilla.entities.models import Entity


async def test_hits_skip_the_query_and_changes_persist(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    cache: SnapshotCache[Entity] = SnapshotCache(Entity, ttl_seconds=60)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(server.ctx.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with server.ctx.uow() as uow:
            first = await cache.get(
                uow.session, tenant.token, lambda: entities_repo.by_token(uow.session, tenant.token)
            )
            assert first is not None and first.id == tenant.id
        loads = len(statements)
        async with server.ctx.uow() as uow:
            hit = await cache.get(uow.session, tenant.token, lambda: entities_repo.by_token(uow.session, tenant.token))
            assert hit is not None and hit.token == tenant.token and hit in uow.session
            assert len(statements) == loads  # no query for a hit
            hit.logo_url = "https://example.org/logo.png"
            await uow.commit()
        async with server.ctx.sessions() as session:
            stored = await entities_repo.get(session, tenant.id)
            assert stored is not None and stored.logo_url == "https://example.org/logo.png"
        cache.forget(tenant.token)
        async with server.ctx.uow() as uow:
            again = await cache.get(
                uow.session, tenant.token, lambda: entities_repo.by_token(uow.session, tenant.token)
            )
            assert again is not None and again.logo_url == "https://example.org/logo.png"
    finally:
        event.remove(server.ctx.engine.sync_engine, "before_cursor_execute", count)
