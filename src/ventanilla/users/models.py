"""Users: citizens (vecinos), agents (empleado), admins; with notification preferences."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ventanilla.db import Base, utcnow

ROLES = ("vecino", "empleado", "admin", "super_admin")
STAFF_ROLES = frozenset({"empleado", "admin", "super_admin"})
ADMIN_ROLES = frozenset({"admin", "super_admin"})


class User(Base):
    """A person who logs in; staff belong to one entity, citizens register per entity."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("entity_id", "email"),
        Index("ix_users_email", "email"),
        Index("uq_users_entity_whatsapp", "entity_id", "whatsapp_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    rol: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    dni: Mapped[str | None] = mapped_column(String(16))
    whatsapp_id: Mapped[str | None] = mapped_column(String(32))
    live_capacity: Mapped[int | None] = mapped_column(Integer)
    categories: Mapped[list[str] | None] = mapped_column(JSON)
    marketing_opt_in: Mapped[bool | None] = mapped_column(Boolean)
    last_assigned_at: Mapped[dt.datetime | None] = mapped_column()
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def is_staff(self) -> bool:
        """Agents, admins and super admins."""
        return self.rol in STAFF_ROLES


class NotificationPrefs(Base):
    """What a user wants to be told about; None means the role's default."""

    __tablename__ = "notification_prefs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket: Mapped[bool | None] = mapped_column(Boolean)
