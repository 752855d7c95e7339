"""The urgent-chat watch: a durable job, due a while after an urgent live chat opened, that checks an agent answered."""

from __future__ import annotations

from typing import Any

from ventanilla.chat import service
from ventanilla.context import AppContext
from ventanilla.entities import service as entities
from ventanilla.jobs.runner import Runner
from ventanilla.jobs.table import Handler, TableQueue
from ventanilla.tickets import repository as tickets_repo


def watcher(ctx: AppContext) -> Handler:
    """The job handler: one transaction per due watch."""

    async def check(payload: dict[str, Any]) -> None:
        async with ctx.uow() as uow:
            ticket = await tickets_repo.get(uow.session, int(payload["ticket_id"]))
            if ticket is None:
                return
            entity = await entities.require(uow.session, ticket.entity_id)
            after = int(payload.get("after_message_id") or 0)
            if await service.urgent_unanswered(ctx, uow, entity, ticket, after_message_id=after):
                await uow.commit()

    return check


def install(ctx: AppContext) -> None:
    """Register the watch's runner (jobs of kind `urgent_watch` in the generic jobs table)."""
    queue = TableQueue(ctx.sessions, service.URGENT_WATCH, watcher(ctx), backoff=ctx.settings.job_backoff())
    ctx.jobs.add(Runner(queue, **ctx.settings.runner_options()))
