"""The complaint intake: ask each field, check each answer, apply corrections, summarise and confirm."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ventanilla.text import fold

from . import texts
from .intake import (
    CONFIRM_WORDS,
    extract_personal,
    infer_category,
    is_descriptive,
    is_greeting,
    match_category,
    normalize,
    valid_dni,
    valid_email,
    valid_name,
    valid_phone,
)
from .intents import has_problem_cue, is_complaint_statement, is_yes
from .model import MAX_DESCRIPCION, MAX_LEN, BotReply, BotSettings, Button, ConversationState, CreateComplaint
from .replies import (
    CANCEL_BUTTON,
    COMPLETE_DATA_BUTTON,
    REQUEST_AGENT_BUTTON,
    categories,
    estructura,
    join,
    reply,
)
from .slots import (
    Place,
    Slots,
    extract,
    find_address,
    find_email,
    find_name,
    find_phone,
    is_first_name,
    street_mentioned,
    with_area_code,
)
from .understanding import Correction, is_dont_know, is_thumbs_up, named_field, usable_location

_DIGIT_RUN = re.compile(r"\d{2,}")
MAX_RETRIES = 2
"""Kind re-asks of one field before a person is offered."""


def begin(state: ConversationState) -> None:
    """A new intake (same citizen)."""
    state.draft = state.draft.contact_only()
    state.estado = "recolectando_info"
    state.awaiting = None
    state.retries = 0
    state.last_field = None
    state.photo_offered = False
    state.fixing = None


def _photo_offer(state: ConversationState) -> list[str]:
    """Once per complaint, while the contact is asked: a photo may come, never a step of its own."""
    if state.photo_offered or state.draft.attachment_url:
        return []
    state.photo_offered = True
    return [texts.PHOTO_OFFER]


def apply_media(state: ConversationState, latitud: float | None, longitud: float | None, url: str | None) -> list[str]:
    """A shared point or an attachment joins the draft."""
    draft = state.draft
    notes: list[str] = []
    if latitud is not None and longitud is not None:
        draft.latitud, draft.longitud = latitud, longitud
        if not draft.ubicacion:
            draft.ubicacion = f"Ubicación compartida ({latitud:.6f}, {longitud:.6f})"
        notes.append(texts.LOCATION_SAVED)
    if url:
        draft.attachment_url = url
        notes.append(texts.ATTACHMENT_SAVED)
    return notes


def ask(settings: BotSettings, state: ConversationState, field_name: str, lead: list[str]) -> BotReply:
    """Ask one complaint field."""
    if state.awaiting != field_name:
        state.retries = 0
    state.estado = "recolectando_info"
    state.awaiting = field_name
    buttons: list[Button] = []
    if field_name == "categoria":
        buttons = [Button(c, action="set_categoria", payload={"categoria": c}) for c in categories(settings)]
    buttons.append(CANCEL_BUTTON)
    return reply(
        state,
        join([*lead, texts.ask_field(field_name, settings.tipo_chat)]),
        buttons,
        accion_backend="crear_reclamo",
        pedir_info=field_name,
        datos_estructura=estructura(state.draft),
    )


def summary(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    """The recap, with the confirm button (and a request for contact data when missing)."""
    d = state.draft
    missing_personal = d.missing_personal()
    awaiting = "datos_personales" if missing_personal else "confirmacion"
    if state.awaiting != awaiting:
        state.retries = 0
    state.estado = "confirmando_reclamo"
    state.awaiting = awaiting
    state.fixing = None
    tipo = settings.tipo_chat
    contacto = " / ".join(p for p in (d.email, d.telefono) if p) or None
    recap = texts.summary(
        tipo,
        categoria=d.categoria,
        descripcion=d.descripcion,
        ubicacion=d.ubicacion,
        has_attachment=bool(d.attachment_url),
        nombre=d.nombre,
        contacto=contacto,
    )
    tail = join([texts.ask_personal_inline(tipo), *_photo_offer(state)]) if missing_personal else texts.ASK_CONFIRM
    buttons = [Button(texts.confirm_button(tipo), action="confirmar_reclamo")]
    if missing_personal:
        buttons.append(COMPLETE_DATA_BUTTON)
    buttons.append(CANCEL_BUTTON)
    text = "\n\n".join(p for p in (join(lead), recap, tail) if p)
    return reply(state, text, buttons, accion_backend="crear_reclamo", datos_estructura=estructura(d))


def advance(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    """The next question, or the summary when nothing is missing."""
    missing = state.draft.missing()
    if missing:
        return ask(settings, state, missing[0], lead)
    return summary(settings, state, lead)


def prompt(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    """What the intake shows now (after a side question, an empty message...)."""
    if state.awaiting in ("datos_personales", "confirmacion") or state.estado == "confirmando_reclamo":
        if state.draft.missing():
            return advance(settings, state, lead)
        if state.estado == "recolectando_datos_personales":
            return ask_personal(settings, state, lead)
        return summary(settings, state, lead)
    return advance(settings, state, lead)


def ask_personal(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    """Ask the citizen's contact data."""
    if state.awaiting != "datos_personales":
        state.retries = 0
    state.estado = "recolectando_datos_personales"
    state.awaiting = "datos_personales"
    missing = state.draft.missing_personal() or ["nombre", "email_o_telefono"]
    return reply(
        state,
        join([*lead, texts.ask_personal(missing, settings.tipo_chat), *_photo_offer(state)]),
        [COMPLETE_DATA_BUTTON, CANCEL_BUTTON],
        accion_backend="crear_reclamo",
        pedir_info="datos_personales",
        datos_estructura=estructura(state.draft),
    )


def _failed(settings: BotSettings, state: ConversationState, again: BotReply) -> BotReply:
    """Count a reply that did not fit; past the kind re-asks, offer a person."""
    state.retries += 1
    if state.retries > MAX_RETRIES:
        offer = texts.OFFER_PERSON_OPEN if settings.live_chat_open else texts.OFFER_PERSON_CLOSED
        again.respuesta = f"{again.respuesta}\n\n{offer}"
        if settings.live_chat_open and REQUEST_AGENT_BUTTON not in again.botones:
            again.botones.insert(0, REQUEST_AGENT_BUTTON)
    return again


_PERSONAL_KEYS = {
    "nombre": ("nombre", "nombre_ciudadano", "name"),
    "email": ("email", "email_ciudadano", "mail"),
    "telefono": ("telefono", "telefono_ciudadano", "phone"),
    "dni": ("dni", "dni_ciudadano"),
}
_VALIDATORS = {"nombre": valid_name, "email": valid_email, "telefono": valid_phone, "dni": valid_dni}


def merge_personal(state: ConversationState, data: Mapping[str, Any] | None) -> list[str]:
    """Copy valid personal data into the draft; return the names of provided-but-invalid fields."""
    if data is None:
        return []
    invalid: list[str] = []
    for name, keys in _PERSONAL_KEYS.items():
        raw: object = next((data[k] for k in keys if data.get(k) not in (None, "")), None)
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str) or not raw.strip():
            continue
        value = _VALIDATORS[name](raw[: MAX_LEN[name] * 2])
        if value is None:
            invalid.append(name)
        else:
            setattr(state.draft, name, value)
    return invalid


def confirm(
    settings: BotSettings, state: ConversationState, datos: Mapping[str, Any] | None, lead: list[str]
) -> BotReply:
    """The citizen confirms: create the complaint when everything is there."""
    invalid = merge_personal(state, datos)
    d = state.draft
    if d.descripcion and len(d.descripcion) > MAX_DESCRIPCION:
        d.descripcion = d.descripcion[:MAX_DESCRIPCION]
    if d.missing():
        return advance(settings, state, [*lead, texts.STILL_MISSING])
    if invalid:
        return ask_personal(settings, state, [*lead, texts.invalid_fields(invalid)])
    if d.missing_personal():
        return ask_personal(settings, state, lead)
    state.estado = "confirmando_reclamo"
    state.awaiting = None
    return reply(state, texts.creating(settings.tipo_chat), effect=CreateComplaint(d.model_copy()))


def apply_description(settings: BotSettings, state: ConversationState, text: str, norm: str) -> None:
    """Use a free-text problem description to fill whatever it reveals."""
    d = state.draft
    place = find_address(text)
    whole = place or find_address(text, whole=True)
    # "en la calle Salta", "calle 25 de Mayo 630": a place, never the description of the problem.
    only_place = whole is not None and _mostly_place(norm, whole) and infer_category(norm, categories(settings)) is None
    if not d.descripcion and not only_place:
        d.descripcion = text[:MAX_DESCRIPCION]
        state.last_field = "descripcion"
    if not d.categoria:
        d.categoria = infer_category(norm, categories(settings))
    if not d.ubicacion and d.latitud is None:
        chosen = place or (whole if only_place else None)
        if chosen is not None:
            set_place(state, chosen)


def set_place(state: ConversationState, place: Place) -> None:
    """Record a location (typed coordinates are a point too)."""
    d = state.draft
    d.ubicacion = place.text[: MAX_LEN["ubicacion"]]
    if place.latitud is not None and place.longitud is not None:
        d.latitud, d.longitud = place.latitud, place.longitud
    state.last_field = "ubicacion"


_CONTACT_NOISE_RE = re.compile(
    r"\b(?:hola|buenas|buen|dia|dias|tardes|noches|soy|me llamo|mi nombre es|mi nombre|nombre|mi|tel\w*|cel\w*|"
    r"whatsapp|wsp|mail|email|correo|es|el|la|"
    r"numero|contacto|y|de|dni|documento|gracias|ok|dale|bueno|si|aca|te|dejo|paso|va|mis|datos|son)\b"
)


def _leftover(text: str, slots: Slots) -> int:
    """Words of a message that are not its contact data (a message of contact data only leaves none)."""
    rest = normalize(text)
    for value in (slots.email, slots.nombre):
        if value:
            rest = rest.replace(normalize(value), " ")
    rest = re.sub(r"\S*@\S*|\d+", " ", rest)
    rest = _CONTACT_NOISE_RE.sub(" ", rest)
    return len([w for w in rest.split() if len(w) >= 2])


def absorb_contact(state: ConversationState, text: str, slots: Slots | None, *, asked: str | None = None) -> list[str]:
    """Keep the name, phone and email a message gives, whatever was asked; a name said ("soy...") or a phone
    typed replaces what WhatsApp guessed, a bare name only fills an empty one (or WhatsApp's guess)."""
    slots = slots or extract(text, asked=asked, names=not state.draft.nombre or state.draft.nombre_guess)
    d = state.draft
    changed = False
    if slots.email and slots.email != d.email:
        d.email, changed = slots.email, True
    if slots.telefono and slots.telefono != d.telefono:
        d.telefono, changed = slots.telefono, True
    elif d.telefono and (completed := with_area_code(d.telefono, text)):
        d.telefono, changed = completed, True
    if slots.nombre and slots.nombre != d.nombre and (slots.nombre_said or not d.nombre or d.nombre_guess):
        d.nombre, d.nombre_guess, changed = slots.nombre, False, True
    if not changed:
        return []
    state.last_field = "datos_personales"
    return [texts.thanks_name(d.nombre) if slots.nombre else texts.NOTED_CONTACT]


def _place_answer(text: str, slots: Slots) -> bool:
    """The message gives a place and, besides contact data, little else ("es en Tucumán 340. Pedro Aranda, 261...")."""
    if slots.place is None:
        return False
    rest = text
    for value in (slots.email, slots.nombre):
        if value:
            rest = re.sub(re.escape(value), " ", rest, flags=re.I)
    rest = re.sub(r"\+?\d[\d \-().]{6,}\d", " ", rest)
    return _mostly_place(normalize(rest), slots.place)


def told_in(text: str, description: str | None) -> bool:
    """Every word of the text is a word of the problem already told ("lámpara titilando" as a photo's caption):
    the problem again, never the citizen's name."""
    told = set(normalize(description or "").split())
    words_ = normalize(text).split()
    return bool(words_) and all(w in told for w in words_)


def is_bare_name(text: str) -> bool:
    """A message that is only a person's name ("Fede Acosta", "Cecilia")."""
    return _bare_name_only(text) and find_name(text, bare=True, asked=True) is not None


def _bare_name_only(text: str) -> bool:
    """Two to four words of letters and nothing else ("macarena gil"), or a common first name alone ("Cecilia")."""
    parts = text.strip(" .!").split()
    if len(parts) == 1:
        word = parts[0]
        return word.isalpha() and (is_first_name(word) or (word[:1].isupper() and len(word) >= 3))
    return 2 <= len(parts) <= 4 and all(p.isalpha() for p in parts) and find_address(text, whole=True) is None


def _vague(ubicacion: str) -> bool:
    """A street without number, corner or landmark ("Calle San Martín"): a later place completes it."""
    return not re.search(r"\d|\by\b|\bentre\b|\besquina\b|\bfrente\b|\bcerca\b", fold(ubicacion))


def _refined(before: str | None, place: Place) -> Place:
    """ "Calle San Martín" + "entre Rioja y Salta, cerca de la farmacia" → one place."""
    if not before or not _vague(before) or place.latitud is not None:
        return place
    joiner = " " if fold(place.text).startswith("entre ") else ", "
    return Place(f"{before}{joiner}{place.text}")


def _with_topic(state: ConversationState, text: str, norm: str, cats: tuple[str, ...]) -> str:
    """A one- or two-word description ("rota") after a bare topic word ("luz") keeps that word: "luz rota". The
    topic is the citizen's previous message when it was that short and named the category of the draft."""
    if len(norm.split()) > 2 or infer_category(norm, cats) is not None:
        return text[:MAX_DESCRIPCION]
    said = [line.get("text", "") for line in state.transcript if line.get("role") == "citizen"]
    topic = said[-1].strip() if said else ""
    topic_norm = normalize(topic)
    if not topic or len(topic_norm.split()) > 3 or infer_category(topic_norm, cats) != state.draft.categoria:
        return text[:MAX_DESCRIPCION]
    return f"{topic} {text}"[:MAX_DESCRIPCION]


def _completes_name(nombre: str | None, text: str) -> bool:
    """The text repeats the name given and adds words to it ("Ana" → "Ana Gil")."""
    if not nombre:
        return False
    have, said = fold(nombre).split(), fold(text.strip(" .,;!")).split()
    return len(have) < len(said) <= 5 and said[: len(have)] == have


def _is_description(norm: str) -> bool:
    return len(norm) >= 3 and any(ch.isalpha() for ch in norm) and not is_dont_know(norm)


def on_field_answer(settings: BotSettings, state: ConversationState, text: str, norm: str, lead: list[str]) -> BotReply:
    """An answer to the field being asked (categoría, descripción, ubicación); whatever else it gives is kept."""
    if is_greeting(norm):
        return prompt(settings, state, [*lead, texts.HELLO_AGAIN])
    d = state.draft
    missing = d.missing()
    awaiting = state.awaiting
    field_name = awaiting if awaiting in missing else (missing[0] if missing else None)
    slots = extract(text, asked=field_name)
    lead = [*lead, *absorb_contact(state, text, slots)]
    contact_only = slots.any_contact() and _leftover(text, slots) == 0
    if contact_only:
        return advance(settings, state, lead)
    if (
        d.descripcion
        and field_name != "descripcion"
        and _CHANGE_OF_MIND_RE.match(norm)
        and is_descriptive(norm, 5)
        and is_complaint_statement(norm, categories(settings))
    ):
        # "bueno no, en realidad es por unos perros sueltos en Benegas 700": the problem told again, replacing it.
        d.descripcion = text[:MAX_DESCRIPCION]
        d.categoria = infer_category(norm, categories(settings)) or d.categoria
        if slots.place is not None and d.latitud is None:
            set_place(state, slots.place)
        return advance(settings, state, [*lead, texts.corrected("descripcion")])
    cats = categories(settings)
    if field_name == "categoria":
        match = match_category(text, cats)
        if (
            match is None
            and slots.place is not None
            and not d.ubicacion
            and (_place_answer(text, slots) or (d.descripcion and not is_complaint_statement(norm, cats)))
        ):
            set_place(state, slots.place)
            return ask(settings, state, "categoria", [*lead, texts.NOTED_PLACE])
        if match is None:
            if is_descriptive(norm, 3) and not d.descripcion:
                apply_description(settings, state, text, norm)
                if d.categoria is None:
                    return ask(settings, state, "categoria", [*lead, texts.KEPT_DESCRIPTION])
            elif slots.place is not None and not d.ubicacion:
                set_place(state, slots.place)
                return ask(settings, state, "categoria", [*lead, texts.NOTED_PLACE])
            elif d.descripcion and (state.retries >= 1 or is_yes(norm)) and "Otros" in categories(settings):
                # The problem is told; a clerk files it under "Otros" rather than ask a third time.
                d.categoria = "Otros"
            else:
                return _failed(settings, state, ask(settings, state, "categoria", [*lead, texts.UNKNOWN_CATEGORY]))
        else:
            d.categoria = match
            state.last_field = "categoria"
            if is_descriptive(norm, 4) and not d.descripcion:
                apply_description(settings, state, text, norm)
            elif slots.place is not None and not d.ubicacion and d.latitud is None:
                set_place(state, slots.place)
    elif field_name == "descripcion":
        if slots.place is not None and _mostly_place(norm, slots.place) and (not d.ubicacion or _vague(d.ubicacion)):
            set_place(state, _refined(d.ubicacion, slots.place))
            if not _tells_beside_place(norm, slots.place):
                return ask(settings, state, "descripcion", [*lead, texts.NOTED_PLACE])
            d.descripcion = text[:MAX_DESCRIPCION]  # "Necochea 300, está apagada": the place and what happens there
        if not _is_description(norm):
            why = texts.retry("descripcion") if is_dont_know(norm) else texts.TOO_SHORT
            return _failed(settings, state, ask(settings, state, "descripcion", [*lead, why]))
        told_before = d.descripcion
        apply_description(settings, state, text, norm)
        if not told_before and d.descripcion == text[:MAX_DESCRIPCION]:
            d.descripcion = _with_topic(state, text, norm, categories(settings))
        if _CHANGE_OF_MIND_RE.match(norm):
            d.categoria = infer_category(norm, categories(settings)) or d.categoria
    elif field_name == "ubicacion":
        if slots.place is not None and slots.place.latitud is None and not slots.any_contact() and _short_answer(norm):
            # The whole answer keeps what a crew needs besides the street ("..., Godoy Cruz", "frente a la verdulería").
            set_place(state, _with_street(d.descripcion, Place(_strip_en(text))))
        elif slots.place is not None:
            set_place(state, _with_street(d.descripcion, slots.place))
        elif len(norm) >= 3 and usable_location(text) and not slots.telefono:
            d.ubicacion = text[: MAX_LEN["ubicacion"]]
            state.last_field = "ubicacion"
        else:
            return _failed(settings, state, ask(settings, state, "ubicacion", [*lead, texts.retry("ubicacion")]))
    return advance(settings, state, lead)


_CHANGE_OF_MIND_RE = re.compile(
    r"^(?:no\b|mejor no\b|bueno no\b|bah\b|perdon|disculpa|en realidad|me equivoque|me confundi|mejor dicho|"
    r"quise decir)"
)


def is_contact_only(text: str) -> bool:
    """A message made of a greeting and contact data only."""
    slots = extract(
        re.sub(r"^\W*(?:hola|buenas|buen dia|buenos dias|buenas tardes|buenas noches)\W*", "", text, flags=re.I)
    )
    return slots.any_contact() and _leftover(text, slots) == 0


def is_slot_answer(state: ConversationState, text: str) -> bool:
    """During an intake, a message that is only a name, a contact or a place (it answers; it reports nothing)."""
    if state.estado not in ("recolectando_info", "recolectando_datos_personales", "confirmando_reclamo"):
        return False
    norm = normalize(text)
    slots = extract(text, asked=state.awaiting)
    if slots.any_contact() and _leftover(text, slots) == 0:
        return True
    if is_bare_name(text) and not told_in(text, state.draft.descripcion):
        return True  # "Enrique Molina" at the summary: the citizen's name over WhatsApp's, an answer
    return slots.place is not None and _mostly_place(norm, slots.place) and len(norm.split()) <= 8


def _with_street(descripcion: str | None, place: Place) -> Place:
    """A place answered without the street the description named ("en la calle Olascoaga") gets it back."""
    street = street_mentioned(descripcion or "")
    if street and place.latitud is None and normalize(street.removeprefix("Calle ")) not in normalize(place.text):
        return Place(f"{street}, {place.text}")
    return place


def _surname(value: str) -> str | None:
    """The surname in "Jiménez con J, no Gimenez" / "es Pérez Ortiz": the name words before any "con", "no", comma."""
    head = re.split(r"[,;.]|\b(?:con|no|sin|y no)\b", value, maxsplit=1, flags=re.I)[0]
    return find_name(head.strip(), bare=True, asked=True)


def _longest_name(value: str) -> str | None:
    """The fullest name in a correction ("mi apellido es Pérez Ortiz, Juan Carlos Pérez Ortiz")."""
    names = [find_name(part, bare=True, asked=True) for part in re.split(r"[,;]|\bes\b", value)]
    found = [n for n in names if n]
    return max(found, key=len) if found else None


_NUMBER_FIX_RE = re.compile(
    r"^(?:no\W+)?(?:perdon\W+)?(?:es|era|al|el|numero|altura|la altura es)?\W*(\d{1,5})(?:\W+no\W+(?:el\W+)?\d{1,5})?$"
)


def _renumber(ubicacion: str | None, norm: str) -> str | None:
    """ "no, es 1540" / "1540 no 1450": the street stays, the number changes."""
    m = _NUMBER_FIX_RE.match(norm)
    if not ubicacion or not m or not re.search(r"\d", ubicacion):
        return None
    return re.sub(r"\d{1,5}(?!.*\d)", m.group(1), ubicacion, count=1)


_HEIGHT_RE = re.compile(
    r"^(?:es |era |queda |seria |esta )?(?:en )?(?:al|a la altura del?|la altura es|altura|el numero es|numero|nro|n)?"
    r"\s*(\d{1,5})(?:\s+(?:mas o menos|aprox\w*|creo|mas|o algo asi|mas alla|por ahi))*$"
)


def _with_height(ubicacion: str | None, norm: str) -> str | None:
    """A street given without its number, completed by a number said alone later ("al 1350 más o menos")."""
    m = _HEIGHT_RE.match(norm)
    if not ubicacion or not m or not _vague(ubicacion):
        return None
    al = "al " if norm.startswith(("al ", "a la altura")) else ""
    return f"{ubicacion} {al}{m.group(1)}"[: MAX_LEN["ubicacion"]]


_LANDMARK_START = re.compile(
    r"^(?:frente|enfrente|cerca|al lado|atras|detras|a la vuelta|en la|en el|la |el |plaza|placita|escuela|colegio|"
    r"barrio|b°|bº|b )"
)
_PRECISE = re.compile(r"[a-z]\s+(?:al\s+)?\d{2,5}\b|\sy\s|\besquina\b|\bentre\b")
_NOT_STREET_WORDS = frozenset({"calle", "barrio", "plaza", "esquina", "avenida", "frente"})


def better_place(before: str | None, place: Place | None) -> Place | None:
    """A place said at the summary that makes the recorded one precise: a number for a street that had none
    ("Espejo" → "Espejo 150"), or a street for a landmark or barrio ("Frente a la escuela 12, Pedro Molina 560")."""
    if not before or place is None or place.latitud is not None:
        return None
    old, new = fold(before), fold(place.text)
    if new in old or not _PRECISE.search(new) or _LANDMARK_START.match(new):
        return None
    shared = set(re.findall(r"[a-z]{4,}", old)) & set(re.findall(r"[a-z]{4,}", new)) - _NOT_STREET_WORDS
    if shared and re.search(r"\d", new) and not re.search(r"\d", old):
        return place
    if (_LANDMARK_START.match(old) and "," not in old) or not _PRECISE.search(old):
        return Place(f"{before}, {place.text}")
    return None


def _tells_beside_place(norm: str, place: Place) -> bool:
    """Besides the place, the answer says what happens there ("Necochea 300, está apagada")."""
    rest = norm.replace(normalize(place.text), " ")
    return len(rest.split()) >= 2 and has_problem_cue(rest)


def _short_answer(norm: str) -> bool:
    return len(norm.split()) <= 14


def _mostly_place(norm: str, place: Place) -> bool:
    """The message is a location and little else (so it is not the description)."""
    return len(norm.split()) <= len(normalize(place.text).split()) + 3


def on_plain_no(settings: BotSettings, state: ConversationState, lead: list[str]) -> BotReply:
    """A bare "no" at the summary: a clerk asks what to correct and keeps the draft; while the contact is asked
    right after the photo offer, it declines the photo."""
    if state.draft.missing_personal() and state.photo_offered and not state.draft.attachment_url:
        return prompt(settings, state, [*lead, texts.NO_PHOTO])
    state.fixing = "?"
    buttons = [Button(texts.confirm_button(settings.tipo_chat), action="confirmar_reclamo"), CANCEL_BUTTON]
    text = join([*lead, texts.ASK_WHICH_FIX])
    return reply(state, text, buttons, accion_backend="crear_reclamo", datos_estructura=estructura(state.draft))


def _on_fixing(settings: BotSettings, state: ConversationState, text: str, lead: list[str]) -> BotReply | None:
    """The answer to "¿Qué dato querés corregir?": a field named alone is asked for; a value goes to its field."""
    fixing, state.fixing = state.fixing, None
    named = named_field(normalize(text))
    if named is not None:
        state.fixing = named
        buttons = [CANCEL_BUTTON]
        answer = join([*lead, texts.ask_fix_value(named)])
        return reply(state, answer, buttons, accion_backend="crear_reclamo", datos_estructura=estructura(state.draft))
    if fixing not in (None, "?"):
        return on_correction(settings, state, Correction(fixing, text), lead)
    if fixing == "?" and is_bare_name(text) and not told_in(text, state.draft.descripcion):
        return on_correction(settings, state, Correction("nombre", text), lead)
    return None


def on_confirm_text(settings: BotSettings, state: ConversationState, text: str, norm: str, lead: list[str]) -> BotReply:
    """Text at the summary: yes, contact data, a better location, or something we did not understand."""
    if norm in CONFIRM_WORDS or is_yes(norm) or is_thumbs_up(text):
        return confirm(settings, state, None, lead)
    if state.fixing:
        fixed = _on_fixing(settings, state, text, lead)
        if fixed is not None:
            return fixed
    d = state.draft
    # WhatsApp's profile name is a guess: a name typed at the summary ("Jonatan Herrera") replaces it.
    slots = extract(text, asked="datos_personales" if d.missing_personal() else None, names=d.nombre_guess)
    dni = extract_personal(text).dni
    guessed = d.nombre_guess or _completes_name(d.nombre, text)
    if guessed and _bare_name_only(text) and not told_in(text, d.descripcion):
        # "macarena gil" at the summary of a WhatsApp complaint: the citizen's name over the profile's; "Ana Gil"
        # after "Ana": the surname added to the first name given.
        named = slots.nombre or find_name(text, bare=True, asked=True)
        slots = Slots(slots.place, named, slots.telefono, slots.email, True)
    noted = absorb_contact(state, text, slots)
    if slots.place is not None and _mostly_place(norm, slots.place) and not slots.any_contact():
        set_place(state, slots.place)
        return summary(settings, state, [*lead, texts.NOTED_PLACE])
    if slots.place is not None and _FIXES_RE.match(norm) and not slots.any_contact():
        # "no, perdón, es Mitre 1200 no 1100", "no, está mal la dirección, es Belgrano 1540"
        set_place(state, slots.place)
        return summary(settings, state, [*lead, texts.corrected("ubicacion")])
    better = better_place(d.ubicacion, slots.place) if d.latitud is None else None
    if better is not None:
        # "la escuela 12 queda en calle Pedro Molina 560", "ESPEJO 150!!! Y mi nombre es…": the place made precise.
        set_place(state, better)
        return summary(settings, state, [*lead, *noted, texts.NOTED_PLACE])
    completed = _with_height(d.ubicacion, norm)
    if completed:
        # "calle Videla Castillo" then "al 1350 más o menos": the street gets its number.
        d.ubicacion = completed
        state.last_field = "ubicacion"
        return summary(settings, state, [*lead, texts.NOTED_PLACE])
    renumbered = _renumber(d.ubicacion, norm)
    if renumbered:
        d.ubicacion = renumbered
        return summary(settings, state, [*lead, texts.corrected("ubicacion")])
    if noted or dni:
        d.dni = dni or d.dni
        lead.extend(noted or [texts.thanks_name(d.nombre)])
        if d.missing_personal():
            return ask_personal(settings, state, lead)
        return summary(settings, state, lead)
    if is_dont_know(norm):
        if d.missing_personal():
            return _failed(settings, state, ask_personal(settings, state, [*lead, texts.retry("datos_personales")]))
        return summary(settings, state, [*lead, texts.OPTIONAL_OK])
    if _DIGIT_RUN.search(text) and d.missing_personal():
        return _failed(settings, state, ask_personal(settings, state, [*lead, texts.invalid_fields(["telefono"])]))
    if is_greeting(norm):
        return prompt(settings, state, [*lead, texts.HELLO_AGAIN])
    if is_descriptive(norm, 4) and is_complaint_statement(norm, categories(settings)):
        # More about the problem, or the problem told right ("bah, no es la calle, es la vereda levantada por las
        # raíces"): the description changes and the category follows it.
        retold = bool(_FIXES_RE.match(norm))
        d.descripcion = (text if retold else f"{d.descripcion or ''} {text}".strip())[:MAX_DESCRIPCION]
        d.categoria = infer_category(normalize(d.descripcion), categories(settings)) or d.categoria
        state.last_field = "descripcion"
        return summary(settings, state, [*lead, texts.corrected("descripcion") if retold else texts.KEPT_DESCRIPTION])
    return _failed(settings, state, prompt(settings, state, [*lead, texts.NOT_UNDERSTOOD]))


_FIXES_RE = re.compile(
    r"^(?:no\b|bah\b|ah no\b|perdon|disculpa|me equivoque|me confundi|en realidad|esta mal|mejor dicho|"
    r"quise decir|corrijo|error)"
)


def _strip_en(value: str) -> str:
    lowered = value.lower()
    for prefix in ("es en ", "en la ", "en el ", "en "):
        if lowered.startswith(prefix):
            return value[len(prefix) :].strip()
    return value


def _target(settings: BotSettings, state: ConversationState, value: str) -> str:
    """Which field a correction without a field name changes."""
    if normalize(value).startswith(("que ", "era ", "es que ")):
        return "descripcion"
    if find_email(value):
        return "email"
    if find_phone(value):
        return "telefono"
    if find_address(value, whole=True) or (value.lower().startswith("en ") and usable_location(value)):
        return "ubicacion"
    if len(value.split()) <= 4 and match_category(value, categories(settings), allow_index=False):
        return "categoria"
    if state.last_field in ("categoria", "descripcion", "ubicacion"):
        return state.last_field
    if state.last_field == "datos_personales":
        return "nombre"
    return "descripcion"


def on_correction(settings: BotSettings, state: ConversationState, correction: Correction, lead: list[str]) -> BotReply:
    """Change the field the citizen names (or the one they just answered), then show where we are."""
    d = state.draft
    value = correction.value
    field_name = correction.field or _target(settings, state, value)
    if field_name == "categoria":
        match = match_category(value, categories(settings), allow_index=False)
        if match is None:
            return ask(settings, state, "categoria", [*lead, texts.UNKNOWN_CATEGORY])
        d.categoria = match
    elif field_name == "descripcion":
        if not _is_description(value.lower()):
            return ask(settings, state, "descripcion", [*lead, texts.TOO_SHORT])
        d.descripcion = value[:MAX_DESCRIPCION]
        d.categoria = infer_category(normalize(value), categories(settings)) or d.categoria
        told_place = find_address(value)
        if told_place is not None and not d.ubicacion and d.latitud is None:
            set_place(state, told_place)
    elif field_name == "ubicacion":
        found = find_address(value, whole=True)
        place = found.text if found is not None else _strip_en(value)
        if not usable_location(place):
            d.ubicacion, d.latitud, d.longitud = None, None, None
            return ask(settings, state, "ubicacion", [*lead, texts.retry("ubicacion")])
        d.ubicacion, d.latitud, d.longitud = place[: MAX_LEN["ubicacion"]], None, None
        if found is not None and found.latitud is not None:
            d.latitud, d.longitud = found.latitud, found.longitud
    elif field_name == "apellido":
        value = re.sub(r"^(?:complet[oa]|entero|correcto|real)\W+(?:es\W+)?", "", value, flags=re.I)
        fullest = _longest_name(value)
        surname = _surname(value)
        first = " ".join(d.nombre.split()[:-1] or d.nombre.split()) if d.nombre else None
        if fullest and first and len(fullest.split()) >= 3 and fold(fullest).startswith(fold(first)):
            d.nombre = fullest  # "Pérez Ortiz, Juan Carlos Pérez Ortiz": the whole name given again
        elif surname is not None and first is not None:
            d.nombre = f"{first} {surname}"
        else:
            return summary(settings, state, lead) if not d.missing() else advance(settings, state, lead)
        d.nombre_guess, field_name = False, "nombre"
    else:
        absorb_contact(state, value, None, asked="datos_personales")  # "mi nombre es X. Mi teléfono es Y": both
        if field_name == "nombre":
            named = _longest_name(value) or find_name(f"soy {value}")
            if named is None:  # "no, perdón, mejor a este mismo número": no name in it, nothing to correct there
                return summary(settings, state, lead) if not d.missing() else advance(settings, state, lead)
            value = named
        elif field_name == "email":
            value = find_email(value) or value
        elif field_name == "telefono":
            value = find_phone(value, expected=True) or value
        checked = _VALIDATORS[field_name](value[: MAX_LEN[field_name] * 2])
        if checked is None:
            return ask_personal(settings, state, [*lead, texts.invalid_fields([field_name])])
        setattr(d, field_name, checked)
    state.last_field = field_name
    lead = [*lead, texts.corrected(field_name)]
    if d.missing():
        return advance(settings, state, lead)
    return summary(settings, state, lead)
