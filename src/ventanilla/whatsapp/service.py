"""WhatsApp use cases other modules call: accounts, the inbox, the outbound queue (one module each)."""

from __future__ import annotations

from ventanilla.whatsapp.accounts import account_of, configure_account
from ventanilla.whatsapp.inbox import citizen_for, media_signature, process_next, store_webhook
from ventanilla.whatsapp.outbound import (
    Regarding,
    deliver,
    is_whatsapp_ticket,
    queue,
    recipient_of,
    set_delivery,
    ticket_message_text,
)
from ventanilla.whatsapp.runtime import SESSION_PREFIX, Runtime, runtime_of, session_key_for

__all__ = [
    "SESSION_PREFIX",
    "Regarding",
    "Runtime",
    "account_of",
    "citizen_for",
    "configure_account",
    "deliver",
    "is_whatsapp_ticket",
    "media_signature",
    "process_next",
    "queue",
    "recipient_of",
    "runtime_of",
    "session_key_for",
    "set_delivery",
    "store_webhook",
    "ticket_message_text",
]
