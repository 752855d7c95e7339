"""Pusher channel: `nuevo-mensaje` on `ticket-{tipo}-{id}`, as durable jobs (retried), when credentials are set."""

from __future__ import annotations

import asyncio
from typing import Any

import pusher
import pusher.errors

from ventanilla.context import AppContext, BackgroundService
from ventanilla.db import UnitOfWork
from ventanilla.entities.models import Entity
from ventanilla.jobs.runner import JobError, Runner
from ventanilla.jobs.table import TableQueue, enqueue
from ventanilla.tickets.hooks import BaseListener
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.tickets.schemas import iso
from ventanilla.users.models import User

KIND = "pusher"
EVENT = "nuevo-mensaje"


def channel_name(ticket: Ticket) -> str:
    """The channel the frontend's conversation view subscribes to."""
    return f"ticket-{ticket.tipo}-{ticket.id}"


def message_payload(message: TicketMessage) -> dict[str, Any]:
    """`nuevo-mensaje` payload: {id, author: user|agent, content, timestamp}."""
    return {
        "id": message.id,
        "author": "agent" if message.is_staff_side else "user",
        "content": message.text,
        "timestamp": iso(message.created_at),
    }


class PusherListener(BaseListener):
    """Writes a publish job for every new ticket message, in the message's transaction (one channel, in order)."""

    def __init__(self, runner: Runner[Any]) -> None:
        self._runner = runner

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None:
        """Queue the publication."""
        channel = channel_name(ticket)
        payload = {"channel": channel, "event": EVENT, "data": message_payload(message)}
        enqueue(uow, KIND, channel, payload, self._runner.wake)


def publisher(client: pusher.Pusher) -> Any:
    """The job handler: one `trigger` call (the SDK blocks, so it runs in a thread)."""

    async def publish(payload: dict[str, Any]) -> None:
        try:
            await asyncio.to_thread(client.trigger, payload["channel"], payload["event"], payload["data"])
        except (pusher.errors.PusherBadRequest, pusher.errors.PusherBadAuth, pusher.errors.PusherForbidden) as exc:
            raise JobError(f"Pusher rechazó la publicación: {exc}", permanent=True) from exc
        except Exception as exc:
            raise JobError(f"{type(exc).__name__}: {exc}") from exc

    return publish


def install(ctx: AppContext) -> list[BackgroundService]:
    """Register the listener and the publish runner when Pusher credentials are set."""
    s = ctx.settings
    if not (s.pusher_app_id and s.pusher_key and s.pusher_secret):
        return []
    client = pusher.Pusher(
        app_id=s.pusher_app_id,
        key=s.pusher_key,
        secret=s.pusher_secret.get_secret_value(),
        cluster=s.pusher_cluster,
        host=s.pusher_host,
        port=s.pusher_port,
        ssl=s.pusher_ssl,
        timeout=5,
    )
    queue = TableQueue(ctx.sessions, KIND, publisher(client), backoff=s.job_backoff())
    runner = ctx.jobs.add(Runner(queue, **s.runner_options()))
    ctx.listeners.append(PusherListener(runner))
    return []
