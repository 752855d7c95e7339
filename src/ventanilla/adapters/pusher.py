"""Pusher channel: publishes `nuevo-mensaje` on `ticket-{tipo}-{id}` when credentials are configured."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pusher

from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork
from ventanilla.entities.models import Entity
from ventanilla.tickets.hooks import BaseListener
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.tickets.schemas import iso
from ventanilla.users.models import User

log = logging.getLogger(__name__)


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
    """Publishes every new ticket message to Pusher after the transaction commits."""

    def __init__(self, client: pusher.Pusher) -> None:
        self._client = client

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None:
        """Queue the publication for after commit."""
        channel, payload = channel_name(ticket), message_payload(message)

        async def publish() -> None:
            try:
                await asyncio.to_thread(self._client.trigger, channel, "nuevo-mensaje", payload)
            except Exception as exc:
                log.warning("pusher publish to %s failed: %s", channel, exc)

        uow.events.after_commit(publish)


def install(ctx: AppContext) -> list[Any]:
    """Register the listener when Pusher credentials are set; no background workers."""
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
    ctx.listeners.append(PusherListener(client))
    return []
