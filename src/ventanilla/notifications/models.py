"""Email outbox rows (one per event and recipient, coalesced when sent) and per-address opt-outs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ventanilla.db import Base, utcnow

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
STATUSES = (PENDING, SENDING, SENT, FAILED, SKIPPED)
ROLES = ("citizen", "agent", "inbox", "oncall")
KINDS = ("ticket_created", "message", "status", "urgent")


class EmailOutbox(Base):
    """An email owed to one recipient about one ticket event; written in the transaction of the event."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        Index("ix_email_outbox_due", "status", "not_before", "next_attempt_at"),
        Index("ix_email_outbox_group", "ticket_id", "recipient", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_message_id: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EmailOptOut(Base):
    """An address that asked (one-click unsubscribe) to get no more emails from an entity."""

    __tablename__ = "email_optouts"
    __table_args__ = (UniqueConstraint("entity_id", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


INBOUND_POSTED, INBOUND_HELD = "posted", "held"


class InboundEmail(Base):
    """An inbound email, once: by its normalized Message-ID (or a hash of its content), posted or held for review.

    The row is claimed (insert, or nothing on conflict) in the transaction that posts the message, so parallel
    deliveries of one email post it once. A held email (a reply that names no person allowed to write as staff)
    keeps its text here for an agent to review; it is never posted as anyone.
    """

    __tablename__ = "inbound_emails"
    __table_args__ = (
        UniqueConstraint("dedup_key"),
        Index("ix_inbound_emails_ticket_status", "ticket_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(200))
    ticket_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    recipient: Mapped[str | None] = mapped_column(String(40))
    sender: Mapped[str | None] = mapped_column(String(320))
    text: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
