"""Slot extractors: pure functions that find an address, a name, a phone, an email, a ticket number or a PIN in
any message, in any order and any wording. They run on every turn; the dialogue decides what to keep."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ventanilla.text import fold, national_phone

from .intake import valid_email, words

# --- text helpers -----------------------------------------------------------------------------------------


def _folded(text: str) -> tuple[str, list[int]]:
    """Lowercase without accents, and where each folded character came from in the original."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for folded in fold(ch):
            out.append(folded)
            index.append(i)
    return "".join(out), index


def _span(text: str, index: list[int], start: int, end: int) -> str:
    if start >= len(index):
        return ""
    stop = index[end - 1] + 1 if end - 1 < len(index) else len(text)
    return text[index[start] : stop]


def _title(value: str) -> str:
    """Words capitalised as a clerk writes them ("colón y españa" → "Colón y España")."""
    small = {"y", "de", "del", "la", "las", "los", "el", "al", "entre", "e", "a"}
    out = []
    for i, word in enumerate(value.split()):
        low = word.lower()
        out.append(low if i and low in small else (word[:1].upper() + word[1:] if word[:1].islower() else word))
    return " ".join(out)


# --- addresses --------------------------------------------------------------------------------------------

_NOT_STREET = words("not_street_words.txt")
_W = (
    r"(?:\b(?!(?:al|y|e|entre|esquina|esq|hay|hace|casi|en|sobre|por|frente|que|es|con|desde|hasta|pero|no)\b)"
    r"(?:[a-z][a-z'.]*[a-z]|[a-z]))"
)
_NUM_UNITS = (
    r"hs|h|hrs|horas?|dias?|semanas?|mes|meses|anos?|metros?|mts?|m|cm|km|kg|veces|%|autos?|personas?|perros?|"
    r"min|minutos?|chicos?|vecinos?|casas?|cuadras?|pm|am|ninos?|nenes?|gatos?|ratas?|arboles?|postes?|pesos"
)
_PREFIX = r"(?:(?:av(?:enida)?\.?|avda\.?|calle|pasaje|pje\.?|bv\.?|boulevard|bulevar|diagonal|ruta|camino)\s+)"


def _street_word(word: str) -> bool:
    return word not in _NOT_STREET


_NUMBERED_NAME = r"(?:\d{1,2}\s+de\s+[a-z]+)"
_STREET = rf"(?:{_PREFIX}?(?:{_NUMBERED_NAME}|entre rios|{_W}(?:\s+(?:(?:de|del|las|los|la)\s+)?{_W}){{0,3}}))"
_NUMBER = rf"(?:(?:al|n|no|nro|numero|num|n°|nº|#)\.?\s*)?(?P<num>\d{{1,5}})(?![\d.,:/]\d)(?!\s*(?:{_NUM_UNITS})\b)"
_CUE = (
    r"(?:^|\ben|\bsobre|\bpor|\bcalle|\bavenida|\bav|\baltura de|\bfrente a|\bde|\bdireccion|\bdomicilio|\bes|,|:|\.)"
)

_STREET_NUMBER_RE = re.compile(rf"{_CUE}\s*(?P<street>{_STREET})\s+{_NUMBER}")
_BETWEEN_RE = re.compile(rf"(?:(?P<on>{_STREET})\s*,?\s+)?\bentre\s+(?P<a>{_STREET})\s+(?:y|e)\s+(?P<b>{_STREET})")
_CORNER_RE = re.compile(
    rf"(?:^|\ben(?:\s+la)?|\besquina(?:\s+de)?|\bcruce de|\bla esquina de|\bcalles?|\bde|:)\s*(?P<a>{_STREET})\s+"
    rf"(?:y|e|esquina|esq\.?|casi esquina|casi en la esquina con|casi|esquina con|llegando a)\s+(?P<b>{_STREET})"
)
_LANDMARKS = (
    r"escuela|esc\.|colegio|jardin|hospital|salita|centro de salud|plaza|plazoleta|club|iglesia|capilla|terminal|"
    r"municipalidad|comisaria|cementerio|parque|estacion|supermercado|super|polideportivo|cancha|banco|correo|"
    r"kiosco|universidad|facultad|rotonda|puente|canal|acequia|barrio|b°|bº|monoblock|edificio|torre|cine|teatro|"
    r"estadio|mercado|shopping|farmacia|feria|galeria|hotel|bomberos|registro civil"
)
_LANDMARK_STOP = (
    r"(?:y|que|hay|esta|estan|donde|se|no|de la|del|hace|con|por|para|tiene|anda|es|son|porque|pero|ya|todo|toda|"
    r"muy|lleno|llena|sin|desde|enfrente|tambien|frente|al|a|otra|otro)\b"
)
_LANDMARK_TAIL = rf"(?:\s+(?:(?:n[°º.o]?\s*)?\d{{1,4}}(?:-\d{{1,4}})?|(?!{_LANDMARK_STOP})[a-z][a-z']*))"
_LANDMARK_RE = re.compile(
    r"(?P<lm>(?:frente|enfrente|al lado|cerca|atras|detras|a la vuelta|a media cuadra|a una cuadra|en la puerta)"
    r"\s+(?:a|al|de|del)\s+(?:la\s+|el\s+|los\s+|las\s+)?"
    rf"(?:{_LANDMARKS})\b{_LANDMARK_TAIL}{{0,4}}|"
    r"\b(?:en|de)\s+(?:la\s+|el\s+)?"
    rf"(?:{_LANDMARKS})\b(?:{_LANDMARK_TAIL}{{1,4}}|\s+del?\s+barrio\s+[a-z]+(?:\s+(?!{_LANDMARK_STOP})[a-z]+)?))"
)
_RELATIVE_RE = re.compile(r"(?:frente|enfrente|al lado|cerca|atras|detras|a la vuelta|a media|a una|en la puerta)")
_BARRIO_HEAD = r"(?:barrio|b°|bº|bo\.|bo(?=\s+[a-z]{3,}))"
_BARRIO_RE = re.compile(rf"(?P<b>\b{_BARRIO_HEAD}\s+(?:{_W}|\d{{1,4}})(?:\s+(?!y\b|que\b|hay\b){_W}){{0,3}})")
_STREET_ONLY_RE = re.compile(
    rf"(?:\b(?P<kind>calle|avenida|av\.|pasaje|ruta)\s+(?P<s>{_STREET})|\b(?:esquina|cruce) con\s+(?P<c>{_STREET}))"
)
COORDS_RE = re.compile(r"(?<![\d.])(-?\d{1,2}[.,]\d{3,})\s*[,;/ ]\s*(-?\d{1,3}[.,]\d{3,})(?![\d])")


@dataclass(frozen=True, slots=True)
class Place:
    """A location found in text: what to record, and a point when coordinates were typed."""

    text: str
    latitud: float | None = None
    longitud: float | None = None


def _clean_street(folded: str, *, head: bool = False) -> str | None:
    """The street inside a matched run of words: leading words that are no street are dropped ("el baldío de Salta"
    → "Salta"); with `head` (a street after "y"), the run is cut at the first word that is no street instead."""
    connectors = ("de", "del", "la", "las", "los")
    parts = folded.split()
    if head:
        kept: list[str] = []
        for p in parts:
            if not _street_word(p) and p not in connectors:
                break
            kept.append(p)
        parts = kept
    else:
        start = 0
        for i, p in enumerate(parts):
            if not _street_word(p) and p not in connectors:
                start = i + 1
        parts = parts[start:]
        while parts and parts[0] in connectors and not (parts[0] in ("las", "los") and len(parts) > 1):
            parts = parts[1:]
    while parts and parts[-1] in connectors:
        parts = parts[:-1]
    if not parts or (len(parts) == 1 and len(parts[0]) < 3 and not parts[0].isdigit()):
        return None
    return " ".join(parts)


def _original_words(text: str, index: list[int], folded: str, start: int, cleaned: str) -> str:
    """The original spelling of the cleaned street, found at or after `start` in the folded text."""
    at = folded.find(cleaned, start)
    return _span(text, index, at, at + len(cleaned)) if at >= 0 else cleaned


def _coords(folded: str) -> tuple[float, float] | None:
    m = COORDS_RE.search(folded)
    if not m:
        return None
    lat, lon = (float(g.replace(",", ".")) for g in m.groups())
    if -90 <= lat <= 90 and -180 <= lon <= 180 and (abs(lat) > 1 or abs(lon) > 1):
        return lat, lon
    return None


def find_address(text: str, *, whole: bool = False) -> Place | None:
    """An Argentine location in free text: street and number ("Mitre al 700", "por Alem 450"), a corner ("Colón y
    España"), "entre X y Y", a landmark ("frente a la escuela 12"), a barrio, or typed coordinates.

    `whole`: the message answers "¿Dónde es?", so a bare "Mitre 100" or "colón y españa" counts."""
    if not text:
        return None
    folded, index = _folded(text[:600])
    point = _coords(folded)
    if point is not None:
        return Place(f"Coordenadas {point[0]:.6f}, {point[1]:.6f}", point[0], point[1])
    found: list[tuple[int, str]] = []
    for m in _BETWEEN_RE.finditer(folded):
        a, b = _clean_street(m.group("a")), _clean_street(m.group("b"), head=True)
        if not a or not b:
            continue
        on = _clean_street(m.group("on")) if m.group("on") else None
        names = [_original_words(text, index, folded, m.start(g), v) for g, v in (("a", a), ("b", b))]
        head = f"{_title(_original_words(text, index, folded, m.start('on'), on))} " if on else ""
        found.append((m.start(), f"{head}entre {_title(names[0])} y {_title(names[1])}"))
        break
    if not found:
        for m in _overlapping(_STREET_NUMBER_RE, folded):
            street = _clean_street(m.group("street"))
            if not street or (m.start("street") > 0 and not _cue_ok(folded, m, whole)):
                continue
            name = _original_words(text, index, folded, m.start("street"), street)
            before = folded[: folded.find(street, m.start())]
            kind = re.search(r"\b(av|avenida|avda)(\.?)\s*$", before)
            prefix = f"{_title(_span(text, index, kind.start(1), kind.end(2)))} " if kind else ""
            al = "al " if re.search(r"\bal\s*$", folded[: m.start("num")]) else ""
            number = m.group("num")
            better = _RENUMBER_RE.match(folded, m.end("num"))
            if better:
                number = better.group(1)
            found.append((m.start(), f"{prefix}{_title(name)} {al}{number}"))
            break
    if not found:
        for m in _overlapping(_CORNER_RE, folded):
            a, b = _clean_street(m.group("a")), _clean_street(m.group("b"), head=True)
            if not a or not b or len(b) < 3:
                continue
            if m.start("a") == 0 and not whole and not _cue_before(folded, m) and not _capitalised(text, index, m):
                continue
            if _after_bare_de(folded, m) and not _capitalised(text, index, m):
                continue
            if a.split()[-1] in _NOT_CORNER or b.split()[0] in _NOT_CORNER:
                continue
            names = [_original_words(text, index, folded, m.start(g), v) for g, v in (("a", a), ("b", b))]
            found.append((m.start(), f"{_title(names[0])} y {_title(_capitalised_head(names[1]))}"))
            break
    if not found and (whole or _LANDMARK_RE.search(folded)):
        for m in _STREET_ONLY_RE.finditer(folded):
            group = "s" if m.group("s") else "c"
            street = _clean_street(m.group(group), head=True)
            if not street:
                continue
            name = _title(_original_words(text, index, folded, m.start(group), street))
            found.append((m.start(), f"Calle {name}" if group == "s" else f"esquina con {name}"))
            break
    for m in _LANDMARK_RE.finditer(folded):
        piece = _span(text, index, m.start("lm"), m.end("lm")).strip(" ,.")
        piece = re.sub(r"^de\s+(?=(?:la|el)\s)", "", piece, flags=re.I)
        piece = re.sub(r"(\s\S*\d[\d\-]*)\s.*$", r"\1", piece)  # a number ends the name ("la escuela 1-045")
        piece = re.sub(r"(?:\s+(?:de|del|la|el|los|las|y))+$", "", piece, flags=re.I)
        if re.search(rf"\b(?:{_LANDMARKS})$", fold(piece)) and not _RELATIVE_RE.match(fold(piece)):
            continue  # "la plaza" with no name or number says no place
        if found and not any(k in fold(piece) for k in ("frente", "lado", "cerca", "atras", "detras")):
            break
        found.append((m.start(), piece))
        break
    barrio = _BARRIO_RE.search(folded)
    if barrio and _generic_barrio(text, index, folded, barrio):
        barrio = None
    if barrio and not any("barrio" in fold(t) for _, t in found):
        head, *rest = folded[barrio.start("b") : barrio.end("b")].split()
        kept = list(itertools.takewhile(lambda w: w not in _NOT_STREET or w in ("la", "las", "los", "el"), rest))
        while kept and kept[-1] in ("la", "las", "los", "el", "de", "del"):
            kept.pop()
        if kept:
            end = folded.find(kept[-1], barrio.start("b") + len(head)) + len(kept[-1])
            named = _span(text, index, barrio.start("b"), end).split()
            found.append((barrio.start(), " ".join(w[:1].upper() + w[1:] for w in named)))
    if not found:
        return None
    found.sort()
    return Place(", ".join(t for _, t in found)[:300])


def _generic_barrio(text: str, index: list[int], folded: str, m: re.Match[str]) -> bool:
    """ "los chicos del barrio pasan por abajo", "la gente del barrio": the neighbourhood in general, not one named.
    After "del barrio" only a capitalised word names it ("del barrio San Martín")."""
    if not re.search(r"\bdel\s+$", folded[: m.start("b")]):
        return False
    rest = folded[m.start("b") :].split(maxsplit=2)
    if len(rest) < 2:
        return True
    at = folded.find(rest[1], m.start("b") + len(rest[0]))
    return not text[index[at]].isupper()


_RENUMBER_RE = re.compile(
    r"\s*,?\s*(?:no digo|digo|perdon|mejor dicho|quise decir|no,? es|no,? era)\s*,?\s*(?:al\s+)?(\d{1,5})\b"
)


def street_mentioned(text: str) -> str | None:
    """A street named without a number ("en la calle Olascoaga"): not a location alone, but part of one."""
    m = _STREET_ONLY_RE.search(fold(text[:600]))
    if m is None or not m.group("s"):
        return None
    street = _clean_street(m.group("s"), head=True)
    return f"Calle {_title(street)}" if street else None


def _overlapping(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Every match, also those starting inside an earlier one (a wrong early start must not hide the right one)."""
    out: list[re.Match[str]] = []
    pos = 0
    while pos <= len(text):
        m = pattern.search(text, pos)
        if m is None:
            break
        out.append(m)
        pos = m.start() + 1
    return out


_NOT_CORNER = frozenset(
    {
        "perro",
        "perros",
        "gato",
        "gatos",
        "agua",
        "luz",
        "basura",
        "ruido",
        "ratas",
        "nada",
        "barro",
        "tierra",
        "escombros",
    }
)


def _capitalised_head(name: str) -> str:
    """A street written with capitals ends at the first word written without ("Paso de los Andes agarré" → "Paso de
    los Andes"); connectors stay inside."""
    parts = name.split()
    if not parts or not parts[0][:1].isupper():
        return name
    kept = [parts[0]]
    for word in parts[1:]:
        if word[:1].islower() and fold(word) not in ("de", "del", "la", "las", "los", "el", "y"):
            break
        kept.append(word)
    while len(kept) > 1 and fold(kept[-1]) in ("de", "del", "la", "las", "los", "el", "y"):
        kept.pop()
    return " ".join(kept)


def _capitalised(text: str, index: list[int], m: re.Match[str]) -> bool:
    """Both streets written with capitals ("el semáforo de San Martín y Garibaldi"): names, whatever comes before."""
    first = _span(text, index, m.start("a"), m.end("a")).split()
    second = _span(text, index, m.start("b"), m.end("b")).split()
    return bool(first and second) and first[-1][:1].isupper() and second[0][:1].isupper()


def _after_bare_de(folded: str, m: re.Match[str]) -> bool:
    """ "un montón de escombros y bolsas": after a bare "de" only a thing found at corners ("el semáforo de san
    martín y colón") is followed by two streets."""
    before = folded[: m.start("a")]
    return bool(re.search(r"\bde\s*$", before)) and not re.search(
        r"\b(?:esquina|cruce|interseccion|semaforos?|cartel(?:es)?|postes?|luz|luces|parada|senal\w*|lomo de burro)"
        r" de\s*$",
        before,
    )


def _cue_before(folded: str, m: re.Match[str]) -> bool:
    return bool(re.search(r"(?:\ben|\besquina|:)\s*$", folded[: m.start("a")]))


def _cue_ok(folded: str, m: re.Match[str], whole: bool) -> bool:
    before = folded[: m.start("street")]
    if re.search(r"(?:\ben|\bsobre|\bpor|\bcalle|\bavenida|\bav\.?|\baltura de|\bfrente a|\bdireccion|\bdomicilio|\bes|"
                 r",|:|\.|\bde)\s*$", before):  # fmt: skip
        return True
    return whole and not before.strip()


# --- phones -----------------------------------------------------------------------------------------------

_PHONE_RE = re.compile(r"(?<![\w@.\-])(\+?\(?\d[\d \-().]{5,22}\d)(?![\w@])")
_PHONE_LABEL_RE = re.compile(r"\b(?:tel\w*|cel\w*|whats\w*|wsp|wpp|movil|fijo|llam\w*|contacto|numero)\b")
_AREA_RE = re.compile(r"\b(?:caracteristica|codigo de area|area|prefijo)\D{0,5}0?(\d{2,4})\b|\(0?(\d{2,4})\)")


def find_phone(text: str, *, expected: bool = False) -> str | None:
    """A phone number in any Argentine format: "0261 15-444-3322", "+54 9 261 444 3322", "261-4443322",
    "15 4443322" (with the area code given elsewhere). `expected`: the bot asked for a contact."""
    if not text:
        return None
    folded = fold(text[:600])
    for m in _PHONE_RE.finditer(folded):
        raw = m.group(1)
        if COORDS_RE.search(raw) or re.fullmatch(r"\d{1,2}\.\d{3}\.\d{3}", raw.strip()):
            continue  # coordinates, or a dotted DNI
        digits = re.sub(r"\D", "", raw)
        before = folded[max(0, m.start() - 30) : m.start()]
        if re.search(r"\b(?:pin|clave|codigo|dni|documento|reclamo|ticket|nro|numero de reclamo)\W*$", before):
            continue
        labelled = bool(_PHONE_LABEL_RE.search(before))
        if len(digits) < 8 and not ((labelled or expected) and len(digits) >= 6):
            continue
        if len(digits) in (7, 8) and not (labelled or expected or digits.startswith("15") or "-" in raw):
            continue
        national = national_phone(digits)
        trailing = re.fullmatch(r"(?:15)?(\d{6,8}?)0?([23]\d{2,3})", digits) if len(national) > 10 else None
        if trailing and len(trailing.group(1)) + len(trailing.group(2)) == 10:
            return trailing.group(2) + trailing.group(1)  # "15 6123456 (261)": the area code came last
        if national.startswith("15") and len(national) in (8, 9):
            area = _AREA_RE.search(folded)
            code = (area.group(1) or area.group(2)) if area else None
            if code:
                return code + national[2:]
        if len(national) in (6, 7, 8):
            # A local number ("4-25-67-89") with its area code said apart ("característica 0261").
            area = _AREA_RE.search(folded)
            code = (area.group(1) or area.group(2)) if area else None
            if code and len(code) + len(national) == 10 and code not in digits:
                return code + national
        if 6 <= len(national) <= 13:
            return national
    return None


def with_area_code(phone: str, text: str) -> str | None:
    """A local number kept earlier ("15 5012233") completed by an area code said later ("la característica es
    261")."""
    area = _AREA_RE.search(fold(text[:600]))
    code = (area.group(1) or area.group(2)) if area else None
    if not code or len(phone) >= 10:
        return None
    local = phone[2:] if phone.startswith("15") and len(phone) in (8, 9) else phone
    return code + local if len(code) + len(local) == 10 else None


# --- emails ---------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+\s?@\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


_SPOKEN_AT_RE = re.compile(r"\s+(?:arroba|@)\s+", re.I)
_SPOKEN_DOT_RE = re.compile(r"\s+punto\s+(?=[a-z]{2,}\b)", re.I)
_SPOKEN_UNDERSCORE_RE = re.compile(r"\s+guion bajo\s+", re.I)


def _spoken_email(text: str) -> str:
    """ "silvi ortega arroba hotmail punto com" as dictated → "silvi ortega@hotmail.com"."""
    if not re.search(r"\barroba\b", text, re.I):
        return text
    parts = _SPOKEN_AT_RE.split(text, maxsplit=1)
    if len(parts) != 2:
        return text
    head, tail = parts
    domain = _SPOKEN_DOT_RE.sub(".", tail)
    head = _SPOKEN_DOT_RE.sub(".", _SPOKEN_UNDERSCORE_RE.sub("_", head))
    return re.sub(r"\.\s+", ". ", head) + "@" + domain


def find_email(text: str) -> str | None:
    """An email address (lowercased), also with the stray space dictation leaves around the @ and one said aloud
    ("ana arroba gmail punto com")."""
    text = _spoken_email(text) if text else text
    m = _EMAIL_RE.search(text[:600]) if text else None
    return valid_email(m.group(0).replace(" ", "")) if m else None


# --- names ----------------------------------------------------------------------------------------------

_NOT_NAME = words("not_name_words.txt")
_NAME_SIGNAL_RE = re.compile(
    r"(?:^|[\s,.;:!¡¿?])(?:yo\s+)?(?:me llamo|me yamo|me iamo|"
    r"mi nombre es|mi nombre|nombre(?: completo)?\s*(?:es)?\s*:?|soy|"
    r"(?:ella|el|(?:mi|la|el) (?:vecin[oa]|mama|papa|abuel[oa]|espos[oa]|senora?|herman[oa]|hij[oa]|"
    r"madre|padre|tia|tio)) se llama|"
    r"habla|te habla|le habla|les habla|te escribe|les escribe|le escribe|de parte de|a nombre de|"
    r"me llaman|firmado|atte\.?|att\.?|atentamente,?|cordialmente,?)\s+"
)
_NAME_WORD_RE = re.compile(r"^[^\W\d_][^\W\d_'’\-]*$")
_NAME_AFTER_RE = re.compile(
    r"(?:^|[,.;:!?]\s*)(?P<name>[^\W\d_][^\W\d_'’\- ]*(?: [^\W\d_][^\W\d_'’\-]*){0,4})\s*,?\s*"
    r"(?:es mi nombre|ese es mi nombre|asi me llamo|es como me llamo)\b"
)
_NAME_CONNECTORS = frozenset({"de", "del", "la", "los", "las", "y"})


def _name_words(candidate: str, *, limit: int = 4) -> str | None:
    """The leading name words of a fragment ("graciela funes, vivo en..." → "Graciela Funes")."""
    taken: list[str] = []
    for raw in candidate.split():
        word = raw.strip(".,;:!¡?¿()\"'")
        if not word or not _NAME_WORD_RE.match(word):
            break
        low = fold(word)
        if low == "y":
            break
        if low in _NAME_CONNECTORS and taken and len(taken) < limit:
            taken.append(low)
            continue
        if low in _NOT_NAME or low in _NOT_STREET_NAMES:
            break
        taken.append(word[:1].upper() + word[1:])
        if raw[-1:] in ",.;:!?)" or len([t for t in taken if t not in _NAME_CONNECTORS]) >= limit:
            break
    while taken and taken[-1] in _NAME_CONNECTORS:
        taken.pop()
    real = [t for t in taken if t not in _NAME_CONNECTORS]
    if not real or (len(real) == 1 and len(real[0]) < 3):
        return None
    return " ".join(taken)


_NOT_STREET_NAMES = frozenset({"vecino", "vecina", "jubilado", "jubilada", "docente", "frentista", "propietario"})


_FIRST_NAMES = words("first_names.txt")


def is_first_name(word: str) -> bool:
    """A common first name (data/first_names.txt)."""
    return fold(word.strip(".,;:!")) in _FIRST_NAMES


def looks_like_person(text: str) -> bool:
    """2 to 5 name words starting with a common first name ("dora juares"): a person, not a street."""
    parts = [fold(w.strip(".,;:")) for w in text.split()]
    return 2 <= len(parts) <= 5 and parts[0] in _FIRST_NAMES and find_name(text, bare=True, asked=True) is not None


_PHONE_THEN_NAME_RE = re.compile(
    r"^\W*\+?\d[\d \-().]{6,}\d[\s,.:;\-]+((?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+\s+){1,3}[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\b(?!\s*\d)"
)


def find_name(text: str, *, bare: bool = False, asked: bool = False) -> str | None:
    """A person's name: after "soy", "me llamo", "mi nombre es"...; with `bare` (the bot asked for it, or a
    phone or email came with it) also a message or segment made only of name words ("Sofía Paz, 2614443322").
    "Bueno", "no es ese" and similar are never names."""
    if not text:
        return None
    sample = text[:400]
    # The cue ("mi nombre es", "soy") is looked for in the whole message: a long first message often ends with
    # the name, and cutting it at 400 characters would keep "Ramona Gu" of "Ramona Gutiérrez".
    whole = text[:4000]
    for m in _NAME_SIGNAL_RE.finditer(fold(whole)):
        name = _name_words(whole[_orig_at(whole, m.end()) :])
        if name:
            return name
    folded = fold(sample)
    after = _NAME_AFTER_RE.search(folded)
    if after is not None:
        # "Alfredo Domínguez es mi nombre", "María Eugenia Sosa, ese es mi nombre"
        head = sample[_orig_at(sample, after.start("name")) : _orig_at(sample, after.end("name"))]
        name = _name_words(head, limit=5)
        if name and len(name.split()) == len(head.split()):
            return name
    if not bare:
        return None
    first = _PHONE_THEN_NAME_RE.match(sample)
    if first is not None and fold(first.group(1).split()[0]) in _FIRST_NAMES:
        # "2615550000 Rosa Díaz se rompió la vereda": the capitalised words right after a leading phone.
        return _name_words(first.group(1))
    cleaned = _EMAIL_RE.sub(" , ", sample)
    # A street and its number ("Coronel Díaz 880", "Mitre al 700") is a place, never a bare name.
    cleaned = re.sub(r"(?:[^\W\d_]+\s+){1,3}(?:al\s+)?\d{2,5}\b(?!\s*[\d\-])", " , ", cleaned)
    cleaned = re.sub(r"[+(]?\d[\d \-().]*\d|\d", " , ", cleaned)
    cleaned = re.sub(r"\b(?:mis?\s+)?(?:tel[eé]fono|tel|cel(?:ular)?|whatsapp|mail|e-?mail|correo|dni|nombre|datos"
                     r"(?:\s+personales|\s+de\s+contacto)?|contacto)\b\s*:?",
                     " , ", cleaned, flags=re.IGNORECASE)  # fmt: skip
    for segment in re.split(r"[,;:\n|/]+|\.(?:\s+|$)|\s+-\s+", cleaned):
        words_ = segment.split()
        if not 1 <= len(words_) <= 5:
            continue
        if not all(_NAME_WORD_RE.match(w.strip(".!¡?¿")) for w in words_ if w.strip(".!¡?¿")):
            continue
        if any(fold(w.strip(".!¡?¿")) in _NOT_NAME - _NAME_CONNECTORS for w in words_):
            continue
        name = _name_words(segment, limit=5)
        if not name or len(name.split()) != len([w for w in words_ if w.strip(".!¡?¿")]):
            continue
        # Without the question asked, only what looks like a name: two words at least, capitals or a common first name.
        if not asked and len(name.split()) < 2:
            continue
        if (
            asked
            or fold(words_[0]) in _FIRST_NAMES
            or all(w[:1].isupper() for w in words_ if fold(w) not in _NAME_CONNECTORS)
        ):
            return name
    return None


def _orig_at(sample: str, folded_pos: int) -> int:
    """Position in the original text of a position in its fold (fold keeps one character per character here)."""
    _, index = _folded(sample)
    return index[folded_pos] if folded_pos < len(index) else len(sample)


# --- ticket numbers and PINs ----------------------------------------------------------------------------

_PIN_RE = re.compile(
    r"\b(?:pin|clave|codigo|cod|contrasena|password|numero secreto)\b\W*(?:(?:es|era|creo|que|me|dieron|de|del|mi|"
    r"seria|el|la|reclamo|ticket|:)\W+){0,5}(\d{4,8})\b|(\d{4,8})\W+(?:es\W+)?(?:el\W+|mi\W+)?(?:pin|clave|codigo)\b"
)
_NRO_RE = re.compile(
    r"(?:\breclamo|\bticket|\bnumero|\bnro|\bn°|\bnº|\bn\.?o|\bn\.|\bsolicitud|\bpedido|\bexpediente|#|\bel)"
    r"\W{0,4}(?:(?:es|era|de|del|mi|reclamo|el|numero|nro)\W+){0,3}(\d{1,7})\b(?!\s*(?:dias|semanas|meses|anos|hs))"
)


@dataclass(frozen=True, slots=True)
class TicketRef:
    """A ticket number and/or a PIN (as typed: leading zeros kept)."""

    nro: int | None = None
    pin: str | None = None


def find_ticket_ref(text: str, *, bare_pin: bool = False) -> TicketRef:
    """Ticket number and PIN in any wording: "el 14, pin 077877", "reclamo N.º 14 clave 077877", "14 077877".

    "el pin es 077877" is a PIN, not complaint 77877; with `bare_pin` a lone 4–8 digit message is a PIN."""
    if not text:
        return TicketRef()
    folded = fold(text[:500])
    pin_m = _PIN_RE.search(folded)
    pin = (pin_m.group(1) or pin_m.group(2)) if pin_m else None
    rest = folded[: pin_m.start()] + " " + folded[pin_m.end() :] if pin_m else folded
    rest = re.sub(r"\bhace\s+\d+\s+\w+", " ", rest)
    nro_m = _NRO_RE.search(rest)
    runs = re.findall(r"(?<![\d.,])\d+(?![\d.,]\d)", rest)
    nro_text = nro_m.group(1) if nro_m else None
    if nro_text is None and runs:
        if pin is None and len(runs) == 1 and bare_pin and 4 <= len(runs[0]) <= 8:
            return TicketRef(None, runs[0])
        nro_text = runs[0] if len(runs[0]) <= 7 else None
    if pin is None:
        others = [r for r in runs if r != nro_text]
        pin = next((r for r in others if 4 <= len(r) <= 8), None)
    nro = int(nro_text) if nro_text and int(nro_text) > 0 else None
    return TicketRef(nro, pin)


# --- everything at once -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slots:
    """What one message gives, whatever was asked."""

    place: Place | None = None
    nombre: str | None = None
    telefono: str | None = None
    email: str | None = None
    nombre_said: bool = False
    """The name came with "soy", "me llamo"... (not a bare guess)."""

    def any_contact(self) -> bool:
        """A name, a phone or an email."""
        return bool(self.nombre or self.telefono or self.email)


def extract(text: str, *, asked: str | None = None, names: bool = False) -> Slots:
    """Run every extractor; `asked` is the slot the bot asked for ("ubicacion", "datos_personales"...); with
    `names`, a bare name that looks like one (capitals, a common first name) counts without being asked."""
    email = find_email(text)
    telefono = find_phone(text, expected=asked == "datos_personales")
    said = find_name(text)
    bare = asked == "datos_personales" or names or bool(email or telefono) or looks_like_person(text.strip())
    nombre = said or find_name(text, bare=bare, asked=asked == "datos_personales")
    place = (
        None
        if nombre and looks_like_person(text.strip())
        else find_address(_without_contact(text), whole=asked == "ubicacion")
    )
    return Slots(place, nombre, telefono, email, nombre_said=said is not None)


def _without_contact(text: str) -> str:
    """The text without emails and phones, so a phone is never read as a street number."""
    text = _EMAIL_RE.sub(" ", text)
    text = re.sub(r"\b(?:cel\w*|tel\w*|whats\w*|wsp|movil)\b\W*\+?[\d \-().]+", " ", text, flags=re.I)
    return re.sub(r"\+?\d[\d \-().]{7,}\d", " ", text)
