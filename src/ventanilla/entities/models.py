"""Entities (tenants): a municipality or a business, with public token and live-chat hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ventanilla.db import Base, utcnow


class Entity(Base):
    """A tenant; every ticket, user and event belongs to one."""

    __tablename__ = "entities"
    __table_args__ = (Index("uq_entities_slug", "slug", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tipo: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(64))
    logo_url: Mapped[str | None] = mapped_column(String(500))
    inbox_email: Mapped[str | None] = mapped_column(String(320))
    oncall_email: Mapped[str | None] = mapped_column(String(320))
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ticket_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
