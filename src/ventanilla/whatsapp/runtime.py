"""The process's WhatsApp machinery (Graph transport, retry policy, worker wake-ups) and shared names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ventanilla.adapters.whatsapp_client import WhatsAppSender
from ventanilla.chat import keys
from ventanilla.context import AppContext
from ventanilla.jobs.runner import Backoff

SESSION_PREFIX = keys.WHATSAPP
INBOX, OUTBOX = "whatsapp_inbox", "whatsapp_outbox"


async def _nothing() -> None:
    return None


@dataclass
class Runtime:
    """The Graph transport, the retry policy shared with every job, and the wake-ups of the two runners."""

    sender: WhatsAppSender
    backoff: Backoff = field(default_factory=Backoff)
    inbound_max_attempts: int = 5
    status_defer_seconds: float = 2.0
    status_defer_attempts: int = 5
    concurrency: int = 8
    wake_inbox: Callable[[], Awaitable[None]] = _nothing
    wake_outbox: Callable[[], Awaitable[None]] = _nothing


def runtime_of(ctx: AppContext) -> Runtime:
    """The runtime installed by the plugin."""
    if ctx.whatsapp is None:
        raise RuntimeError("the WhatsApp plugin is not installed")
    return ctx.whatsapp


def session_key_for(wa_id: str) -> str:
    """The chat session of a WhatsApp number."""
    return keys.whatsapp(wa_id)
