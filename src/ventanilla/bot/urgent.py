"""The urgency step of a bot turn: escalate an emergency, ask when unsure, or let the turn go on.

`screen` is called once per turn by `bot.service.converse`. An urgent message opens an urgent ticket whose first
message is what the citizen wrote, followed by the bot's safety answer. When the detector is unsure, the bot asks
one question ("¿Hay alguien en peligro ahora mismo?") with two buttons; the message it is about is kept (in the
`urgency_questions` table, and in the web button's payload) so that "Sí" escalates it exactly like an urgent
verdict and "No" continues the normal flow with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from ventanilla.bot import engine
from ventanilla.bot.models import UrgencyQuestion
from ventanilla.chat import service as livechat
from ventanilla.context import AppContext
from ventanilla.db import UnitOfWork, utcnow
from ventanilla.entities.models import Entity
from ventanilla.text import MAX_MESSAGE_CHARS, fold
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket
from ventanilla.urgency import Verdict, classify, safety_message
from ventanilla.urgency.messages import SUICIDE_LINE, for_channel
from ventanilla.users.models import User

QUESTION: Final = "¿Hay alguien en peligro ahora mismo?"
YES_ACTION: Final = "urgencia_si"
NO_ACTION: Final = "urgencia_no"
QUESTION_TTL: Final = dt.timedelta(hours=2)
_YES_WORDS: Final = frozenset({"si", "sii", "siii", "si hay", "si, hay", "si!", "sí", "s", "hay"})
_NO_WORDS: Final = frozenset({"no", "noo", "nop", "no hay", "no, no hay", "no!", "n", "nadie"})
_NO_CLASSIFY_ACTIONS: Final = frozenset(
    {"initial_greeting", "request_agent", "confirmar_reclamo", "cancelar_reclamo", YES_ACTION, NO_ACTION}
)
CATEGORY_LABELS: Final = {
    "fire": "incendio",
    "gas": "olor o pérdida de gas",
    "electric": "riesgo eléctrico",
    "flood": "inundación",
    "structure": "derrumbe o caída",
    "medical": "emergencia médica",
    "violence": "violencia",
    "missing": "persona perdida",
    "animal": "ataque de animal",
    "traffic": "tránsito peligroso",
    "health": "riesgo sanitario",
    "self_harm": "riesgo para la propia vida",
    "gender_violence": "violencia de género",
    "child": "niña, niño o adolescente en riesgo",
    "explicit": "pedido urgente",
}


@dataclass(slots=True)
class Screened:
    """The urgency step's outcome: a reply that ends the turn, or the turn to go on with."""

    incoming: engine.Incoming
    reply: engine.BotReply | None = None
    ticket: Ticket | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _text_of(payload: Any) -> str:
    texto = payload.get("texto") if isinstance(payload, dict) else None
    return texto.strip()[:MAX_MESSAGE_CHARS] if isinstance(texto, str) else ""


async def _question(uow: UnitOfWork, entity: Entity, session_key: str | None) -> UrgencyQuestion | None:
    if not session_key:
        return None
    found = await uow.session.get(UrgencyQuestion, (entity.id, session_key))
    if found is not None and utcnow() - found.created_at > QUESTION_TTL:
        await uow.session.delete(found)
        return None
    return found


async def screen(
    ctx: AppContext,
    uow: UnitOfWork,
    entity: Entity,
    settings: engine.BotSettings,
    state: engine.ConversationState,
    *,
    channel: str,
    session_key: str | None,
    citizen: User | None,
    turn: Any,
) -> Screened:
    """Run the urgency step of one turn (`turn` is the service's Turn: incoming, attachment)."""
    incoming: engine.Incoming = turn.incoming
    action = (incoming.action or "").strip() or None
    text = incoming.text.strip()
    pending = await _question(uow, entity, session_key)
    answer = action
    if pending is not None and action is None:
        typed = fold(text).strip(" .!¡¿?")
        answer = YES_ACTION if typed in _YES_WORDS else NO_ACTION if typed in _NO_WORDS else None
    if answer in (YES_ACTION, NO_ACTION):
        original = (pending.text if pending is not None else "") or _text_of(incoming.payload)
        category = pending.category if pending is not None else None
        if pending is not None:
            await uow.session.delete(pending)
        if answer == NO_ACTION or not original:
            # Go on as if the bot had never asked, with what the citizen wrote in the first place.
            return Screened(engine.Incoming(text=original))
        confirmed = _confirmed(original, category)
        return await _escalate(
            ctx, uow, entity, settings, state, channel, session_key, citizen, original, confirmed, turn
        )
    if pending is not None:
        await uow.session.delete(pending)  # the citizen moved on without answering

    verdict = classify(text) if text and action not in _NO_CLASSIFY_ACTIONS else None
    if verdict is None or verdict.level == "calm":
        return Screened(incoming)
    if verdict.level == "urgent":
        return await _escalate(ctx, uow, entity, settings, state, channel, session_key, citizen, text, verdict, turn)
    return await _ask(uow, entity, state, channel, session_key, text, verdict, incoming)


def _confirmed(text: str, category: str | None) -> Verdict:
    """The verdict of a message the citizen confirmed: someone is in danger now."""
    verdict = classify(text)
    chosen = category if category and category != "none" else verdict.category
    if chosen == "none":
        chosen = "explicit"
    return Verdict(True, max(verdict.score, 0.5), chosen, (*verdict.reasons, "el vecino confirmó que hay peligro"))  # type: ignore[arg-type]


async def _ask(
    uow: UnitOfWork,
    entity: Entity,
    state: engine.ConversationState,
    channel: str,
    session_key: str | None,
    text: str,
    verdict: Verdict,
    incoming: engine.Incoming,
) -> Screened:
    if session_key:
        uow.session.add(
            UrgencyQuestion(
                entity_id=entity.id, session_key=session_key, text=text, category=verdict.category, created_at=utcnow()
            )
        )
        await uow.session.flush()
    # The widget echoes a button's payload; WhatsApp ids are short, so there the stored question is the memory.
    payload = None if channel == "whatsapp" else {"texto": text, "categoria": verdict.category}
    buttons = [
        engine.Button("Sí", action=YES_ACTION, payload=payload),
        engine.Button("No", action=NO_ACTION, payload=payload),
    ]
    reply = engine.BotReply(respuesta=QUESTION, botones=buttons, categorias=[], state=state)
    return Screened(incoming, reply, extra={"pregunta_urgencia": True, "urgencia": verdict.to_dict()})


def contact_of(state: engine.ConversationState, citizen: User | None) -> dict[str, str | None]:
    """The citizen's name, email and phone: what the conversation gathered, else their account's."""
    draft = state.draft
    return {
        "nombre": draft.nombre or (citizen.name if citizen else None),
        "email": draft.email or (citizen.email if citizen else None),
        "telefono": draft.telefono or (citizen.phone if citizen else None),
    }


async def _escalate(
    ctx: AppContext,
    uow: UnitOfWork,
    entity: Entity,
    settings: engine.BotSettings,
    state: engine.ConversationState,
    channel: str,
    session_key: str | None,
    citizen: User | None,
    text: str,
    verdict: Verdict,
    turn: Any,
) -> Screened:
    """Safety answer at once; an urgent ticket the agents see first; live chat offered or opened."""
    config = entity.config or {}
    safety = safety_message(verdict.category, config.get("emergency_lines") or None, text=text)
    label = CATEGORY_LABELS.get(verdict.category, "urgencia")
    self_harm = verdict.category == "self_harm"
    # Someone who may hurt themself gets a person right away whenever the live chat is open.
    auto_open = settings.live_chat_open and (self_harm or bool(config.get("auto_open_live_chat")))
    # Inside hours with no agent online nobody can take the chat: the citizen hears it now, on-call is paged.
    nobody_online = auto_open and not await livechat.can_take_now(ctx, uow, entity)
    urgency = {
        **verdict.to_dict(),
        "notify_oncall": not settings.live_chat_open or nobody_online,
        "detected_at": utcnow().isoformat(),
    }
    contact = contact_of(state, citizen)
    ticket, _ = await tickets.create_ticket(
        uow,
        entity,
        tickets.NewTicket(
            asunto=f"URGENTE: {label}",
            descripcion=text,
            categoria=state.draft.categoria,
            direccion=state.draft.ubicacion,
            channel="whatsapp" if channel == "whatsapp" else "web",
            prioridad="urgente",
            estado=livechat.WAITING if auto_open else "nuevo",
            is_live_chat=auto_open,
            chat_session_key=session_key,
            citizen=citizen,
            nombre=contact["nombre"],
            email=contact["email"],
            telefono=contact["telefono"],
            urgency=urgency,
            attachment=turn.attachment,
        ),
    )
    reasons = ", ".join(verdict.reasons) or label
    tickets.record_event(
        uow, ticket, "urgencia", to_value=verdict.category, note=f"Escalado automáticamente: {reasons}"
    )
    if session_key:
        chat = await livechat.chat_session(uow, entity, session_key, channel)
        chat.ticket_id = ticket.id
    parts = [safety]
    if not self_harm:
        parts.append(f"Registramos tu mensaje como URGENTE (reclamo N.º {ticket.nro_ticket}).")
    buttons: list[engine.Button] = []
    taken_by: User | None = None
    if auto_open:
        await livechat.assign_waiting(ctx, uow, entity)
        if ticket.assigned_agent_id is not None:
            taken_by = await uow.session.get(User, ticket.assigned_agent_id)
    if taken_by is not None:
        name = (taken_by.name or "").split(" ")[0] or "Una persona del equipo"
        parts.append(
            f"{name}, del equipo, ya tiene tu conversación y te va a escribir acá. Quedate acá: seguimos con vos."
            if self_harm
            else f"{name}, del equipo, ya tiene tu conversación y te va a escribir acá."
        )
    elif auto_open:
        parts.append(
            "Ahora no hay personas del equipo conectadas en este chat, así que no queremos que esperes. "
            f"Por favor llamá ya al 135 o al {SUICIDE_LINE}: atienden gratis, a toda hora. "
            "Si estás en peligro ahora, al 911."
            if self_harm
            else "Ahora no hay personas del equipo conectadas en este chat: usá las líneas de emergencia de arriba."
        )
        parts.append("Avisamos a la guardia de la entidad, y podés seguir escribiéndonos acá.")
    elif settings.live_chat_open:
        parts.append("Si querés, te conectamos ahora con un representante.")
        buttons.append(engine.REQUEST_AGENT_BUTTON)
    elif self_harm:
        parts.append(
            "Ahora no hay personas del equipo conectadas en este chat. "
            f"Por favor llamá ya al 135 o al {SUICIDE_LINE}: atienden gratis, a toda hora. "
            "Si estás en peligro ahora, al 911."
        )
        parts.append("Avisamos a la guardia de la entidad, y podés seguir escribiéndonos acá.")
    else:
        parts.append(settings.closed_message or "En este momento no hay representantes conectados.")
        parts.append("Avisamos a la guardia de la entidad para que lo revise cuanto antes.")
    respuesta = for_channel("\n\n".join(parts), channel)
    # The agent opens the ticket on the citizen's words, then what the bot answered (both already seen by the
    # citizen as this turn's exchange, so no listener re-sends them).
    origen = "chat" if channel == "web" else channel
    await tickets.add_message(
        uow,
        entity,
        ticket,
        author_kind="citizen",
        text=text,
        origen=origen,
        author=citizen,
        author_name=contact["nombre"] or "Vecino",
        notify=False,
    )
    answered = await tickets.add_message(
        uow,
        entity,
        ticket,
        author_kind="bot",
        author_name="Asistente virtual",
        text=respuesta,
        origen=origen,
        notify=False,
    )
    if auto_open:
        livechat.watch_urgent(ctx, uow, ticket, after_message_id=answered.id)
    ticket.has_unread = True  # the citizen's words wait for an agent, whatever the bot answered
    reply = engine.BotReply(respuesta=respuesta, botones=buttons, categorias=[], state=state)
    reply.ticket_id = ticket.id
    return Screened(
        engine.Incoming(text=text), reply, ticket, extra={"urgente": True, "categoria_urgencia": verdict.category}
    )
