"""The urgency step of a bot turn: escalate an emergency, ask when unsure, or let the turn go on.

`screen` is called once per turn by `bot.service.converse`. An urgent message opens an urgent ticket whose first
message is what the citizen wrote, followed by the bot's safety answer. When the detector is unsure, the bot asks
one question ("¿Hay alguien en peligro ahora mismo?") with two buttons; the message it is about is kept (in the
`urgency_questions` table, and in the web button's payload) so that "Sí" escalates it exactly like an urgent
verdict and "No" continues the normal flow with it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Final

from ventanilla.bot import danger, engine, flow, waiting
from ventanilla.bot.intake import normalize
from ventanilla.bot.intents import Intent, foreign_emergency, is_complaint_statement
from ventanilla.bot.intents import classify as intent_of
from ventanilla.bot.models import UrgencyQuestion
from ventanilla.bot.replies import categories
from ventanilla.bot.slots import extract
from ventanilla.chat import service as livechat
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
    prior: engine.Incoming | None = None
    """A message to play before this one: what the unanswered danger question was about."""


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


async def screen(call: Any) -> Screened:
    """Run the urgency step of one turn (`call` is the service's Call: who, where, the turn and the state)."""
    uow, entity, session_key = call.uow, call.entity, call.session_key
    incoming: engine.Incoming = call.turn.incoming
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
        return await _escalate(call, original, _confirmed(original, category))
    prior = None
    if pending is not None:
        await uow.session.delete(pending)  # the citizen moved on without answering: the question's text comes first
        prior = engine.Incoming(text=pending.text) if pending.text and pending.text != text else None

    screens = bool(text) and action not in _NO_CLASSIFY_ACTIONS
    quiet = False
    if screens and (flow.is_slot_answer(call.state, text) or flow.is_contact_only(text) or _contact_aside(call, text)):
        # A street, a name, a phone ("Av. Incendio 55" is an address): only a sure self-harm verdict counts.
        quiet, screens = True, False
    elif screens and prior is not None and _gives_place_or_contact(text) and not danger.rules_alarm(text):
        # The danger question answered with where it is ("queda en Mitre 300, al lado de casa"): an answer to the
        # step, screened like one; asking again about it looped the citizen on the question.
        quiet, screens = True, False
    elif screens and intent_of(text) in _NOT_REPORTS:
        # What reports nothing (a cancel, thanks, a lost PIN) is screened fully when the rules see danger in it ("ya
        # no quiero vivir más" reads like a cancel, "chau, me quiero matar" like a goodbye), else like a step's answer.
        # A long message is a report whatever its first words ("Compañera, mi hermana salió ayer y no volvió…").
        quiet = not danger.rules_alarm(text) and len(text.split()) <= _SHORT_WORDS
        screens = not quiet
    verdict = classify(text) if screens or quiet else None
    if screens and _asks_numbers(text) and (verdict is None or verdict.level != "urgent"):
        # A question for the numbers; one that also tells an emergency now ("¿cuál es el número de la policía? hay
        # dos tipos intentando abrir la puerta") is that emergency.
        return Screened(incoming, _numbers_answer(call), prior=prior)
    if verdict is not None and quiet:
        verdict = _quiet_danger(verdict)
    elif verdict is not None:
        reports = is_complaint_statement(normalize(text), categories(call.settings))
        verdict = danger.read(text, verdict, reports_problem=reports)
    if verdict is not None and intent_of(text) is Intent.OTHER_LANGUAGE:
        # The model reads Spanish: in English or Portuguese plain emergency words escalate; what the classifier still
        # reads as danger there is asked about, never dropped (a friend caught by the current, a man at the door).
        if foreign_emergency(text):
            verdict = Verdict(True, 0.9, "explicit", ("emergencia en otro idioma",))
        elif verdict.level != "calm":
            verdict = Verdict(False, verdict.score, verdict.category, verdict.reasons, unsure=True)
    if (
        verdict is not None
        and _hypothetical(text)
        and (verdict.level != "calm" or _EMERGENCY_WORDS_RE.search(fold(text)))
    ):
        if verdict.level == "urgent":
            # Asked as a question but read as an emergency ("para un amigo: si alguien tiene un plan para matarse…
            # ¿qué se hace? él está acá al lado"): the bot asks whether someone is in danger now, never lets it pass.
            return await _ask(call, text, verdict)
        return Screened(incoming, _general_answer(call, verdict), prior=prior)
    if verdict is None or verdict.level == "calm":
        return Screened(incoming, prior=prior)
    if verdict.level == "urgent":
        return await _escalate(call, text, verdict)
    return await _ask(call, text, verdict)


def _contact_aside(call: Any, text: str) -> bool:
    """At the contact step or the summary, a message that gives a phone or an email with words around it ("ah y
    para contactarme mejor al fijo 0261 4251234, este cel es de mi hija") and tells no problem and no danger."""
    state = call.state
    if state.estado not in ("recolectando_datos_personales", "confirmando_reclamo"):
        return False
    slots = extract(text, asked="datos_personales")
    return (
        bool(slots.telefono or slots.email)
        and not is_complaint_statement(normalize(text), categories(call.settings))
        and not danger.rules_alarm(text)
    )


_HYPOTHETICAL_RE = re.compile(
    r"^(?:y\s+)?(?:si\s+(?:hay|me|alguien|se|tengo|veo|pasa)|"
    r"que (?:hago|hay que hacer|pasa|se hace) (?:si|cuando|en caso)|"
    r"a (?:quien|donde|que numero) (?:llamo|hay que llamar|se llama|aviso|denuncio)|que numero|"
    r"en caso de|(?:y\s+)?(?:por|para) (?:un|una|el|la)\b|cual es el (?:numero|telefono)|"
    r"como (?:denuncio|se denuncia|aviso|hago para denunciar)|donde (?:denuncio|llamo|aviso))"
)
_EMERGENCY_WORDS_RE = re.compile(
    r"\b(?:incendio|fuego|humo|gas|accidente|choque|desmay\w*|infarto|robo|violencia|inundacion|herid\w*|emergencia|"
    r"ambulancia|bomberos|policia|electrocut\w*|ahog\w*|asalto|convulsion\w*)\b"
)
_NOT_REPORTS = frozenset(
    {
        Intent.GREETING,
        Intent.THANKS,
        Intent.CHITCHAT,
        Intent.PERSON,
        Intent.CANCEL,
        Intent.CONSULT,
        Intent.RESTART,
        Intent.LOST_PIN,
        Intent.WHY_DATA,
        Intent.WHEN_FIXED,
        Intent.FALSE_ALARM,
    }
)
_NUMBERS_RE = re.compile(
    r"\b(?:numeros? de emergencia|(?:numero|telefono|tel)\w* (?:de|del|de la|de los) (?:bomberos|ambulancia|"
    r"policia|defensa civil|same|emergencias?)|(?:^|\by )(?:(?:el|la|los) )?(?:de|del|de la|de los|y la|y los|y el) "
    r"(?:bomberos|"
    r"ambulancia|policia|defensa civil|same)\W*$|a (?:que|cual) numero (?:llamo|hay que llamar))"
)


def _asks_numbers(text: str) -> bool:
    """A question for the emergency numbers themselves ("¿cuál es el número de los bomberos?", "¿y de la
    ambulancia?"), not a report."""
    folded = fold(text).strip(" ¿?¡!.")
    return (
        ("?" in text or "numero" in folded or "telefono" in folded)
        and bool(_NUMBERS_RE.search(folded))
        and not (_NOW_RE.search(folded))
    )


_SURE_SELF_HARM: Final = 0.8
_SHORT_WORDS: Final = 8
"""Longer than this, a message whose first words read as a greeting, thanks or goodbye is screened as a report."""
_NOW_RE = re.compile(r"\b(?:ahora|ya mismo|urgente|ayuda|auxilio|socorro|esta pasando|se esta|rapido|apurense)\b")


def _gives_place_or_contact(text: str) -> bool:
    """The text names a place, a phone or an email."""
    slots = extract(text)
    return slots.place is not None or bool(slots.telefono or slots.email)


def _quiet_danger(verdict: Verdict) -> Verdict:
    """What counts in an answer to a step or a message that reports nothing, when the rules saw no words of danger in
    it: a sure self-harm verdict (often written that quietly) makes the bot ask ("no quiero seguir" may be a cancel
    or a wish to die: the person says which). Anything less goes on with the step: asking "¿Hay alguien en peligro?"
    about "no tengo foto ahora" (0.33) was the e2e walk's false alarm."""
    if verdict.category != "self_harm" or not verdict.urgent or verdict.score < _SURE_SELF_HARM:
        return Verdict(False, 0.0, "none", ())
    return Verdict(False, verdict.score, verdict.category, verdict.reasons, unsure=True)


def _hypothetical(text: str) -> bool:
    """A question about emergencies in general ("¿y por un accidente de tránsito?"), not one happening now."""
    folded = fold(text).strip(" ¿?¡!.")
    return ("?" in text or "¿" in text) and bool(_HYPOTHETICAL_RE.match(folded)) and not _NOW_RE.search(folded)


def _general_answer(call: Any, verdict: Verdict) -> engine.BotReply:
    """The emergency numbers, without a ticket; a person if it is happening now."""
    config = call.entity.config or {}
    safety = safety_message(verdict.category, config.get("emergency_lines") or None)
    text = for_channel(f"{safety}\n\n{NUMBERS}\n\n{GENERAL_TAIL}", call.channel)
    buttons = [engine.REQUEST_AGENT_BUTTON] if call.settings.live_chat_open else []
    return engine.BotReply(respuesta=text, botones=buttons, categorias=[], state=call.state)


def _numbers_answer(call: Any) -> engine.BotReply:
    """The emergency numbers, asked for their own sake: no ticket, no danger question."""
    text = for_channel(f"{NUMBERS}\n\n{GENERAL_TAIL}", call.channel)
    return engine.BotReply(respuesta=text, botones=[], categorias=[], state=call.state)


NUMBERS: Final = (
    "Los números de emergencia: 911 (policía y emergencias), 100 (bomberos), 107 (emergencias médicas, SAME) "
    "y 103 (Defensa Civil)."
)
GENERAL_TAIL: Final = (
    "Si está pasando ahora y hay alguien en peligro, llamá ya y avisame: te paso con una persona del equipo."
)


def still_urgent(call: Any, text: str) -> str | None:
    """The safety answer again when a message sent while waiting tells of danger now."""
    verdict = classify(text) if text and not flow.is_slot_answer(call.state, text) else None
    if verdict is None or verdict.level != "urgent":
        return None
    config = call.entity.config or {}
    return for_channel(safety_message(verdict.category, config.get("emergency_lines") or None), call.channel)


def _confirmed(text: str, category: str | None) -> Verdict:
    """The verdict of a message the citizen confirmed: someone is in danger now."""
    verdict = classify(text)
    chosen = category if category and category != "none" else verdict.category
    if chosen == "none":
        chosen = "explicit"
    return Verdict(True, max(verdict.score, 0.5), chosen, (*verdict.reasons, "el vecino confirmó que hay peligro"))  # type: ignore[arg-type]


async def _ask(call: Any, text: str, verdict: Verdict) -> Screened:
    incoming: engine.Incoming = call.turn.incoming
    if call.session_key:
        call.uow.session.add(
            UrgencyQuestion(
                entity_id=call.entity.id,
                session_key=call.session_key,
                text=text,
                category=verdict.category,
                created_at=utcnow(),
            )
        )
        await call.uow.session.flush()
    # The widget echoes a button's payload; WhatsApp ids are short, so there the stored question is the memory.
    payload = None if call.channel == "whatsapp" else {"texto": text, "categoria": verdict.category}
    buttons = [
        engine.Button("Sí", action=YES_ACTION, payload=payload),
        engine.Button("No", action=NO_ACTION, payload=payload),
    ]
    reply = engine.BotReply(respuesta=QUESTION, botones=buttons, categorias=[], state=call.state)
    return Screened(incoming, reply, extra={"pregunta_urgencia": True, "urgencia": verdict.to_dict()})


def contact_of(state: engine.ConversationState, citizen: User | None) -> dict[str, str | None]:
    """The citizen's name, email and phone: what the conversation gathered, else their account's."""
    draft = state.draft
    return {
        "nombre": draft.nombre or (citizen.name if citizen else None),
        "email": draft.email or (citizen.email if citizen else None),
        "telefono": draft.telefono or (citizen.phone if citizen else None),
    }


async def _escalate(call: Any, text: str, verdict: Verdict) -> Screened:
    """Safety answer at once; an urgent ticket the agents see first; live chat offered or opened."""
    ctx, uow, entity, settings, state = call.ctx, call.uow, call.entity, call.settings, call.state
    channel, session_key, citizen, turn = call.channel, call.session_key, call.citizen, call.turn
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
    # The agent opens the ticket on the citizen's words (before "Ana se unió a la conversación", which the
    # assignment below adds), then what the bot answered; the citizen saw both as this turn's exchange, so no
    # listener re-sends them.
    await tickets.add_message(
        uow,
        entity,
        ticket,
        tickets.NewMessage(
            author_kind="citizen",
            text=text,
            origen="chat" if channel == "web" else channel,
            author=citizen,
            author_name=contact["nombre"] or "Vecino",
            notify=False,
        ),
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
        await livechat.assign_waiting(ctx, uow, entity, answering=ticket)  # the answer names who took it
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
    if not self_harm:
        ask = waiting.first_question(state, ticket)
        if ask:
            parts.append(ask)
    respuesta = for_channel("\n\n".join(parts), channel)
    origen = "chat" if channel == "web" else channel
    answered = await tickets.add_message(
        uow,
        entity,
        ticket,
        tickets.NewMessage(
            author_kind="bot", author_name="Asistente virtual", text=respuesta, origen=origen, notify=False
        ),
    )
    if auto_open:
        livechat.watch_urgent(ctx, uow, ticket, after_message_id=answered.id)
    ticket.has_unread = True  # the citizen's words wait for an agent, whatever the bot answered
    reply = engine.BotReply(respuesta=respuesta, botones=buttons, categorias=[], state=state)
    reply.ticket_id = ticket.id
    return Screened(
        engine.Incoming(text=text), reply, ticket, extra={"urgente": True, "categoria_urgencia": verdict.category}
    )
