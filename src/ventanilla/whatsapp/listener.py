"""Agent, bot and system messages of WhatsApp tickets go out through the outbound queue."""

from __future__ import annotations

import logging

from ventanilla.db import UnitOfWork
from ventanilla.entities.models import Entity
from ventanilla.notifications.service import status_notifies_citizen
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.hooks import BaseListener
from ventanilla.tickets.models import Ticket, TicketMessage
from ventanilla.tickets.service import ESTADO_LABELS
from ventanilla.users.models import User
from ventanilla.whatsapp import repository, schemas, service

log = logging.getLogger(__name__)

_ENTITY_SIDE = frozenset({"agent", "bot", "system"})


class WhatsAppListener(BaseListener):
    """Queues, in the same transaction, every entity-side message of a ticket whose citizen uses WhatsApp."""

    def __init__(self, runtime: service.Runtime) -> None:
        self.runtime = runtime

    async def message_added(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, message: TicketMessage, author: User | None
    ) -> None:
        """Send the message to the citizen's WhatsApp."""
        if message.author_kind not in _ENTITY_SIDE or message.told_in_answer or not service.is_whatsapp_ticket(ticket):
            return
        wa_id = await service.recipient_of(uow, ticket)
        if wa_id is None:
            log.warning("whatsapp ticket %s has no citizen number; message %s not sent", ticket.id, message.id)
            service.set_delivery(uow, entity.id, message, "undeliverable", "El reclamo no tiene número de WhatsApp.")
            return
        if await repository.account_for_entity(uow.session, entity.id) is None:
            log.warning(
                "entity %s has no WhatsApp account; message %s of ticket %s not sent", entity.id, message.id, ticket.id
            )
            service.set_delivery(
                uow, entity.id, message, "undeliverable", "La entidad no tiene un número de WhatsApp configurado."
            )
            return
        text = service.ticket_message_text(message)
        if not text:
            return
        service.queue(
            uow,
            self.runtime,
            entity_id=entity.id,
            wa_id=wa_id,
            outgoing=schemas.Outgoing(text, sections=_button_sections(message)),
            ticket_id=ticket.id,
            message=message,
        )
        message.delivery_status = "pending"

    async def status_changed(
        self, uow: UnitOfWork, entity: Entity, ticket: Ticket, old: str, actor: User | None
    ) -> None:
        """The neighbours who joined the ticket from WhatsApp hear its status news there."""
        if not status_notifies_citizen(old, ticket.estado):
            return
        followers = [f for f in await tickets_repo.followers_of(uow.session, ticket.id) if f.wa_id]
        if not followers or await repository.account_for_entity(uow.session, entity.id) is None:
            return
        label = ESTADO_LABELS.get(ticket.estado, ticket.estado)
        text = f"Novedades del reclamo N.º {ticket.nro_ticket} al que te sumaste: ahora está «{label}»."
        for wa_id in dict.fromkeys(f.wa_id for f in followers if f.wa_id):
            service.queue(
                uow,
                self.runtime,
                entity_id=entity.id,
                wa_id=wa_id,
                outgoing=schemas.Outgoing(text),
                ticket_id=ticket.id,
            )


def _button_sections(message: TicketMessage) -> list[tuple[str, list[dict[str, str]]]]:
    """An agent's reply buttons, sent as WhatsApp reply buttons."""
    options = [{"id": b["action"], "label": b["texto"]} for b in message.buttons or [] if b.get("action")]
    return [(schemas.DEFAULT_SECTION, options)] if options else []
