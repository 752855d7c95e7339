"""A step of the bot's turn: a citizen who gives, in the widget, the phone they used on WhatsApp sees those tickets
only after proving it (a one-time code sent to that WhatsApp, or the PIN of one of them); never by the number alone."""

from __future__ import annotations

import re

from ventanilla.errors import TooManyRequests
from ventanilla.tickets import identity
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.service import ESTADO_LABELS
from ventanilla.whatsapp import repository as wa_repository
from ventanilla.whatsapp import schemas as wa_schemas
from ventanilla.whatsapp import service as wa_service

from .call import BotCall
from .intake import normalize
from .intents import has_problem_cue
from .model import INTAKE_ESTADOS, BotReply, BotSettings, Button
from .replies import agent_buttons, reply

_CODE_RE = re.compile(r"^(?:(?:es |el )?(?:el )?codigo(?: es)? ?)?(\d{6})$")
_TICKETS_CUE = re.compile(
    r"\b(?:reclamos|tickets|consult\w*|whatsapp|wsp|whats|mis|estado|como va|como van|en que anda\w*|ver|"
    r"los hice|lo hice|que hice|hice (?:uno|un reclamo|el reclamo|los reclamos))\b"
)
SHOWN = 5

CODE_SENT = (
    "Para mostrarte los reclamos de ese número necesito comprobar que es tuyo: si tiene reclamos acá, te mandé un "
    "código de 6 números por WhatsApp. Escribilo en este chat. También podés consultar uno con su número y PIN."
)
CODE_WRONG = "Ese código no es correcto o ya venció. Revisá el último WhatsApp que te mandamos, o pedí uno nuevo."
CODE_LIMITED = "Ya te mandamos varios códigos. Esperá un rato antes de pedir otro, o consultá con el número y el PIN."


def verified_list(national: str, tickets: list[Ticket]) -> str:
    """The proved number's tickets, with their status."""
    if not tickets:
        return f"Listo, comprobé tu número terminado en {national[-4:]}, pero no tiene reclamos registrados acá."
    listed = "; ".join(f"N.º {t.nro_ticket}: {ESTADO_LABELS.get(t.estado, t.estado).lower()}" for t in tickets[:SHOWN])
    return f"Listo, comprobé tu número. Tus reclamos: {listed}. Tocá uno para ver el detalle."


def asks_for_tickets_by_phone(text: str) -> str | None:
    """The national number of "quiero ver mis reclamos, hice uno por WhatsApp con el 261 444-3322"."""
    national = identity.find_phone(text)
    norm = normalize(text)
    if national is None or not _TICKETS_CUE.search(norm) or has_problem_cue(norm):
        return None  # a complaint that gives a phone as its contact is not a request to see one's tickets
    return national


def _buttons(settings: BotSettings, tickets: list[Ticket]) -> list[Button]:
    shown = [
        Button(f"N.º {t.nro_ticket}", action="consultar_reclamo", payload={"nro_ticket": t.nro_ticket})
        for t in tickets[:SHOWN]
    ]
    return [*shown, *agent_buttons(settings)]


async def step(call: BotCall) -> BotReply | None:
    """A code typed after one was sent, or a request for one's tickets by phone from the widget; None otherwise."""
    ctx, uow, entity, settings, state = call.ctx, call.uow, call.entity, call.settings, call.state
    incoming, session_key, channel = call.turn.incoming, call.session_key, call.channel
    if not session_key or channel == "whatsapp" or incoming.action or state.estado in INTAKE_ESTADOS:
        return None
    text = incoming.text.strip()
    now = ctx.clock()
    match = _CODE_RE.match(normalize(text)) if state.code_pending else None
    if match is not None:
        proved = await identity.verify_code(ctx, uow, entity, session_key=session_key, code=match.group(1), now=now)
        if proved is None:
            return reply(state, CODE_WRONG, agent_buttons(settings))
        state.code_pending, state.verified_phone = False, proved
        found = await identity.tickets_of_phone(uow, entity, proved)
        state.side = "consulta" if found else None
        return reply(state, verified_list(proved, found), _buttons(settings, found))
    national = asks_for_tickets_by_phone(text)
    if national is None:
        return None
    if state.verified_phone == national:
        found = await identity.tickets_of_phone(uow, entity, national)
        return reply(state, verified_list(national, found), _buttons(settings, found))
    try:
        code = await identity.new_code(ctx, uow, entity, session_key=session_key, national=national, now=now)
    except TooManyRequests:
        return reply(state, CODE_LIMITED, agent_buttons(settings))
    runtime = ctx.whatsapp
    if code is not None and runtime is not None and await wa_repository.account_for_entity(uow.session, entity.id):
        minutes = max(1, ctx.settings.identity_code_ttl_seconds // 60)
        message = wa_schemas.Outgoing(identity.code_message(code, minutes))
        wa_service.queue(uow, runtime, entity_id=entity.id, wa_id=identity.wa_id_of(national), outgoing=message)
    state.code_pending = True
    return reply(state, CODE_SENT, agent_buttons(settings))
