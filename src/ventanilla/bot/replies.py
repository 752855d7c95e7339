"""Building blocks of the bot's replies: buttons, menus and the widget's state hints."""

from __future__ import annotations

from typing import Any

from . import texts
from .intake import clean_text, infer_category, normalize
from .model import INTAKE_ESTADOS, BotReply, BotSettings, Button, ComplaintDraft, ConversationState

REQUEST_AGENT_BUTTON = Button(texts.AGENT_BUTTON, action="request_agent")
CANCEL_BUTTON = Button(texts.CANCEL_BUTTON, action="cancelar_reclamo")
COMPLETE_DATA_BUTTON = Button(texts.COMPLETE_DATA_BUTTON, action="iniciar_creacion_reclamo")


def reply(state: ConversationState, text: str, buttons: list[Button] | None = None, **extra: Any) -> BotReply:
    """A reply without button groups."""
    return BotReply(respuesta=text, botones=buttons or [], categorias=[], state=state, **extra)


def join(parts: list[str]) -> str:
    """Sentences of one paragraph."""
    return " ".join(p for p in parts if p)


def categories(settings: BotSettings) -> tuple[str, ...]:
    """The entity's categories, or the defaults of its kind."""
    cats = tuple(c for c in settings.categories if isinstance(c, str) and c.strip())
    return cats or texts.DEFAULT_CATEGORIES.get(settings.tipo_chat, texts.DEFAULT_CATEGORIES["municipio"])


def category_from_description(settings: BotSettings, descripcion: str | None) -> str | None:
    """The category the description's words point to, if any (settings: only tipo and categories are read)."""
    return infer_category(normalize(descripcion), categories(settings)) if descripcion else None


def menu_buttons(settings: BotSettings, *, with_agent: bool = True) -> list[Button]:
    """The main menu (plus the agent button while someone can answer)."""
    menu = texts.MENU.get(settings.tipo_chat, texts.MENU["municipio"])
    buttons = [Button(label, action=action) for label, action in menu]
    if with_agent and settings.live_chat_open:
        buttons.append(REQUEST_AGENT_BUTTON)
    return buttons


def agent_buttons(settings: BotSettings) -> list[Button]:
    """The agent button, when someone can answer."""
    return [REQUEST_AGENT_BUTTON] if settings.live_chat_open else []


def leave_intake(state: ConversationState, estado: str = "inicio") -> None:
    """Drop the complaint in progress, keep who the citizen is."""
    state.draft = state.draft.contact_only()
    state.estado = estado
    state.awaiting = None
    state.retries = 0
    state.last_field = None
    state.side = None


def menu(settings: BotSettings, state: ConversationState, text: str, estado: str = "inicio") -> BotReply:
    """Text and the main menu, outside any intake."""
    if state.estado in ("recolectando_info", "recolectando_datos_personales", "confirmando_reclamo"):
        leave_intake(state, estado)
    state.estado = estado
    state.awaiting = None
    state.side = None
    return reply(state, text, menu_buttons(settings))


def estructura(draft: ComplaintDraft) -> dict[str, Any] | None:
    """The widget's `datos_estructura`: what it copies back into its context."""
    mapping = {
        "categoria": draft.categoria,
        "descripcion": draft.descripcion,
        "ubicacion": draft.ubicacion,
        "nombre_usuario_detectado": draft.nombre,
        "telefono_detectado": draft.telefono,
        "email_detectado": draft.email,
        "dni_detectado": draft.dni,
    }
    out = {k: v for k, v in mapping.items() if v}
    return out or None


# --- answers once the service did what an effect asked ---------------------------------------------------


def complaint_created(
    settings: BotSettings,
    state: ConversationState,
    *,
    nro_ticket: int,
    pin: str,
    estado: str,
    ticket_id: int | None = None,
) -> BotReply:
    """Final answer once the service stored the complaint (`ticket_id` opens the widget's ticket view)."""
    st = state.clone()
    st.draft = st.draft.contact_only()
    st.estado = "reclamo_creado"
    st.ticket_id = ticket_id
    st.nro_ticket = nro_ticket
    st.awaiting = None
    st.retries = 0
    st.last_field = None
    text = texts.created(settings.tipo_chat, nro_ticket, str(pin), str(estado or ""))
    return reply(st, text, menu_buttons(settings), ticket_id=ticket_id)


def live_chat_closed(settings: BotSettings, state: ConversationState) -> BotReply:
    """No representatives now: say so and offer to file a complaint instead."""
    st = state.clone()
    if st.estado not in INTAKE_ESTADOS:
        st.estado = "conversacion_general"
        st.awaiting = None
    text = texts.live_chat_closed(settings.tipo_chat, settings.closed_message)
    return reply(st, text, menu_buttons(settings, with_agent=False))


def live_chat_requested(
    settings: BotSettings,
    state: ConversationState,
    *,
    nro_ticket: int,
    position: int,
    agent_name: str | None,
    on_complaint: bool = False,
) -> BotReply:
    """Queue status after a live chat was opened (`on_complaint`: on the complaint this conversation filed)."""
    st = state.clone()
    st.estado = "conversacion_general"
    st.awaiting = None
    st.side = None
    name = clean_text(agent_name, 80) or None
    filed = texts.noun(settings.tipo_chat) if on_complaint else None
    return reply(st, texts.live_chat_requested(nro_ticket, int(position), name, filed=filed))
