"""WhatsApp: each entity's number, the webhook inbox and the outbound queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ventanilla.db import Base, utcnow


class WhatsAppAccount(Base):
    """An entity's WhatsApp Business number; the access token is a secret (stored, never logged)."""

    __tablename__ = "whatsapp_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), unique=True)
    phone_number_id: Mapped[str] = mapped_column(String(64), unique=True)
    access_token: Mapped[str] = mapped_column(String(1024))
    template_name: Mapped[str | None] = mapped_column(String(200))
    template_language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"WhatsAppAccount(entity_id={self.entity_id}, phone_number_id={self.phone_number_id!r})"


class InboundEvent(Base):
    """One message or status from the webhook, stored before processing; `status` is '' for messages."""

    __tablename__ = "whatsapp_inbound_events"
    __table_args__ = (
        Index("uq_whatsapp_inbound_events_key", "kind", "wamid", "status", unique=True),
        Index("ix_whatsapp_inbound_events_pending", "processed_at", "next_attempt_at"),
        Index("ix_whatsapp_inbound_events_contact", "phone_number_id", "wa_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    wamid: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="")
    phone_number_id: Mapped[str] = mapped_column(String(64))
    wa_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[dt.datetime | None] = mapped_column()
    # Set when processing kept failing: a dead letter, kept with `error` until retried.
    failed_at: Mapped[dt.datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(500))


class OutboundMessage(Base):
    """A message to send through the Graph API, written in the transaction that decided it."""

    __tablename__ = "whatsapp_outbound_messages"
    __table_args__ = (
        Index("ix_whatsapp_outbound_messages_due", "status", "next_attempt_at"),
        Index("ix_whatsapp_outbound_messages_recipient", "entity_id", "wa_id", "id"),
        Index("ix_whatsapp_outbound_messages_wamid", "wamid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tickets.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_messages.id", ondelete="SET NULL"))
    wa_id: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    wamid: Mapped[str | None] = mapped_column(String(200))
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column()
