"""While an urgent ticket waits for a person: ask briefly where it is and how to reach the citizen.

Every message still goes to the agent (the service sends it first); this only keeps what it gives on the ticket and
says what is still missing, once each."""

from __future__ import annotations

from typing import Protocol

from . import texts
from .model import ConversationState
from .slots import extract
from .understanding import usable_location


class Waiting(Protocol):
    """What of a ticket this step reads and completes (a `tickets.models.Ticket`)."""

    direccion: str | None
    nombre_usuario: str | None
    telefono: str | None
    email: str | None


def _has_contact(state: ConversationState, ticket: Waiting) -> bool:
    return bool(ticket.telefono or ticket.email or state.draft.telefono or state.draft.email)


def _next(state: ConversationState, ticket: Waiting) -> str | None:
    if not ticket.direccion and state.waiting_step is None:
        state.waiting_step = "ubicacion"
        return texts.URGENT_ASK_PLACE
    if not _has_contact(state, ticket) and state.waiting_step in (None, "ubicacion"):
        state.waiting_step = "contacto"
        return texts.URGENT_ASK_CONTACT
    state.waiting_step = "listo"
    return None


def first_question(state: ConversationState, ticket: Waiting) -> str | None:
    """What to ask right after the safety answer, if anything."""
    state.waiting_step = None
    return _next(state, ticket)


def collect(state: ConversationState, ticket: Waiting, text: str) -> str | None:
    """Keep the place and contact a message gives; the next question, a thank-you, or None (nothing to say)."""
    if state.waiting_step in (None, "listo") or not text:
        return None
    asked = "ubicacion" if state.waiting_step == "ubicacion" else "datos_personales"
    slots = extract(text, asked=asked)
    noted = False
    if not ticket.direccion:
        if slots.place is not None:
            ticket.direccion = state.draft.ubicacion = slots.place.text[:300]
            noted = True
        elif asked == "ubicacion" and usable_location(text) and not slots.any_contact():
            ticket.direccion = state.draft.ubicacion = text[:300]
            noted = True
    if slots.nombre and (not ticket.nombre_usuario or state.draft.nombre_guess):
        ticket.nombre_usuario = state.draft.nombre = slots.nombre
        noted = True
    if slots.telefono and not ticket.telefono:
        ticket.telefono = state.draft.telefono = slots.telefono
        noted = True
    if slots.email and not ticket.email:
        ticket.email = state.draft.email = slots.email
        noted = True
    ask = _next(state, ticket)
    if ask:
        return f"{texts.URGENT_NOTED} {ask}" if noted else ask
    return texts.URGENT_NOTED if noted else None
