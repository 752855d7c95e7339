"""WhatsApp channel plugin: the webhook router, the outbound listener and the two workers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ventanilla.adapters.whatsapp_client import GraphClient, LoggingSender, WhatsAppSender
from ventanilla.context import AppContext
from ventanilla.whatsapp import worker
from ventanilla.whatsapp.listener import WhatsAppListener
from ventanilla.whatsapp.service import Runtime
from ventanilla.whatsapp.webhook import router

__all__ = ["install", "router"]

LOG_ONLY_BASE = "log"


def install(ctx: AppContext) -> list[Callable[[AppContext], Awaitable[None]]]:
    """Wire WhatsApp into the process: runtime in ctx.services["whatsapp"], listener, workers."""
    settings = ctx.settings
    sender: WhatsAppSender = (
        LoggingSender()
        if settings.whatsapp_api_base == LOG_ONLY_BASE
        else GraphClient(settings.whatsapp_api_base, timeout=settings.whatsapp_timeout_seconds)
    )
    runtime = Runtime(sender=sender)
    ctx.services["whatsapp"] = runtime
    ctx.listeners.append(WhatsAppListener(runtime))
    return [worker.inbox_loop, worker.outbox_loop]
