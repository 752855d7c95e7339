"""The bot's turn: a pure, deterministic table of (phase, intent) → handler, shared by the widget and WhatsApp.

Global intents (a person, cancel, start over, the menu, consult a ticket, a question) are recognised in every
phase before the phase's own handling; urgency runs before all of them, in the service."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ventanilla.knowledge.retrieval import is_process_faq
from ventanilla.text import fold

from . import asking, flow, intent_model, replies, side, texts
from .intake import (
    CANCEL_WORDS,
    CONFIRM_WORDS,
    MAX_INPUT_CHARS,
    MENU_WORDS,
    SOFT_CANCEL_WORDS,
    clean_text,
    infer_category,
    is_agent_request,
    is_complaint_intent,
    is_consult_intent,
    is_courtesy,
    is_descriptive,
    is_farewell,
    is_greeting,
    is_pleasantry,
    is_thanks,
    match_category,
    normalize,
    question_core,
    thanks_in,
)
from .intents import (
    Intent,
    after_restart,
    classify,
    has_problem_cue,
    is_calm_account,
    is_complaint_statement,
    is_yes,
    split_problems,
)
from .model import (
    INTAKE_ESTADOS,
    AddMessage,
    BotReply,
    BotSettings,
    Button,
    ButtonGroup,
    CancelComplaint,
    ComplaintDraft,
    ConversationState,
    CreateComplaint,
    Effect,
    Incoming,
    LookupTicket,
    RecallTickets,
    RequestAgent,
    TicketView,
    TipoChat,
    coord,
    int_or_none,
    str_field,
)
from .replies import (
    REQUEST_AGENT_BUTTON,
    agent_buttons,
    categories,
    category_from_description,
    live_chat_closed,
    live_chat_requested,
    menu,
    menu_buttons,
    reply,
)
from .slots import find_address, find_ticket_ref
from .understanding import (
    Correction,
    is_emoji_only,
    is_plain_no,
    is_restart,
    looks_like_question,
    parse_correction,
    without_photo_decline,
)

__all__ = [
    "INTAKE_ESTADOS",
    "REQUEST_AGENT_BUTTON",
    "AddMessage",
    "BotReply",
    "BotSettings",
    "Button",
    "ButtonGroup",
    "CancelComplaint",
    "ComplaintDraft",
    "ConversationState",
    "CreateComplaint",
    "Effect",
    "Incoming",
    "LookupTicket",
    "RecallTickets",
    "RequestAgent",
    "TicketView",
    "TipoChat",
    "agent_buttons",
    "category_from_description",
    "complaint_created",
    "is_agent_request",
    "is_bot_command",
    "live_chat_closed",
    "live_chat_requested",
    "respond",
]

_TICKET_REF = re.compile(
    r"^(?:mi |el )?(?:reclamo|ticket|solicitud)(?: (?:n|nro|numero|no|o))? ?\d{1,12}(?: \d{4,10})?$"
)
"""A bare "reclamo 12" is a look-up in any phase."""
_NUMBER_AND_PIN = re.compile(r"^\d{1,12} \d{4,10}$")
"""Outside an intake (where it could be a phone), "5 257382" is a number and a PIN."""
_OWN_TICKETS_RE = re.compile(
    r"\b(?:los que hice|el que hice|la que hice|que hice|mis reclamos|mi reclamo|desde este (?:mismo )?(?:whatsapp|"
    r"numero|chat|telefono)|con este (?:numero|telefono|whatsapp)|no (?:lo )?tengo|no me acuerdo|no se (?:el|cual))\b"
)
_WANTS_TO_FILE_RE = re.compile(
    r"\b(?:quiero|quisiera|queria|necesito|vengo a|voy a|tengo que|me gustaria|deseo|para)\s+(?:hacer|presentar|"
    r"dejar|poner|cargar|iniciar|realizar|mandar|levantar)\s+(?:(?:un|una|dos|tres|unos|unas|varios|varias|otro|otra|"
    r"\d)\s+)?(?:reclamos?|quejas?|denuncias?)\b"
)
"""The wish to file ("quiero hacer 2 reclamos"): the intake starts; the desk's how-to is not the answer."""
_MENU_ACTIONS = frozenset({"menu", "volver_menu", "menu_principal", "mostrar_menu"})


@dataclass(frozen=True, slots=True)
class Turn:
    """One citizen turn, cleaned."""

    text: str
    norm: str
    action: str | None
    payload: Mapping[str, Any]
    datos_personales: Mapping[str, Any] | None
    latitud: float | None
    longitud: float | None
    attachment_url: str | None
    correction: Correction | None = None
    awaiting: str | None = None

    @property
    def has_media(self) -> bool:
        """A point or a file came with the turn."""
        return self.attachment_url is not None or self.latitud is not None


def _read_turn(incoming: object) -> Turn:
    if not isinstance(incoming, Incoming):
        incoming = Incoming()
    text = clean_text(incoming.text, MAX_INPUT_CHARS)
    action = incoming.action.strip()[:64] if isinstance(incoming.action, str) else None
    payload = incoming.payload if isinstance(incoming.payload, Mapping) else {}
    dp = incoming.datos_personales if isinstance(incoming.datos_personales, Mapping) else None
    lat, lon = coord(incoming.latitud, 90.0), coord(incoming.longitud, 180.0)
    if lat is None or lon is None:
        lat = lon = None
    return Turn(
        text,
        normalize(text),
        action or None,
        payload,
        dp,
        lat,
        lon,
        str_field(incoming.attachment_url, "attachment_url"),
    )


def _media(state: ConversationState, turn: Turn) -> list[str]:
    return flow.apply_media(state, turn.latitud, turn.longitud, turn.attachment_url)


def _phase(state: ConversationState) -> str:
    if state.side in ("consulta", "mensaje"):
        return state.side
    if state.estado not in INTAKE_ESTADOS:
        return "menu"
    awaiting = state.awaiting or flow_awaiting(state)
    return "confirm" if awaiting in ("datos_personales", "confirmacion") else "intake"


def flow_awaiting(state: ConversationState) -> str:
    """The intake's current step, derived when not stored."""
    missing = state.draft.missing()
    if missing:
        return missing[0]
    return "datos_personales" if state.draft.missing_personal() else "confirmacion"


def _intent(settings: BotSettings, phase: str, turn: Turn) -> tuple[str, Turn]:
    """What the text asks for, global intents first."""
    text, norm = turn.text, turn.norm
    if not norm:
        if is_emoji_only(text) and not turn.has_media:
            return ("emoji", turn)
        return ("empty", turn)
    label = classify(text, categories(settings))
    if label is Intent.PERSON:
        return ("agent", turn)
    if phase == "mensaje" and label not in (Intent.CANCEL, Intent.RESTART):
        return ("text", turn)
    if label is Intent.OTHER_LANGUAGE:
        return ("other_language", turn)
    if phase == "confirm" and (norm in CONFIRM_WORDS or is_yes(norm)):
        return ("text", turn)
    if phase == "confirm" and is_plain_no(norm):
        return ("plain_no", turn)
    if norm in (CANCEL_WORDS if phase == "confirm" else SOFT_CANCEL_WORDS):
        return ("cancel", turn)
    if label is Intent.RESTART or is_restart(norm):
        return ("restart", turn)
    if label is Intent.CANCEL:
        return ("goodbye", turn) if phase == "menu" else ("cancel", turn)
    if norm in MENU_WORDS:
        return ("menu", turn)
    if label is Intent.LOST_PIN:
        return ("lost_pin", turn)
    if (
        (phase == "consulta" and any(ch.isdigit() for ch in norm))
        or _TICKET_REF.match(norm)
        or (phase == "menu" and _NUMBER_AND_PIN.match(norm))
        or label is Intent.CONSULT
    ):
        return ("consult", turn)
    if is_consult_intent(norm):
        return ("consult", turn)
    if phase in ("intake", "confirm"):
        correction = parse_correction(text, at_summary=phase == "confirm")
        if correction is not None:
            return ("correction", Turn(**{**{f: getattr(turn, f) for f in Turn.__slots__}, "correction": correction}))
    if label in (Intent.FRUSTRATION, Intent.INSULT) and phase == "menu" and _tells_problem_at_place(settings, turn):
        return ("angry_complaint", turn)
    if label in _SIMPLE_INTENTS and not (
        label in (Intent.FRUSTRATION, Intent.INSULT) and phase == "intake" and state_awaits_description(turn)
    ):
        return (label.value, turn)
    if label is Intent.CHITCHAT and phase == "menu":
        return ("chitchat", turn)
    if label is Intent.GREETING and phase == "menu" and is_pleasantry(norm):
        return ("text", turn)  # "¿cómo está usted? Espero que muy bien": courtesy, not a question for the desk
    if label is not Intent.COMPLAINT and looks_like_question(text, norm, topic_words=phase == "menu"):
        return ("question", turn)
    return ("text", turn)


_ASIDE_RE = re.compile(r"[^,.;:!?¿]*\?")


def _question_aside(settings: BotSettings, state: ConversationState, text: str) -> list[str]:
    """ "tengo un pozo para reclamar, pero antes, ¿a qué hora abren?": the desk's answer comes first."""
    asked = [m.group(0).strip() for m in _ASIDE_RE.finditer(text.replace("¿", ""))]
    for question in asked:
        if len(question.split()) < 3:
            continue
        hit = asking.find_asked(settings, ConversationState(), question)
        if hit is not None and not asking.is_problem_report(question):
            return [hit.item.answer]
    return []


def _tells_problem_at_place(settings: BotSettings, turn: Turn) -> bool:
    """ "siempre lo mismo, me mato en el pozo de Paso de los Andes y Arístides": a complaint said angrily."""
    return (
        is_descriptive(turn.norm, 4)
        and (has_problem_cue(turn.norm) or infer_category(turn.norm, categories(settings)) is not None)
        and find_address(turn.text) is not None
    )


def state_awaits_description(turn: Turn) -> bool:
    """The intake asked what happened: anger in the answer is part of the story, not a separate turn."""
    return turn.awaiting == "descripcion" and is_descriptive(turn.norm, 4)


_SIMPLE_INTENTS = frozenset({Intent.FRUSTRATION, Intent.INSULT, Intent.WHY_DATA, Intent.WHEN_FIXED})


def is_bot_command(text: str) -> bool:
    """Messages meant for the bot even while an agent follows the citizen: the menu, a person, a look-up."""
    norm = normalize(clean_text(text, 500))
    return norm in MENU_WORDS or is_restart(norm) or is_agent_request(text) or bool(_TICKET_REF.match(norm))


Handler = Callable[[BotSettings, ConversationState, Turn], BotReply]


def _on_agent(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return reply(state, texts.CONNECTING, effect=RequestAgent())


def _on_other_language(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    if not settings.live_chat_open:
        return reply(state, texts.OTHER_LANGUAGE_CLOSED, menu_buttons(settings))
    return reply(state, texts.OTHER_LANGUAGE, [REQUEST_AGENT_BUTTON, *menu_buttons(settings, with_agent=False)])


def _on_goodbye(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return menu(settings, state, texts.GOODBYE)


def _on_lost_pin(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    # This chat's own complaints need no PIN: shown at once when there are any (the service looks them up).
    return reply(state, "", effect=LookupTicket(None, None, lost_pin=True))


def _on_frustration(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return reply(state, "", effect=RecallTickets())


def _on_insult(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    if state.estado in INTAKE_ESTADOS:
        return flow.prompt(settings, state, [texts.INSULT_IN_INTAKE])
    return menu(settings, state, texts.INSULT)


def _on_why_data(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return side.with_resume(
        settings, state, texts.WHY_DATA, [], state.estado if state.estado != "inicio" else "conversacion_general"
    )


_CALENDAR_RE = re.compile(
    r"\b(?:lunes|martes|miercoles|jueves|viernes|sabados?|domingos?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|setiembre|octubre|noviembre|diciembre)\b"
)


def _on_when_fixed(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    if state.estado not in INTAKE_ESTADOS and not asking.is_problem_report(turn.text):
        # "¿cuándo pasan a podar?" asks the calendar of a service the desk knows, not when a complaint gets fixed.
        hit = asking.find(settings, state, turn.text)
        if hit is not None and not is_process_faq(hit.item) and _CALENDAR_RE.search(fold(hit.item.answer)):
            return side.answer(settings, state, hit.item, turn.text)
    return side.with_resume(
        settings, state, texts.WHEN_FIXED, [], state.estado if state.estado != "inicio" else "conversacion_general"
    )


def _on_angry_complaint(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    answered = _on_menu_text(settings, state, turn, asked=True)
    if not is_calm_account(turn.text, turn.norm):
        answered.respuesta = f"{texts.SORRY_AGAIN} {answered.respuesta}"
    return answered


def _on_chitchat(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return menu(settings, state, f"{texts.CHITCHAT} {texts.MENU_INTRO}")


def _on_cancel(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return reply(
        ConversationState(), texts.cancelled(settings.tipo_chat), menu_buttons(settings), effect=CancelComplaint()
    )


def _on_restart(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    state.side = None
    flow.begin(state)
    rest = after_restart(turn.text)
    norm = normalize(rest)
    if is_descriptive(norm, 3) and is_complaint_statement(norm, categories(settings)):
        # "empecemos de cero: se rompió un caño en Salta 1450": the complaint told again, taken at once.
        lead = flow.absorb_contact(state, rest, None)
        flow.apply_description(settings, state, rest, norm)
        return flow.advance(settings, state, [*_media(state, turn), *lead])
    return flow.advance(settings, state, [texts.RESTARTED])


def _on_menu(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return menu(settings, state, texts.MENU_INTRO)


def _on_consult(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    consulting = state.side == "consulta"
    ref = find_ticket_ref(turn.text, bare_pin=consulting and (state.side_nro is not None))
    nro, pin = ref.nro, ref.pin
    if consulting and nro is None:
        nro = state.side_nro
    if consulting and pin is None and nro is not None and nro != state.side_nro:
        pin = state.side_pin
    if nro is None and pin is not None:
        state.side, state.side_pin = "consulta", pin
        return side.with_resume(
            settings, state, texts.ASK_NUMBER, side.own_or_agent_buttons(settings), "conversacion_general"
        )
    return side.lookup(state, nro, pin)


def _on_question(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    answered = side.question(settings, state, turn.text)
    return answered if answered is not None else _on_menu_text(settings, state, turn, asked=True)


def _on_empty(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    lead = _media(state, turn)
    if state.estado in INTAKE_ESTADOS:
        return flow.prompt(settings, state, lead or [texts.EMPTY])
    if turn.has_media:
        flow.begin(state)
        return flow.advance(settings, state, _media(state, turn))
    return menu(settings, state, texts.MENU_INTRO)


def _on_emoji(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    if _phase(state) == "confirm":
        return flow.on_confirm_text(settings, state, turn.text, turn.norm, [])
    if state.estado in INTAKE_ESTADOS:
        return flow.prompt(settings, state, [texts.EMOJI_ONLY])
    return menu(settings, state, f"{texts.EMOJI_ONLY} {texts.MENU_INTRO}")


def _on_correction(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    assert turn.correction is not None
    return flow.on_correction(settings, state, turn.correction, _media(state, turn))


def _on_plain_no(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return flow.on_plain_no(settings, state, _media(state, turn))


def _on_field(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return flow.on_field_answer(settings, state, turn.text, turn.norm, _media(state, turn))


def _on_confirm_text(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return flow.on_confirm_text(settings, state, turn.text, turn.norm, _media(state, turn))


def _on_consult_text(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    if _OWN_TICKETS_RE.search(turn.norm):
        return side.lookup(state, None, None)
    state.side = None
    if state.estado in INTAKE_ESTADOS:
        return _table(_phase(state), "text")(settings, state, turn)
    return _on_menu_text(settings, state, turn)


def _on_message_text(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply:
    return side.message_text(state, turn.text)


def _on_menu_text(settings: BotSettings, state: ConversationState, turn: Turn, asked: bool = False) -> BotReply:
    norm = turn.norm
    tipo = settings.tipo_chat
    if is_greeting(norm) or is_pleasantry(norm):
        return menu(settings, state, texts.GREETING_SHORT)
    # bot21b: a question, not a complaint; a photo with its caption ("este perro") always reports something
    filing = bool(_WANTS_TO_FILE_RE.search(norm))
    desk = None if asked or turn.has_media or filing else asking.desk_question(settings, state, turn.text)
    if desk is not None:
        return side.answer(settings, state, desk.item, turn.text)
    category = infer_category(norm, categories(settings))
    problem = is_complaint_intent(norm, tipo) or has_problem_cue(norm)
    if category is not None and not problem and not asked and not turn.has_media:
        # A topic word alone ("el camión de la basura", "la poda") is a question when the desk knows the answer.
        known = asking.find(settings, state, turn.text)
        if known is not None:
            return side.answer(settings, state, known.item, turn.text)
    parts = split_problems(turn.text, categories(settings)) if not turn.has_media else [turn.text]
    if len(parts) > 1:
        # Two problems in one message: the first now, the others after it is filed (the contact kept for them).
        flow.begin(state)
        lead = flow.absorb_contact(state, turn.text, None)
        state.pending_problems = parts[1:]
        flow.apply_description(settings, state, parts[0], normalize(parts[0]))
        return flow.advance(settings, state, [texts.one_at_a_time(len(parts)), *lead])
    if category is not None or problem or is_complaint_statement(norm, categories(settings)):
        flow.begin(state)
        state.draft.categoria = category
        lead = flow.absorb_contact(state, turn.text, None)
        told = is_descriptive(norm, 3) and (category is not None or has_problem_cue(norm) or find_address(turn.text))
        # "hay un pozo" is a description a clerk accepts; so is a long account without a category word.
        if told or (category is not None and has_problem_cue(norm)) or is_descriptive(norm, 6):
            flow.apply_description(settings, state, turn.text, norm)
        aside = _question_aside(settings, state, turn.text)
        return flow.advance(settings, state, [*aside, *_media(state, turn), *lead])
    if flow.is_contact_only(turn.text):
        # "hola, soy Patricia Gil": kept for the complaint that follows.
        flow.absorb_contact(state, turn.text, None)
        return menu(settings, state, texts.hello_name(state.draft.nombre))
    if is_thanks(norm):
        return menu(settings, state, texts.THANKS, estado=state.estado)
    if is_courtesy(norm) and not turn.has_media and not has_problem_cue(norm) and find_address(turn.text) is None:
        # "Muy amable, que Dios la bendiga", "Hasta luego.", "Buen día, que Dios los bendiga por el trabajo que hacen"
        said = texts.THANKS if thanks_in(norm) else texts.GOODBYE if is_farewell(norm) else texts.GREETING_SHORT
        return menu(settings, state, said, estado=state.estado)
    hit = None if asked else asking.find(settings, state, turn.text)
    if hit is not None:
        return side.answer(settings, state, hit.item, turn.text)
    if not asked and is_descriptive(norm, 4) and find_address(turn.text) is not None:
        # Something happened somewhere: a clerk takes it as a complaint and asks what is missing.
        flow.begin(state)
        lead = flow.absorb_contact(state, turn.text, None)
        flow.apply_description(settings, state, turn.text, norm)
        return flow.advance(settings, state, [*_media(state, turn), *lead])
    if flow.absorb_contact(state, turn.text, None):
        # "habla Marta Gutiérrez, le quería comentar, mi teléfono es ...": kept for the complaint that follows.
        return menu(settings, state, texts.hello_name(state.draft.nombre))
    learned = _by_the_model(settings, state, turn)
    if learned is not None:
        return learned
    return menu(settings, state, texts.fallback(settings.live_chat_open), estado="conversacion_general")


def _by_the_model(settings: BotSettings, state: ConversationState, turn: Turn) -> BotReply | None:
    """A message no rule names: the learned model's label when it is sure (a new wording of a known wish)."""
    if turn.has_media or not question_core(turn.norm):
        return None  # a photo's caption only describes it; lead-in words alone ("una consulta") ask nothing yet
    found = intent_model.guess(turn.text)
    if found is None:
        return None
    label = found.label
    if label == "complaint" and is_descriptive(turn.norm, 3):
        flow.begin(state)
        flow.apply_description(settings, state, turn.text, turn.norm)
        return flow.advance(settings, state, _media(state, turn))
    if label == "consult":
        return side.lookup(state, None, None)
    if label == "greeting":
        return menu(settings, state, texts.GREETING_SHORT)
    if label == "thanks":
        return menu(settings, state, texts.THANKS, estado=state.estado)
    handler = _MODEL_HANDLERS.get(label)
    return handler(settings, state, turn) if handler is not None else None


_MODEL_HANDLERS: dict[str, Handler] = {
    "person": _on_agent,
    "cancel": _on_goodbye,
    "lost_pin": _on_lost_pin,
    "frustration": _on_frustration,
    "insult": _on_insult,
    "chitchat": _on_chitchat,
    "restart": _on_menu,
    "why_data": _on_why_data,
    "when_fixed": _on_when_fixed,
}


_TABLE: dict[tuple[str, str], Handler] = {
    ("*", "agent"): _on_agent,
    ("*", "other_language"): _on_other_language,
    ("*", "goodbye"): _on_goodbye,
    ("*", "lost_pin"): _on_lost_pin,
    ("*", "frustration"): _on_frustration,
    ("*", "insult"): _on_insult,
    ("*", "why_data"): _on_why_data,
    ("*", "when_fixed"): _on_when_fixed,
    ("*", "chitchat"): _on_chitchat,
    ("*", "angry_complaint"): _on_angry_complaint,
    ("*", "cancel"): _on_cancel,
    ("*", "restart"): _on_restart,
    ("*", "menu"): _on_menu,
    ("*", "consult"): _on_consult,
    ("*", "question"): _on_question,
    ("*", "empty"): _on_empty,
    ("*", "emoji"): _on_emoji,
    ("intake", "correction"): _on_correction,
    ("confirm", "correction"): _on_correction,
    ("menu", "text"): _on_menu_text,
    ("intake", "text"): _on_field,
    ("confirm", "text"): _on_confirm_text,
    ("confirm", "plain_no"): _on_plain_no,
    ("consulta", "text"): _on_consult_text,
    ("consulta", "question"): _on_consult_text,
    ("mensaje", "text"): _on_message_text,
    ("mensaje", "question"): _on_message_text,
    ("mensaje", "consult"): _on_message_text,
}


def _table(phase: str, intent: str) -> Handler:
    return _TABLE.get((phase, intent)) or _TABLE[("*", intent)]


def _on_action(settings: BotSettings, st: ConversationState, turn: Turn) -> BotReply | None:
    """Buttons and widget actions; None for an unknown action (the text is read instead)."""
    action = turn.action
    if action == "cancelar_reclamo":
        return _on_cancel(settings, st, turn)
    if action == "request_agent":
        return _on_agent(settings, st, turn)
    if action in _MENU_ACTIONS:
        return _on_menu(settings, st, turn)
    if action == "consultar_reclamo":
        nro = int_or_none(turn.payload.get("nro_ticket"))
        return side.lookup(st, nro, None) if nro else side.lookup(st, None, None)
    if action == "info_tramites":
        return side.knowledge_menu(settings, st)
    if action == "kb_entry":
        return side.knowledge_entry(settings, st, turn.payload.get("id"))
    if action == "agregar_mensaje":
        return side.start_message(settings, st, int_or_none(turn.payload.get("ticket_id")))
    if action == "iniciar_reclamo":
        flow.begin(st)
        st.side = None
        preset = turn.payload.get("categoria")
        if isinstance(preset, str):
            st.draft.categoria = match_category(preset, categories(settings), allow_index=False)
        return flow.advance(settings, st, _media(st, turn))
    if action == "set_categoria":
        if st.estado not in INTAKE_ESTADOS:
            flow.begin(st)
        lead = _media(st, turn)
        raw = turn.payload.get("categoria")
        match = match_category(raw if isinstance(raw, str) else turn.text, categories(settings))
        if match is None:
            return flow.ask(settings, st, "categoria", [*lead, texts.UNKNOWN_CATEGORY])
        st.draft.categoria = match
        st.last_field = "categoria"
        return flow.advance(settings, st, lead)
    if action == "user_provided_location":
        if st.estado not in INTAKE_ESTADOS:
            flow.begin(st)
        lead = _media(st, turn)
        if turn.latitud is None:
            lead.append(texts.LOCATION_UNREADABLE)
        return flow.advance(settings, st, lead)
    if action == "confirmar_reclamo":
        return flow.confirm(settings, st, turn.datos_personales, _media(st, turn))
    if action == "iniciar_creacion_reclamo":
        lead = _media(st, turn)
        if st.draft.missing():
            return flow.advance(settings, st, lead)
        return flow.ask_personal(settings, st, lead)
    return None


_TYPED_NO = frozenset({"no", "n"})


def respond(settings: BotSettings, state: ConversationState, incoming: Incoming) -> BotReply:
    """Advance the conversation by one citizen turn; never raises on junk input."""
    st = state.clone() if isinstance(state, ConversationState) else ConversationState()
    turn = _read_turn(incoming)
    if turn.action == "initial_greeting":
        fresh = ConversationState()
        return reply(fresh, texts.welcome(settings.tipo_chat, settings.entity_name), menu_buttons(settings))
    if turn.action == "cancelar_reclamo" and turn.norm in _TYPED_NO:
        # Both widgets turn a typed "no" into this action while their context says a summary awaits confirmation
        # (useChatLogic.ts), also while the summary still asks for the contact and offers a photo: read the text.
        turn = Turn(**{**{f: getattr(turn, f) for f in Turn.__slots__}, "action": None})
    if turn.action is not None:
        answered = _on_action(settings, st, turn)
        if answered is not None:
            return answered
    phase = _phase(st)
    turn = Turn(**{**{f: getattr(turn, f) for f in Turn.__slots__}, "awaiting": st.awaiting or flow_awaiting(st)})
    if phase in ("intake", "confirm"):
        rest = without_photo_decline(turn.text)
        if rest == "":
            # "no tengo foto" answers the photo offer: the intake goes on, nothing is read as a name or a cancel.
            return flow.prompt(settings, st, [*_media(st, turn), texts.NO_PHOTO])
        if rest is not None:
            turn = Turn(**{**{f: getattr(turn, f) for f in Turn.__slots__}, "text": rest, "norm": normalize(rest)})
    intent, turn = _intent(settings, phase, turn)
    if phase in ("intake", "confirm") and intent in _ASIDES:
        # Slots run on every turn: a name or phone said beside a question is kept for the complaint.
        flow.absorb_contact(st, turn.text, None)
    return _table(phase, intent)(settings, st, turn)


def complaint_created(
    settings: BotSettings,
    state: ConversationState,
    *,
    nro_ticket: int,
    pin: str,
    estado: str,
    ticket_id: int | None = None,
) -> BotReply:
    """Final answer once the service stored the complaint; a further problem told in the same message follows."""
    done = replies.complaint_created(
        settings, state, nro_ticket=nro_ticket, pin=pin, estado=estado, ticket_id=ticket_id
    )
    st = done.state
    if not st.pending_problems:
        return done
    following, *rest = st.pending_problems
    flow.begin(st)
    st.pending_problems = rest
    flow.apply_description(settings, st, following, normalize(following))
    after = flow.advance(settings, st, [texts.NEXT_PROBLEM])
    after.respuesta = f"{done.respuesta}\n\n{after.respuesta}"
    after.ticket_id = done.ticket_id
    return after


_ASIDES = frozenset({"question", "why_data", "when_fixed", "insult", "frustration", "chitchat", "lost_pin"})


own_tickets = side.own_tickets
ticket_found = side.ticket_found
ticket_not_found = side.ticket_not_found
lookup_limited = side.lookup_limited
message_added = side.message_added
recalled = side.recalled
lost_pin = side.lost_pin
