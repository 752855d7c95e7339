"""What a message means beyond the step it answers: questions, corrections, ticket look-ups, usable addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ventanilla.text import fold

from .intake import extract_address, is_tramites_intent, question_core, words


def looks_like_question(text: str, norm: str, *, topic_words: bool) -> bool:
    """A question ("?" or a question opening); with `topic_words`, also "horarios", "trámites"..."""
    if "?" in text or "¿" in text or asks_question(norm):
        return True
    return topic_words and is_tramites_intent(norm)


def asks_question(norm: str) -> bool:
    """A question without a question mark: it opens with a question's words, or they come within its first few words
    after a short lead ("perdí la boleta, cómo saco otra", "bueno a ver, hasta qué día se paga")."""
    core = question_core(norm)
    starts = words("question_starts.txt")
    if any(core == s or core.startswith(s + " ") for s in starts):
        return True
    tokens = core.split()
    for i in range(1, min(5, len(tokens))):
        rest = " ".join(tokens[i:])
        if any(rest.startswith(s + " ") for s in starts if " " in s or s in _WH_WORDS):
            return True
    return False


_WH_WORDS = frozenset({"cual", "cuales", "cuando", "donde", "cuanto", "cuanta", "cuantos", "cuantas", "quien"})


def is_dont_know(norm: str) -> bool:
    """ "no sé", "no tengo"..."""
    return norm in words("dont_know_words.txt")


def is_restart(norm: str) -> bool:
    """The citizen wants to start the complaint over."""
    return norm in words("restart_words.txt")


def is_emoji_only(text: str) -> bool:
    """Something was written, but no letter or digit (emoji, punctuation)."""
    return bool(text.strip()) and not any(ch.isalnum() for ch in text)


_THUMBS_UP = frozenset("👍👌✅✔☑🆗")


def is_thumbs_up(text: str) -> bool:
    """Emoji that say yes (skin tones and variation selectors aside)."""
    marks = [ch for ch in text if not ch.isspace() and ch not in _MODIFIERS]
    return bool(marks) and all(ch in _THUMBS_UP for ch in marks)


_MODIFIERS = frozenset("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")


_LANDMARK_RE = re.compile(
    r"\b(?:esquina|entre|frente|cruce|interseccion|plaza|escuela|hospital|club|barrio|b°|ruta|km|parque|"
    r"terminal|iglesia|estacion|manzana|mza|lote|calle|avenida|av|pasaje|bv|boulevard|diagonal|camino|"
    r"rotonda|puente|costanera|acceso|edificio|torre|monoblock|villa|paraje)\b"
)
_CORNER_RE = re.compile(r"\b[a-z]{3,}\s+y\s+[a-z0-9]{2,}")


def usable_location(text: str) -> bool:
    """An address with a street and a number, a corner, or a point of reference."""
    f = fold(text)
    if extract_address(text) or (re.search(r"\d", f) and re.search(r"[a-z]{3,}", f)):
        return True
    return bool(_LANDMARK_RE.search(f) or _CORNER_RE.search(f))


# --- corrections -----------------------------------------------------------------------------------------

_FIELD_WORDS = {
    "ubicacion": r"direccion|ubicacion|domicilio|calle|lugar|altura",
    "categoria": r"categoria|tema|tipo de reclamo",
    "descripcion": r"descripcion|problema|detalle",
    "email": r"e ?mail|mail|correo(?: electronico)?",
    "telefono": r"telefono|celular|cel|whatsapp",
    "dni": r"dni|documento",
    "nombre": r"nombre",
    "apellido": r"apellido",
}
_FIELD_RE = "|".join(f"(?P<{name}>{pattern})" for name, pattern in _FIELD_WORDS.items())
_MARKER = (
    r"(?:no|perdon|perdona|disculpa|disculpas|me equivoque|me confundi|quise decir|queria decir|mejor dicho|"
    r"en realidad|corrijo|correccion|error|ah|uy|ay|ups|upa|epa)"
)
_VERB = (
    r"(?:cambia|cambiar|cambiame|cambien|cambialo|modifica|modificar|corregi|corregir|corrige|pone|pon|poneme|"
    r"actualiza)"
)
_LINK = r"(?:\s*(?:es|era|seria|correcta es|correcto es|a|por|va a ser|queda|:|=)\b)?\s*[:,.]?\s*"
_WITH_FIELD = re.compile(
    rf"^\W*(?P<marker>(?:{_MARKER}\W+)*)(?P<verb>{_VERB}\s+)?(?:(?:el|la|mi|de)\s+)?(?:{_FIELD_RE})\b{_LINK}(?P<value>\S.*)$"
)
_FIELDLESS = re.compile(
    r"^\W*(?:(?:no|bah|ah|uy|ups|ay|upa|epa)\W+)*"
    r"(?:perdon|perdona|disculpa|disculpas|me equivoque|me confundi|quise decir|queria decir|mejor dicho|corrijo)"
    r"\W+(?:(?:quise decir|queria decir|es|era|no era eso|en realidad|me exprese mal|me equivoque|me confundi|"
    r"lo dije mal|lo escribi mal|escribi mal)\W+)*(?P<value>\S.*)$"
)


_FIELD_ALONE = re.compile(
    rf"^\W*(?:no\W+)?(?:(?:quiero )?(?:corregir|cambiar)\s+)?(?:(?:el|la|mi|de)\s+)?(?:{_FIELD_RE})"
    r"(?:\s+(?:esta mal|esta equivocad[oa]|no es ese|no es esa|es incorrect[oa]|incorrect[oa]|mal))?\W*$"
)
_PLAIN_NO = re.compile(
    r"^(?:no+|nop|nah|no no|no confirmo|no todavia|todavia no|no esta bien|esta mal|algo esta mal|hay un error|"
    r"no es (?:asi|correcto|correcta))\W*$"
)
_PHOTO_DECLINE = re.compile(
    r"^\W*(?:(?:no|nop|bueno|ah|uy|perdon)\W+)*(?:(?:no tengo|no tenemos|sin|no puedo (?:mandar|sacar|enviar)|"
    r"no te puedo (?:mandar|enviar)|no saque|no hay)\s+(?:(?:ninguna|una|la|ni una)\s+)?fotos?\b|"
    r"(?:la\s+)?fotos?\s+no(?:\s+(?:tengo|tenemos|hay|puedo))?\b)"
    r"(?:\s+(?:ahora|ahorita|por ahora|encima|aca|disculpa|perdon))*\W*"
)


def named_field(norm: str) -> str | None:
    """The field a message names and nothing else ("el nombre", "la dirección está mal"), as a correction asks."""
    m = _FIELD_ALONE.match(norm)
    return next((name for name in _FIELD_WORDS if m.group(name)), None) if m else None


def is_plain_no(norm: str) -> bool:
    """A bare refusal ("no", "nop", "está mal"): at the summary, something to correct, not a cancel."""
    return bool(_PLAIN_NO.match(norm))


def without_photo_decline(text: str) -> str | None:
    """ "no tengo foto, soy Ana Paz 261…" → what follows the decline ("" when nothing); None when no decline."""
    folded, index = _fold_with_map(text[:1000])
    m = _PHOTO_DECLINE.match(folded)
    if not m:
        return None
    rest = _original(text, index, m.end()).strip()
    return re.sub(r"^(?:pero|y|igual)\b\W*", "", rest, flags=re.I)


@dataclass(frozen=True, slots=True)
class Correction:
    """A change to one field; `field` None means "the one I just answered" (or what the value looks like)."""

    field: str | None
    value: str


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for folded in fold(ch):
            out.append(folded)
            index.append(i)
    return "".join(out), index


def parse_correction(text: str, *, at_summary: bool) -> Correction | None:
    """ "no, la dirección es Belgrano 540", "cambiá la categoría a Baches", "perdón, quise decir..." """
    folded, index = _fold_with_map(text[:1000])
    m = _WITH_FIELD.match(folded)
    if m and (m.group("marker") or m.group("verb") or at_summary):
        field = next(name for name in _FIELD_WORDS if m.group(name))
        return Correction(field, _original(text, index, m.start("value")))
    m = _FIELDLESS.match(folded)
    if m:
        return Correction(None, _original(text, index, m.start("value")))
    return None


def _original(text: str, index: list[int], start: int) -> str:
    value = text[index[start] :] if start < len(index) else ""
    return value.strip(" .,;:")


# --- ticket look-ups -----------------------------------------------------------------------------------

_PIN_RE = re.compile(r"\bpin\W{0,4}(\d{3,10})\b")
_NRO_RE = re.compile(
    r"(?:\breclamo|\bticket|\bnumero|\bnro|\bn\W?o|\bn|\bsolicitud|\bpedido|\batencion|#)\W{0,4}(\d{1,15})\b"
)
_DIGITS_RE = re.compile(r"\d+")


def parse_lookup(text: str) -> tuple[int | None, str | None]:
    """Ticket number and PIN in any reasonable form: "5 257382", "reclamo 5 pin 257382", "N.º 5, PIN 257382"."""
    f = fold(text[:500])
    pin_m = _PIN_RE.search(f)
    pin = pin_m.group(1) if pin_m else None
    rest = f[: pin_m.start()] + " " + f[pin_m.end() :] if pin_m else f
    nro_m = _NRO_RE.search(rest)
    runs = _DIGITS_RE.findall(rest)
    nro_text = nro_m.group(1) if nro_m else (runs[0] if runs else None)
    if pin is None:
        others = [r for r in runs if r != nro_text]
        pin = next((r for r in others if len(r) >= 4), None)
    nro = int(nro_text) if nro_text and len(nro_text) <= 15 and int(nro_text) > 0 else None
    return nro, pin
