"""Email channel: the outbox listener, the dispatcher worker and the HTTP routes (webhook, unsubscribe)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ventanilla.context import AppContext
from ventanilla.notifications.dispatcher import Dispatcher
from ventanilla.notifications.http import router
from ventanilla.notifications.listener import EmailListener
from ventanilla.realtime.presence import Presence

__all__ = ["install", "router"]


def install(ctx: AppContext) -> list[Callable[[AppContext], Awaitable[None]]]:
    """Hear ticket changes (outbox rows in the same transaction) and return the dispatcher worker."""
    dispatcher = Dispatcher(ctx)
    ctx.services["email_dispatcher"] = dispatcher

    def presence() -> Presence:
        found: Presence = ctx.services["presence"]
        return found

    ctx.listeners.append(EmailListener(ctx.settings, presence, dispatcher.wake))

    async def email_dispatcher(_: AppContext) -> None:
        await dispatcher.run()

    return [email_dispatcher]
