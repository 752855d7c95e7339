"""What the bot keeps between turns outside the conversation state: an open "is someone in danger?" question."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ventanilla.db import Base, utcnow


class UrgencyQuestion(Base):
    """The message the bot was unsure about, kept so "Sí" escalates it and "No" goes on with it."""

    __tablename__ = "urgency_questions"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    session_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
