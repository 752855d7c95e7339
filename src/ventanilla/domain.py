"""Closed vocabularies shared by every domain; values are the wire strings the frontend reads."""

from __future__ import annotations

from enum import StrEnum


class Estado(StrEnum):
    """A ticket's status."""

    NUEVO = "nuevo"
    EN_PROCESO = "en_proceso"
    ESPERANDO_AGENTE = "esperando_agente_en_vivo"
    EN_VIVO = "en_vivo"
    RESUELTO = "resuelto"
    CERRADO = "cerrado"


class Rol(StrEnum):
    """A user's role."""

    VECINO = "vecino"
    EMPLEADO = "empleado"
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"


class Prioridad(StrEnum):
    """A ticket's priority."""

    BAJA = "baja"
    MEDIA = "media"
    ALTA = "alta"
    URGENTE = "urgente"


class Channel(StrEnum):
    """Where a conversation or message comes from."""

    WEB = "web"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    PHONE = "phone"
    OTHER = "other"
