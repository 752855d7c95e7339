"""Chat sessions: a browser's X-Chat-Session-Id (or a WhatsApp number) mapped to state and ticket."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ventanilla.db import Base, utcnow


class ChatSession(Base):
    """The bot's conversation state and the open ticket of one chat session in one entity."""

    __tablename__ = "chat_sessions"
    __table_args__ = (Index("ix_chat_sessions_anon", "entity_id", "anon_id"),)

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    session_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ticket_id: Mapped[int | None] = mapped_column(BigInteger)
    anon_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
