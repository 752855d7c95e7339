"""Before filing, the same problem already reported: offer to join that ticket ("Ya hay un reclamo igual..."),
and read the answer (join, or it is another problem). Two steps of the bot's turn, one before the engine and
one after it; the wording and the reading of the answer are pure."""

from __future__ import annotations

import datetime as dt
import re

from ventanilla.tickets import duplicates, followers
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.service import ESTADO_LABELS
from ventanilla.whatsapp.runtime import SESSION_PREFIX

from . import flow
from .call import BotCall
from .intake import CONFIRM_WORDS, normalize
from .model import BotReply, Button, ConversationState
from .replies import CANCEL_BUTTON, menu_buttons, reply

JOIN_ACTION = "sumarme_reclamo"
OTHER_ACTION = "es_otro_reclamo"
_JOIN_RE = re.compile(
    r"\b(?:sumame|sumarme|me sumo|sumo|sumate|unirme|me uno|adherir\w*|agregame|agregarme|anotame|anotarme|"
    r"incluime|es el mismo|es ese|ese mismo)\b"
)
_OTHER_RE = re.compile(r"\b(?:es otro|otro problema|otra cosa|no es el mismo|no es ese|es distinto|diferente|nuevo)\b")
_NO_WORDS = frozenset({"no", "nop", "no gracias", "nah"})


def offer_text(nro: int, estado: str) -> str:
    """The question, with the existing ticket's number and status."""
    label = ESTADO_LABELS.get(estado, estado.replace("_", " ")).lower()
    return (
        f"Ya hay un reclamo igual (N.º {nro}, {label}). ¿Querés sumarte para recibir las novedades, o es otro problema?"
    )


def read_answer(text: str, action: str | None) -> str | None:
    """ "join", "other", or None when the answer is about something else (a correction, cancelling...)."""
    if action == JOIN_ACTION:
        return "join"
    if action == OTHER_ACTION:
        return "other"
    norm = normalize(text)
    if _OTHER_RE.search(norm) or norm in _NO_WORDS:
        return "other"
    if _JOIN_RE.search(norm) or norm in CONFIRM_WORDS or norm.startswith(("si ", "dale ")):
        return "join"
    return None


def joined_text(nro: int, how: str | None) -> str:
    """After joining: no second ticket, and how the news will arrive."""
    news = f"Te vamos a avisar las novedades por {how}." if how else "Podés preguntarme por él cuando quieras."
    return f"Listo, te sumé al reclamo N.º {nro}: no hace falta hacer otro. {news} ¡Gracias por avisar!"


def _place_key(state: ConversationState) -> str:
    d = state.draft
    return f"{d.categoria}|{d.ubicacion}|{d.latitud}|{d.longitud}"[:300]


async def offer(call: BotCall, answer: BotReply) -> BotReply:
    """Step after the engine: a complete summary of a draft like an open ticket becomes the offer to join it."""
    ctx, uow, entity = call.ctx, call.uow, call.entity
    state = answer.state
    d = state.draft
    # Offered once the contact is known, so that a neighbour who joins can be told the news.
    if answer.effect is not None or state.awaiting != "confirmacion" or not d.categoria:
        return answer
    key = _place_key(state)
    if state.duplicates_key == key:
        return answer
    state.duplicates_key = key
    found = await duplicates.find_open_duplicate(
        uow.session,
        entity.id,
        d.categoria,
        duplicates.Place(d.ubicacion, d.latitud, d.longitud),
        since=ctx.clock() - dt.timedelta(days=ctx.settings.duplicate_window_days),
        radius_m=ctx.settings.duplicate_radius_m,
    )
    if found is None:
        return answer
    state.duplicate_of = found.id
    return _offer(state, found, [])


def _offer(state: ConversationState, found: Ticket, lead: list[str]) -> BotReply:
    buttons = [
        Button("Sí, sumarme", action=JOIN_ACTION, payload={"ticket_id": found.id}),
        Button("Es otro problema", action=OTHER_ACTION),
        CANCEL_BUTTON,
    ]
    text = " ".join([*lead, offer_text(found.nro_ticket, found.estado)])
    return reply(state, text, buttons, accion_backend="crear_reclamo")


async def answer_offer(call: BotCall) -> BotReply | None:
    """Step before the engine: the citizen's answer to the offer; None when there is none pending or the turn is
    about something else (then the offer is dropped and the engine reads the turn)."""
    uow, entity, settings, state, incoming = call.uow, call.entity, call.settings, call.state, call.turn.incoming
    session_key, channel = call.session_key, call.channel
    if state.duplicate_of is None:
        return None
    ticket_id, state.duplicate_of = state.duplicate_of, None
    choice = read_answer(incoming.text, (incoming.action or "").strip() or None)
    ticket = await tickets_repo.get(uow.session, ticket_id)
    contact = flow.is_contact_only(incoming.text) or flow.is_bare_name(incoming.text)
    if choice is None and ticket is not None and not incoming.action and contact:
        # "Cristina Páez": the name beside the question, not an answer to it; kept, and the offer stands.
        thanks = flow.absorb_contact(state, incoming.text, None)
        if not thanks and flow.is_bare_name(incoming.text):
            thanks = flow.absorb_contact(state, f"soy {incoming.text}", None)
        state.duplicate_of = ticket_id
        return _offer(state, ticket, thanks)
    if choice is None:
        return None
    if choice == "other" or ticket is None or ticket.entity_id != entity.id or ticket.is_closed or not session_key:
        return flow.summary(settings, state, [])
    d = state.draft
    wa_id = session_key.removeprefix(SESSION_PREFIX) if session_key.startswith(SESSION_PREFIX) else None
    await followers.follow(
        uow,
        ticket,
        followers.Joiner(session_key, channel, nombre=d.nombre, email=d.email, telefono=d.telefono, wa_id=wa_id),
    )
    how = "WhatsApp" if wa_id else ("email" if d.email else None)
    state.draft = d.contact_only()
    state.estado, state.awaiting, state.retries, state.duplicates_key = "conversacion_general", None, 0, None
    return reply(state, joined_text(ticket.nro_ticket, how), menu_buttons(settings))
