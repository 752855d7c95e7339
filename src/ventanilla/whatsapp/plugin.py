"""WhatsApp channel plugin: the webhook router, the outbound listener and the two job runners."""

from __future__ import annotations

from ventanilla.adapters.whatsapp_client import GraphClient, LoggingSender, WhatsAppSender
from ventanilla.context import AppContext, BackgroundService
from ventanilla.jobs.runner import Runner
from ventanilla.whatsapp.jobs import InboxQueue, OutboxQueue
from ventanilla.whatsapp.listener import WhatsAppListener
from ventanilla.whatsapp.runtime import Runtime
from ventanilla.whatsapp.webhook import router

__all__ = ["install", "router"]

LOG_ONLY_BASE = "log"


def install(ctx: AppContext) -> list[BackgroundService]:
    """Wire WhatsApp into the process: runtime in ctx.whatsapp, listener, inbox and outbox runners."""
    settings = ctx.settings
    sender: WhatsAppSender = (
        LoggingSender()
        if settings.whatsapp_api_base == LOG_ONLY_BASE
        else GraphClient(settings.whatsapp_api_base, timeout=settings.whatsapp_timeout_seconds)
    )
    runtime = Runtime(sender=sender, backoff=settings.job_backoff())
    inbox = ctx.jobs.add(Runner(InboxQueue(ctx, runtime), **settings.runner_options()))
    outbox = ctx.jobs.add(Runner(OutboxQueue(ctx, runtime), **settings.runner_options()))
    runtime.wake_inbox, runtime.wake_outbox = inbox.wake, outbox.wake
    ctx.whatsapp = runtime
    ctx.listeners.append(WhatsAppListener(runtime))

    async def close_sender(_: AppContext) -> None:
        await sender.aclose()

    ctx.closers.append(close_sender)
    return []
