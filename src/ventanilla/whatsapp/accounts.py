"""WhatsApp accounts: each entity's Business number, token and optional template."""

from __future__ import annotations

import re

from ventanilla.db import UnitOfWork, utcnow
from ventanilla.entities.models import Entity
from ventanilla.errors import BadRequest, Conflict, NotFound
from ventanilla.whatsapp import repository
from ventanilla.whatsapp.models import WhatsAppAccount

DEFAULT_TEMPLATE_LANGUAGE = "es_AR"
_PHONE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


async def account_of(uow: UnitOfWork, entity_id: int) -> WhatsAppAccount:
    """The entity's WhatsApp number, or NotFound when it has none."""
    account = await repository.account_for_entity(uow.session, entity_id)
    if account is None:
        raise NotFound("La entidad no tiene un número de WhatsApp configurado.")
    return account


async def configure_account(
    uow: UnitOfWork,
    entity: Entity,
    *,
    phone_number_id: str,
    access_token: str,
    template_name: str | None = None,
    template_language: str | None = None,
) -> WhatsAppAccount:
    """Create or replace the entity's WhatsApp number."""
    phone_number_id, access_token = phone_number_id.strip(), access_token.strip()
    if not _PHONE_ID_RE.match(phone_number_id):
        raise BadRequest("El phone_number_id no es válido.")
    if not access_token or len(access_token) > 1024 or any(ch.isspace() for ch in access_token):
        raise BadRequest("El access token no es válido.")
    language = (template_language or DEFAULT_TEMPLATE_LANGUAGE).strip()
    if template_name is not None and not _LANGUAGE_RE.match(language):
        raise BadRequest("El idioma de la plantilla debe ser como es_AR o es.")
    session = uow.session
    other = await repository.account_for_phone(session, phone_number_id)
    if other is not None and other.entity_id != entity.id:
        raise Conflict("Ese phone_number_id ya está asociado a otra entidad.")
    account = await repository.account_for_entity(session, entity.id)
    if account is None:
        account = WhatsAppAccount(entity_id=entity.id, created_at=utcnow())
        session.add(account)
    account.phone_number_id = phone_number_id
    account.access_token = access_token
    account.template_name = template_name.strip()[:200] if template_name and template_name.strip() else None
    account.template_language = language if account.template_name else None
    await session.flush()
    return account
