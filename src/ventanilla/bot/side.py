"""Side errands of a conversation: questions for the knowledge base and ticket look-ups, then back to the intake."""

from __future__ import annotations

from ventanilla.knowledge import retrieval, search

from . import asking, flow, texts
from .intake import clean_text, infer_category, is_complaint_intent, normalize
from .model import (
    INTAKE_ESTADOS,
    AddMessage,
    BotReply,
    BotSettings,
    Button,
    ConversationState,
    LookupTicket,
    TicketView,
)
from .replies import agent_buttons, categories, menu, menu_buttons, reply

MAX_PIN_FAILURES = 5
_KB_BUTTONS = 10


def in_intake(state: ConversationState) -> bool:
    """A complaint is in progress."""
    return state.estado in INTAKE_ESTADOS


def with_resume(
    settings: BotSettings, state: ConversationState, text: str, buttons: list[Button], estado: str
) -> BotReply:
    """An answer outside the intake; when a complaint is in progress, continue it right after."""
    if not in_intake(state):
        state.estado = estado
        return reply(state, text, buttons)
    back = flow.prompt(settings, state, [])
    back.respuesta = f"{text}\n\n{texts.resume(settings.tipo_chat)} {back.respuesta}"
    back.botones = [*buttons, *[b for b in back.botones if b not in buttons]]
    return back


def own_or_agent_buttons(settings: BotSettings) -> list[Button]:
    """See my complaints, or a person."""
    return [Button(texts.MY_COMPLAINTS_BUTTON, action="consultar_reclamo"), *agent_buttons(settings)]


def _offer_buttons(settings: BotSettings, state: ConversationState, categoria: str | None) -> list[Button]:
    if in_intake(state):
        return []
    payload = {"categoria": categoria} if categoria else None
    return [Button(texts.NEW_COMPLAINT_BUTTON, action="iniciar_reclamo", payload=payload), *agent_buttons(settings)]


def answer(settings: BotSettings, state: ConversationState, item: search.Item, question: str) -> BotReply:
    """A knowledge-base answer, offering a complaint when the topic is one."""
    if retrieval.is_process_faq(item):  # bot21b: the bot's own process, answered where the citizen is
        return with_resume(
            settings, state, item.answer, [], state.estado if in_intake(state) else "conversacion_general"
        )
    state.kb_topic = item.id
    parts = [item.answer]
    if item.link:
        parts.append(texts.more_info(item.link))
    cats = categories(settings)
    categoria = infer_category(normalize(question), cats) or infer_category(
        normalize(" ".join((item.title, *item.keywords))), cats
    )
    if categoria and not in_intake(state):
        parts.append(texts.offer_complaint(categoria))
    buttons = _offer_buttons(settings, state, categoria) if categoria else []
    if not in_intake(state):
        buttons = buttons or [Button(texts.OTHER_QUESTION_BUTTON, action="info_tramites"), *agent_buttons(settings)]
    return with_resume(settings, state, "\n\n".join(parts), buttons, "conversacion_general")


def no_information(settings: BotSettings, state: ConversationState, question: str) -> BotReply:
    """The honest answer: we do not know; buttons for a complaint and a person."""
    categoria = infer_category(normalize(question), categories(settings))
    text = texts.no_information(settings.entity_name, settings.live_chat_open)
    if not in_intake(state):
        buttons = [
            Button(
                texts.NEW_COMPLAINT_BUTTON,
                action="iniciar_reclamo",
                payload={"categoria": categoria} if categoria else None,
            ),
            *agent_buttons(settings),
        ]
    else:
        buttons = agent_buttons(settings)
    return with_resume(settings, state, text, buttons, "conversacion_general")


def question(settings: BotSettings, state: ConversationState, text: str) -> BotReply | None:
    """Answer a question from the knowledge base; None when it is really a request to file a complaint."""
    hit = asking.find_asked(settings, state, text)
    if hit is not None:
        return answer(settings, state, hit.item, text)
    if asking.elsewhere(text) and "?" in text.replace("¿", "?"):
        return no_information(settings, state, text)  # "me robaron la bici, ¿a dónde denuncio?": not the city's
    if not in_intake(state) and is_complaint_intent(normalize(text), settings.tipo_chat):
        return None
    return no_information(settings, state, text)


def knowledge_menu(settings: BotSettings, state: ConversationState) -> BotReply:
    """ "Trámites y horarios": the topics the entity answers, or the general guidance when it has none."""
    if not settings.knowledge:
        text = texts.info(settings.tipo_chat, settings.entity_name, settings.live_chat_open)
        if in_intake(state):
            return with_resume(settings, state, text, [], "conversacion_general")
        return menu(settings, state, text, estado="conversacion_general")
    buttons = [
        Button(clean_text(item.title, 60), action="kb_entry", payload={"id": item.id})
        for item in settings.knowledge[:_KB_BUTTONS]
    ]
    return with_resume(settings, state, texts.KB_MENU, [*buttons, *agent_buttons(settings)], "conversacion_general")


def knowledge_entry(settings: BotSettings, state: ConversationState, entry_id: object) -> BotReply:
    """The answer of a topic button."""
    item = next((i for i in settings.knowledge if i.id == entry_id), None)
    if item is None:
        return knowledge_menu(settings, state)
    return answer(settings, state, item, item.title)


# --- ticket look-ups ------------------------------------------------------------------------------------


def lookup(state: ConversationState, nro: int | None, pin: str | None) -> BotReply:
    """Ask the service for a ticket (or the citizen's own)."""
    state.side = "consulta"
    state.side_nro = nro or state.side_nro
    if state.pin_failures >= MAX_PIN_FAILURES and pin is not None:
        state.side = None
        return reply(state, texts.LOOKUP_LOCKED)
    return reply(state, "", effect=LookupTicket(nro, pin))


def consult_guidance(settings: BotSettings, state: ConversationState) -> BotReply:
    """How to consult a ticket: number and PIN."""
    state.side = "consulta"
    return with_resume(
        settings, state, texts.consult(settings.tipo_chat), agent_buttons(settings), "conversacion_general"
    )


def own_tickets(settings: BotSettings, state: ConversationState, views: list[TicketView]) -> BotReply:
    """The citizen's own tickets as buttons (no PIN needed for them)."""
    if not views:
        return consult_guidance(settings, state)
    if len(views) == 1:
        return ticket_found(settings, state, views[0])  # the one complaint: where it stands, without a tap more
    state.side = "consulta"
    buttons = [
        Button(
            f"N.º {v.nro_ticket} · {v.estado.replace('_', ' ')}",
            action="consultar_reclamo",
            payload={"nro_ticket": v.nro_ticket},
        )
        for v in views[:5]
    ]
    listed = texts.own_tickets_listed([(v.nro_ticket, v.categoria, v.estado) for v in views[:5]])
    lead = f"{texts.own_tickets(len(views), settings.tipo_chat)} {listed}"
    return with_resume(settings, state, lead, buttons, "conversacion_general")


def ticket_found(settings: BotSettings, state: ConversationState, view: TicketView) -> BotReply:
    """Where the ticket stands, with buttons to write to it or talk to someone."""
    state.side = None
    state.side_nro = view.nro_ticket
    state.side_ticket_id = view.ticket_id
    state.pin_failures = 0
    if in_intake(state) and state.draft.missing() == ["categoria", "descripcion", "ubicacion"]:
        state.estado, state.awaiting = "conversacion_general", None  # bot21b: a look-up, not a complaint to resume
    text = texts.ticket_status(
        settings.tipo_chat,
        nro=view.nro_ticket,
        estado=view.estado,
        fecha=view.fecha,
        categoria=view.categoria,
        last=view.ultimo_mensaje,
        last_at=view.ultimo_mensaje_fecha,
    )
    buttons = [
        Button(texts.ADD_MESSAGE_BUTTON, action="agregar_mensaje", payload={"ticket_id": view.ticket_id}),
        *agent_buttons(settings),
    ]
    return with_resume(settings, state, text, buttons, "conversacion_general")


def ticket_not_found(settings: BotSettings, state: ConversationState, nro: int, *, pin_given: bool) -> BotReply:
    """No PIN yet, or number and PIN that do not match."""
    state.side = "consulta"
    state.side_nro = nro
    if not pin_given:
        return with_resume(settings, state, texts.pin_needed(nro), agent_buttons(settings), "conversacion_general")
    state.pin_failures += 1
    if state.pin_failures >= MAX_PIN_FAILURES:
        state.side = None
        return with_resume(settings, state, texts.LOOKUP_LOCKED, agent_buttons(settings), "conversacion_general")
    return with_resume(settings, state, texts.wrong_pin(nro), agent_buttons(settings), "conversacion_general")


def lookup_limited(settings: BotSettings, state: ConversationState) -> BotReply:
    """The PIN check refused to run (too many attempts)."""
    state.side = None
    return with_resume(settings, state, texts.LOOKUP_LIMITED, agent_buttons(settings), "conversacion_general")


def start_message(settings: BotSettings, state: ConversationState, ticket_id: object) -> BotReply:
    """ "Agregar un mensaje": only to the ticket just consulted."""
    if state.side_ticket_id is None or (ticket_id is not None and ticket_id != state.side_ticket_id):
        return consult_guidance(settings, state)
    state.side = "mensaje"
    return reply(state, texts.ask_message(state.side_nro or 0), agent_buttons(settings))


def message_text(state: ConversationState, text: str) -> BotReply:
    """The text for the consulted ticket."""
    if state.side_ticket_id is None:
        state.side = None
        return reply(state, texts.CONSULT_NOT_UNDERSTOOD)
    if not any(ch.isalnum() for ch in text):
        return reply(state, texts.MESSAGE_TOO_SHORT)
    return reply(state, "", effect=AddMessage(state.side_ticket_id, text))


def message_added(settings: BotSettings, state: ConversationState, nro: int) -> BotReply:
    """The message joined the ticket."""
    state.side = None
    if in_intake(state):
        return with_resume(settings, state, texts.message_added(nro), [], "conversacion_general")
    return reply(state, texts.message_added(nro), menu_buttons(settings))


def lost_pin(settings: BotSettings, state: ConversationState) -> BotReply:
    """Where the PIN is, and who can help without it."""
    return with_resume(settings, state, texts.LOST_PIN, own_or_agent_buttons(settings), "conversacion_general")


def recalled(
    settings: BotSettings,
    state: ConversationState,
    numbers: list[int],
    about: list[tuple[str | None, str]] | None = None,
) -> BotReply:
    """A frustrated citizen: empathy, their earlier complaints (what and where they stand), and a person."""
    buttons = [
        *agent_buttons(settings),
        *[Button(f"N.º {n}", action="consultar_reclamo", payload={"nro_ticket": n}) for n in numbers[:2]],
    ]
    text = texts.frustration(len(numbers), numbers)
    if about:
        text += " " + texts.own_tickets_listed([(n, c, e) for n, (c, e) in zip(numbers[:5], about[:5], strict=False)])
    return with_resume(settings, state, text, buttons, "conversacion_general")
