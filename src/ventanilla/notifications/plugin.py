"""Email channel: the outbox listener, the outbox's job runner and the HTTP routes (webhook, unsubscribe)."""

from __future__ import annotations

from ventanilla.context import AppContext, BackgroundService
from ventanilla.jobs.runner import Runner
from ventanilla.notifications.dispatcher import EmailQueue
from ventanilla.notifications.http import router
from ventanilla.notifications.listener import EmailListener
from ventanilla.realtime.presence import Presence

__all__ = ["install", "router"]


def install(ctx: AppContext) -> list[BackgroundService]:
    """Hear ticket changes (outbox rows in the same transaction) and register the email runner."""
    runner = ctx.jobs.add(Runner(EmailQueue(ctx), **ctx.settings.runner_options()))

    def presence() -> Presence:
        return ctx.presence

    ctx.listeners.append(EmailListener(ctx.settings, presence, runner.wake))
    return []
