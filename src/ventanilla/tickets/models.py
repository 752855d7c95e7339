"""Tickets (reclamos), their messages and their event history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ventanilla.db import Base, utcnow
from ventanilla.domain import Estado

ESTADOS = (Estado.NUEVO, Estado.EN_PROCESO, Estado.ESPERANDO_AGENTE, Estado.EN_VIVO, Estado.RESUELTO, Estado.CERRADO)
CLOSED_ESTADOS = frozenset({Estado.RESUELTO, Estado.CERRADO})
PRIORIDADES = ("baja", "media", "alta", "urgente")
CHANNELS = ("web", "whatsapp", "email", "phone", "other")


class Ticket(Base):
    """A complaint or a live chat; `id` is random below 2**53 so room names cannot be guessed."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("uq_tickets_entity_nro", "entity_id", "nro_ticket", unique=True),
        Index("uq_tickets_entity_idempotency", "entity_id", "idempotency_key", unique=True),
        Index("ix_tickets_entity_updated", "entity_id", "updated_at"),
        Index("ix_tickets_live_queue", "entity_id", "estado", "live_requested_at"),
        Index("ix_tickets_agent_estado", "assigned_agent_id", "estado"),
        Index("ix_tickets_chat_session", "entity_id", "chat_session_key"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    nro_ticket: Mapped[int] = mapped_column(BigInteger)
    pin: Mapped[str] = mapped_column(String(12))
    tipo: Mapped[str] = mapped_column(String(16))
    asunto: Mapped[str] = mapped_column(String(300))
    descripcion: Mapped[str | None] = mapped_column(Text)
    categoria: Mapped[str | None] = mapped_column(String(120))
    estado: Mapped[str] = mapped_column(String(32), default=Estado.NUEVO)
    prioridad: Mapped[str] = mapped_column(String(16), default="media")
    channel: Mapped[str] = mapped_column(String(16), default="web")
    direccion: Mapped[str | None] = mapped_column(String(500))
    latitud: Mapped[float | None] = mapped_column(Float)
    longitud: Mapped[float | None] = mapped_column(Float)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    nombre_usuario: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    telefono: Mapped[str | None] = mapped_column(String(32))
    dni: Mapped[str | None] = mapped_column(String(16))
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    chat_session_key: Mapped[str | None] = mapped_column(String(128))
    is_live_chat: Mapped[bool] = mapped_column(Boolean, default=False)
    live_requested_at: Mapped[dt.datetime | None] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    urgency: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    has_unread: Mapped[bool] = mapped_column(Boolean, default=True)
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    followers_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Neighbours who joined this ticket as followers (see TicketFollower); the panel shows 1 + this."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def is_closed(self) -> bool:
        """Resolved or closed."""
        return self.estado in CLOSED_ESTADOS


class TicketMessage(Base):
    """One message of a ticket's conversation; ids grow monotonically."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        Index("ix_ticket_messages_ticket_id_id", "ticket_id", "id"),
        Index("uq_ticket_messages_external", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_kind: Mapped[str] = mapped_column(String(16))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    origen: Mapped[str] = mapped_column(String(16), default="chat")
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    external_id: Mapped[str | None] = mapped_column(String(200))
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    delivery_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    told_in_answer = False
    """Not stored: the citizen reads this message in the bot's answer of the turn that added it (who took a live
    chat), so the citizen's channels do not get it again; the panels do."""

    @property
    def is_staff_side(self) -> bool:
        """Agent, bot or system messages show on the entity's side."""
        return self.author_kind in ("agent", "bot", "system")


class TicketEvent(Base):
    """The ticket's history: creation, status changes, assignment, escalation."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    from_value: Mapped[str | None] = mapped_column(String(64))
    to_value: Mapped[str | None] = mapped_column(String(64))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TicketFollower(Base):
    """A neighbour who reported the same problem and joined this ticket instead of filing another: hears its news."""

    __tablename__ = "ticket_followers"
    __table_args__ = (Index("uq_ticket_followers_ticket_session", "ticket_id", "chat_session_key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    chat_session_key: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16), default="web")
    nombre: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    telefono: Mapped[str | None] = mapped_column(String(32))
    wa_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PhoneCode(Base):
    """A one-time code sent by WhatsApp to prove a phone number in another channel's chat session (hashed)."""

    __tablename__ = "phone_codes"
    __table_args__ = (Index("ix_phone_codes_session", "entity_id", "session_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    session_key: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
