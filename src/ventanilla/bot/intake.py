"""Deterministic text understanding for the bot: normalisation, intents, categories, personal data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from ventanilla.text import MAX_MESSAGE_CHARS, fold

MAX_INPUT_CHARS = MAX_MESSAGE_CHARS

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES_RE = re.compile(r"[ \t]+")
_NON_WORD_RE = re.compile(r"[\W_]+")


def clean_text(value: object, limit: int = MAX_INPUT_CHARS) -> str:
    """Coerce to str, drop control characters, collapse spaces and truncate to ``limit``."""
    if not isinstance(value, str):
        return ""
    # Pre-cut before any regex so huge inputs cost nothing.
    text = _CONTROL_RE.sub(" ", value[: limit * 2])
    text = _SPACES_RE.sub(" ", text).strip()
    return text[:limit].rstrip()


@cache
def words(name: str) -> frozenset[str]:
    """A word list of the bot's data folder: one entry a line, `#` starts a comment."""
    text = resources.files("ventanilla.bot").joinpath(f"data/{name}").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def normalize(text: str) -> str:
    """Lowercase, strip accents and punctuation, collapse spaces, chat shorthand spelled out ("q" → "que", "x" →
    "por"): for matching only."""
    folded = _NON_WORD_RE.sub(" ", fold(text)).strip()
    table = _shorthand()
    if not any(w in table for w in folded.split()):
        return folded
    return " ".join(table.get(w, w) for w in folded.split())


@cache
def _shorthand() -> dict[str, str]:
    """Chat abbreviations and the words they stand for (data/chat_shorthand.txt)."""
    pairs = (line.partition(":") for line in words("chat_shorthand.txt"))
    return {short.strip(): full.strip() for short, _, full in pairs}


CONFIRM_WORDS = words("confirm_words.txt")
_SOFT_CANCEL = words("cancel_words.txt")
SOFT_CANCEL_WORDS = _SOFT_CANCEL
CANCEL_WORDS = _SOFT_CANCEL | words("cancel_at_summary_words.txt")
MENU_WORDS = words("menu_words.txt")

_GREETING_RE = re.compile(
    r"^(?:(?:hello|hi|hey there|oi|ola|hola|holis|holaa+|buen dia|buenos dias|buenas tardes|buenas noches|buenas|hey|"
    r"saludos|"
    r"que tal|como estas|como estan|como esta|como le va|como les va|espero que (?:esten|este|estes) (?:muy )?bien|"
    r"como va|como andan|como andas|todo bien|senores|senor|senora|senorita|estimados?|municipalidad|muni)\s*)+$"
)
_THANKS_RE = re.compile(
    r"\b(?:agradezco|le agradezco|se agradece|"
    r"gracias|graciass+|muchas gracias|mil gracias|te agradezco|grax|grcs|grs|gracia|tks|thanks|obrigad[oa]|"
    r"agradecid[oa])\b"
)


_LEAD_IN_RE = re.compile(
    r"^(?:(?:hola|holaa+|buenas|buen dia|buenos dias|buenas tardes|buenas noches|che|y|e|osea|o sea|entonces|pero|"
    r"ah|bueno|ok|dale|perdon|disculpe|disculpa|una consulta|consulta|otra cosa|ademas|tambien|ustedes|usted|vos|"
    r"senorita|senor|mire|mira|ola|holis|a ver|haber|una pregunta|pregunta|les consulto|te consulto|le consulto|"
    r"queria consultar|quiero consultar|consultaba|queria preguntar|quiero preguntar|les queria preguntar)\s+)+"
)


def question_core(norm: str) -> str:
    """A message without the greetings and fillers it opens with ("hola buenas, y ustedes cuándo podan")."""
    return _LEAD_IN_RE.sub("", norm)


def is_greeting(norm: str) -> bool:
    """True when the normalised text is only a greeting, maybe with the wish to tell something not yet told ("hola
    buenas tardes como están, les quería comentar algo")."""
    if not norm:
        return False
    if _GREETING_RE.match(norm):
        return True
    rest = _ANNOUNCE_RE.sub("", norm).strip()
    return rest != norm and (not rest or bool(_GREETING_RE.match(rest)))


_ANNOUNCE_RE = re.compile(
    r"\b(?:tengo |te hago |les hago |le hago |hago )?(?:una|otra|1) (?:consulta|pregunta|duda)$|"
    r"^(?:consulta|pregunta)$|"
    r"\b(?:(?:yo )?(?:les|le|te) )?(?:queria|quiero|quisiera|vengo a|necesito|tengo que|les escribo para|escribo para|"
    r"les escribo|te escribo|le escribo)(?: (?:hacerles|hacerle|hacerte|hacer))?(?: (?:comentar|contar|consultar|"
    r"avisar|informar|decir|preguntar|una consulta|una pregunta))?(?: (?:les|le|te))?(?: (?:algo|una cosa|un tema|"
    r"un problema|una situacion))?$"
)


def is_thanks(norm: str) -> bool:
    """True for short thank-you messages."""
    return bool(_THANKS_RE.search(norm)) and len(norm.split()) <= 9


_AGENT_TARGET = (
    r"(?:representante|persona|personas|humano|humana|ser humano|agente(?!s? de transito)|operador|operadora|"
    r"asesor|asesora|empleado|empleada|alguien|responsable|encargado|encargada|gente)"
)
_AGENT_PATTERNS = (
    re.compile(
        r"\b(?:hablar|hablo|habla|comunicarme|comunicarse|comunicar|contactarme|contactar|chatear|conversar)"
        r"\s+con\s+(?:(?:un|una|el|la|algun|alguna|alguien|los|las|a)\s+)?(?:\w+\s+)?" + _AGENT_TARGET + r"\b"
    ),
    re.compile(r"\b(?:pasame|pasarme|pasas|comunicame|derivame|derivarme|transferime|transferirme)\s+con\b"),
    re.compile(
        r"\b(?:quiero|quisiera|necesito|pido|solicito|puedo tener|me das|me pasas)\s+(?:con\s+)?"
        r"(?:un|una|a un|a una)?\s*(?:representante|operador|operadora|asesor|asesora|humano|persona real|"
        r"agente humano|ser humano)\b"
    ),
    re.compile(r"\batencion (?:humana|personalizada|con una persona)\b"),
    re.compile(r"^(?:un |una )?(?:representante|operador|operadora|asesor|asesora|humano|agente|persona real)$"),
)


def is_agent_request(text: str) -> bool:
    """True when the citizen asks to talk to a human representative."""
    if not isinstance(text, str):
        return False
    norm = normalize(text[:MAX_INPUT_CHARS])
    return any(p.search(norm) for p in _AGENT_PATTERNS)


_CONSULT_RE = re.compile(
    r"\b(?:consult\w*|estado|seguimiento|averigu\w*|novedad\w*|como va|que paso con|como sigue)\b"
    r".{0,40}\b(?:reclamo|reclamos|ticket|pedido|solicitud|tramite)\b"
    r"|\b(?:reclamo|ticket|pedido|solicitud)\s*(?:n|nro|numero|no)?\s*\d+.*\bpin\b"
)
_COMPLAINT_RE = {
    "municipio": re.compile(r"\b(?:reclam\w*|queja\w*|quejarme|denunci\w*|report\w*|problema\w*)\b"),
    "pyme": re.compile(
        r"\b(?:pedido\w*|pedir|encargar|encargo|comprar|compra|presupuesto\w*|cotiza\w*|reclam\w*|queja\w*|"
        r"consulta|consultar algo|problema\w*)\b"
    ),
}
_TRAMITES_RE = re.compile(
    r"\b(?:tramite\w*|horario\w*|atienden|abren|cierran|atencion al publico|requisito\w*|donde queda\w*|"
    r"direccion de|telefono de|contacto)\b"
)
_INTENT_FILLER_RE = re.compile(
    r"\b(?:hola|buen dia|buenas|quiero|quisiera|queria|necesito|hacer|presentar|dejar|un|una|reclamo|"
    r"reclamar|queja|denuncia|denunciar|reportar|por favor|porfa|pedido|consulta)\b"
)


def is_consult_intent(norm: str) -> bool:
    """True when the citizen wants to check an existing complaint."""
    return bool(_CONSULT_RE.search(norm))


def is_complaint_intent(norm: str, tipo: str) -> bool:
    """True when the citizen wants to file something."""
    pattern = _COMPLAINT_RE.get(tipo, _COMPLAINT_RE["municipio"])
    return bool(pattern.search(norm))


def is_tramites_intent(norm: str) -> bool:
    """True for questions about procedures, hours or contact data."""
    return bool(_TRAMITES_RE.search(norm))


def is_descriptive(norm: str, min_words: int = 4) -> bool:
    """True when, beyond intent phrases, the text says something about the problem."""
    rest = _INTENT_FILLER_RE.sub(" ", norm).split()
    return len(rest) >= min_words


_CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Alumbrado público": (
        r"luz",
        r"luces",
        r"lampar\w*",
        r"poste\w*",
        r"luminari\w*",
        r"alumbrado",
        r"farol\w*",
        r"foco\w*",
        r"a oscuras",
        r"oscur\w*",
    ),
    "Baches y calles": (
        r"baches?",
        r"pozos?",
        r"asfalt\w*",
        r"pavimento\w*",
        r"calles? rotas?",
        r"veredas? rotas?",
        r"cordon\w*",
        r"ripio",
        r"hundimiento\w*",
        r"calle de tierra",
        r"(?:calle|vereda|asfalto|pavimento)\b.{0,40}\b(?:rot[oa]s?|destruid[oa]s?|hundid[oa]s?)",
    ),
    "Residuos y limpieza": (
        r"basura\w*",
        r"residuos?",
        r"contenedor\w*",
        r"recoleccion",
        r"recolector\w*",
        r"microbasural\w*",
        r"basural\w*",
        r"escombros?",
        r"limpieza",
        r"camion (?:de la basura|recolector)",
        r"no pas\w* el camion",
        r"bolsas?",
        r"ratas?",
        r"mugre",
        r"barrido",
        r"barrer",
    ),
    "Arbolado y espacios verdes": (
        r"arbol\w*",
        r"ramas?",
        r"poda\w*",
        r"plazas?",
        r"yuyos?",
        r"pasto",
        r"cesped",
        r"espacios? verdes?",
        r"parques?",
        r"raices",
        r"raiz",
    ),
    "Agua y cloacas": (
        r"agua",
        r"cloaca\w*",
        r"perdida\w*",
        r"canos?",
        r"canerias?",
        r"desague\w*",
        r"alcantarilla\w*",
        r"boca de tormenta",
        r"inund\w*",
        r"anegad\w*",
    ),
    "Tránsito y señalización": (
        r"semaforo\w*",
        r"senal\w*",
        r"senaliz\w*",
        r"transito",
        r"lomo de burro",
        r"doble fila",
        r"estacionad\w*",
        r"autos? abandonad\w*",
        r"vehiculos? abandonad\w*",
        r"reductor\w*",
        r"cartel(?:es)?",
        r"cartel de pare",
        r"senda peatonal",
    ),
    "Ruidos molestos": (
        r"ruidos?",
        r"ruidoso\w*",
        r"musica (?:muy )?(?:fuerte|alta)",
        r"parlantes?",
        r"bocinas?",
        r"volumen",
        r"cumbia",
        r"fiestas?",
        r"boliche\w*",
        r"amoladora\w*",
        r"gritos?",
        r"no (?:podemos|puedo|se puede) dormir",
        r"musica",
    ),
    "Animales sueltos": (
        r"perros?",
        r"caballos?",
        r"animal(?:es)? suelto\w*",
        r"animales",
        r"vacas?",
        r"jaurias?",
    ),
    "Pedido": (r"pedido\w*", r"pedir", r"encarg\w*", r"comprar?", r"presupuesto\w*", r"cotiza\w*"),
    "Reclamo": (r"reclam\w*", r"queja\w*", r"falla\w*", r"devolucion\w*", r"roto", r"rota"),
    "Consulta": (r"consulta\w*", r"pregunta\w*", r"precios?", r"stock"),
}
_CATEGORY_RES = {name: re.compile(r"\b(?:" + "|".join(words) + r")\b") for name, words in _CATEGORY_KEYWORDS.items()}


@lru_cache(maxsize=256)
def _normalized_categories(categories: tuple[str, ...]) -> dict[str, str]:
    return {normalize(cat): cat for cat in reversed(categories)}


def _find_configured(name: str, categories: tuple[str, ...]) -> str | None:
    return _normalized_categories(categories).get(normalize(name))


_NEGATED_THING_RE = re.compile(r"\bno (?:es |era )?(?:un|una|el|la|los|las) \w+")
"""What the citizen says it is not ("no un poste", "no es la calle") tells no category."""
_DECISIVE = {
    "Tránsito y señalización": re.compile(r"\bsemaforo\w*"),
    # The roots lifted the sidewalk: the tree is the cause, Espacios Verdes the crew.
    "Arbolado y espacios verdes": re.compile(r"\b(?:raices|raiz)\b"),
    "Animales sueltos": re.compile(
        r"\b(?:perros?|perras?|caballos?|vacas?|jaurias?|animales|chanchos?|cabras?)\b.{0,30}\bsuelt\w*|"
        r"\bsuelt\w*\b.{0,15}\b(?:perros?|caballos?|vacas?)\b"
    ),
}
"""Words that decide a category over the others they come with ("el semáforo con la luz roja quemada")."""


_APOLOGY_RE = re.compile(
    r"\b(?:disculp\w*|perdon\w*|sorry|lamento)\s+(?:por\s+)?(?:la\s+|las\s+)?(?:molestias?|"
    r"(?:que|q)\s+(?:lo\s+|la\s+|los\s+|las\s+|te\s+|les\s+)?(?:moleste\w*|molestemos))\b"
)
"""An apology for writing ("disculpe la molestia", "sorry q moleste") names no noise."""
_COURTESY_RE = re.compile(
    r"\b(?:que dios (?:te|la|lo|los|las|les) bendiga|dios (?:te|la|lo|los|las|les) bendiga|bendiciones|"
    r"que (?:tenga|tengas|tengan) (?:un |una )?(?:lindo|linda|buen|buena|excelente|feliz) \w+|"
    r"hasta luego|hasta manana|hasta pronto|nos vemos|saludos|muy amable|muy amables|adios|chau|chao|"
    r"un abrazo|besos|cordiales saludos|atentamente)\b"
)
_FAREWELL_RE = re.compile(r"\b(?:hasta luego|hasta manana|hasta pronto|nos vemos|adios|chau|chao)\b")


_PLEASANTRY_RE = re.compile(
    r"\b(?:hola|holis|buen dia|buenos dias|buenas tardes|buenas noches|buenas|que tal|"
    r"como (?:esta|estas|estan|le va|les va|andan|andas|anda)(?: usted| ustedes| vos)?|"
    r"espero que (?:(?:este|esten|estes|se encuentre|se encuentren|anden|andes)\s+)?(?:muy )?bien|"
    r"(?:que )?dios (?:te|la|lo|los|las|les) bendiga|senorita|senora|senor|senores|estimad[oa]s?|joven|chicos|"
    r"por el trabajo que hacen|por su trabajo|por todo)\b"
)


def is_pleasantry(norm: str) -> bool:
    """Greetings and courtesies only ("Buenos días señorita, ¿cómo está usted? Espero que muy bien. Disculpe la
    molestia."): a greeting, never a question for the desk or a complaint."""
    rest = _PLEASANTRY_RE.sub(" ", without_apology(norm))
    return len(norm.split()) >= 2 and len(rest.split()) <= 1 and rest.strip() not in ("no", "si")


def without_apology(norm: str) -> str:
    """The message without an apology for writing ("disculpe la molestia"), which tells no problem."""
    return _APOLOGY_RE.sub(" ", norm)


def is_courtesy(norm: str) -> bool:
    """Thanks, blessings and farewells ("Le agradezco infinitamente, que Dios la bendiga"): nothing to act on."""
    return bool(_THANKS_RE.search(norm) or _COURTESY_RE.search(norm)) and len(norm.split()) <= 20


def thanks_in(norm: str) -> bool:
    """A word of thanks anywhere in the message (`is_thanks` is the short thank-you alone)."""
    return bool(_THANKS_RE.search(norm))


def is_farewell(norm: str) -> bool:
    """ "Hasta luego.", "chau, nos vemos": the citizen leaves."""
    return bool(_FAREWELL_RE.search(norm))


def infer_category(norm: str, categories: tuple[str, ...]) -> str | None:
    """Guess a configured category from keywords; most hits wins, ties go to table order."""
    norm = _APOLOGY_RE.sub(" ", _NEGATED_THING_RE.sub(" ", norm))
    best: tuple[int, str] | None = None
    for name, pattern in _CATEGORY_RES.items():
        configured = _find_configured(name, categories)
        if configured is None:
            continue
        hits = len(pattern.findall(norm))
        decisive = _DECISIVE.get(name)
        if decisive is not None and decisive.search(norm):
            hits += 10
        if hits and (best is None or hits > best[0]):
            best = (hits, configured)
    if best is not None:
        return best[1]
    for cat_norm, cat in reversed(_normalized_categories(categories).items()):
        if cat_norm and cat_norm != "otros" and re.search(r"\b" + re.escape(cat_norm) + r"\b", norm):
            return cat
    return None


def match_category(raw: str, categories: tuple[str, ...], *, allow_index: bool = True) -> str | None:
    """Match an answer to the category question: list number, name, name prefix or keywords."""
    norm = normalize(raw)
    if not norm:
        return None
    if allow_index and norm.isdigit():
        idx = int(norm[:3]) - 1
        return categories[idx] if 0 <= idx < len(categories) else None
    for cat in categories:
        cat_norm = normalize(cat)
        if norm == cat_norm or (len(norm) >= 4 and cat_norm.startswith(norm)):
            return cat
    return infer_category(norm, categories)


_ADDRESS_RE = re.compile(
    r"\b(?:en|sobre|calle|av\.?|avenida)\s+("
    r"(?:(?:la\s+)?(?:calle|av\.?|avenida|pasaje|bv\.?|boulevard)\s+)?"
    r"[A-ZÁÉÍÓÚÑ0-9][\wÁÉÍÓÚÑáéíóúñü.']*"
    r"(?:\s+(?:de\s+|del\s+|la\s+)?[A-ZÁÉÍÓÚÑ][\wÁÉÍÓÚÑáéíóúñü.']*){0,3}"
    r"\s+(?:al\s+)?\d{1,5})\b"
)


def extract_address(text: str) -> str | None:
    """Find an explicit "Street Name 1234" address inside free text."""
    m = _ADDRESS_RE.search(text)
    return m.group(1).strip() if m else None


_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_EMAIL_FULL_RE = re.compile(r"^" + _EMAIL_RE.pattern + r"$")
_DNI_LABELED_RE = re.compile(
    r"\b(?:dni|d\.n\.i\.?|documento)\s*(?:n(?:ro|°|º|o)?\.?\s*)?[:#]?\s*(\d{1,2}[.\s]?\d{3}[.\s]?\d{3})(?!\d)",
    re.IGNORECASE,
)
_DNI_DOTTED_RE = re.compile(r"(?<![\d.])(\d{1,2}\.\d{3}\.\d{3})(?![\d.])")
_PHONE_RE = re.compile(r"(?<![\w@.])(\+?\(?\d[\d\s\-().]{4,24}\d)(?![\w@])")
_LABELS_RE = re.compile(
    r"\b(?:mi\s+)?(?:nombre(?:\s+completo)?|e-?mail|mail|correo(?:\s+electronico)?|tel[eé]fono|tel|cel(?:ular)?|"
    r"whatsapp|wsp|dni|documento|me llamo|soy)(?:\s+es)?\b\s*[:.\-]?",
    re.IGNORECASE,
)
_NAME_SIGNAL_RE = re.compile(r"\b(?:me llamo|soy|mi nombre|nombre)\b")
_NAME_WORD_RE = re.compile(r"^[A-Za-zÁÉÍÓÚÜÑáéíóúüñ][A-Za-zÁÉÍÓÚÜÑáéíóúüñ'’\-]*$")
_NOT_NAME_WORDS = words("not_name_words.txt")
_SEGMENT_SPLIT_RE = re.compile(r"[,;\n|/]+|\s+y\s+")


@dataclass(slots=True)
class PersonalData:
    """Personal data recognised in one message; every value already validated."""

    nombre: str | None = None
    email: str | None = None
    telefono: str | None = None
    dni: str | None = None

    def any(self) -> bool:
        """True if something was recognised."""
        return any((self.nombre, self.email, self.telefono, self.dni))


def valid_email(value: str) -> str | None:
    """Lowercased email if its format is plausible, else None."""
    email = value.strip().lower()
    return email if len(email) <= 254 and _EMAIL_FULL_RE.match(email) else None


def valid_phone(value: str) -> str | None:
    """Digits (with optional leading +) if there are 6 to 15 of them, else None."""
    raw = value.strip()
    digits = re.sub(r"\D", "", raw)
    if not 6 <= len(digits) <= 15:
        return None
    return ("+" + digits) if raw.startswith("+") else digits


def valid_dni(value: str) -> str | None:
    """DNI digits if there are 7 or 8 of them, else None."""
    digits = re.sub(r"[\s.\-]", "", value.strip())
    return digits if digits.isdigit() and 7 <= len(digits) <= 8 else None


def valid_name(value: str) -> str | None:
    """Collapsed name (2..120 chars, with letters), else None."""
    name = " ".join(value.split()).strip(" .,;:-")
    if not 2 <= len(name) <= 120 or not any(ch.isalpha() for ch in name):
        return None
    return name


def _looks_like_name(segment: str) -> str | None:
    words = segment.strip(" .:-").split()
    if not 1 <= len(words) <= 5 or not all(_NAME_WORD_RE.match(w) for w in words):
        return None
    if any(normalize(w) in _NOT_NAME_WORDS for w in words):
        return None
    return valid_name(" ".join(w[:1].upper() + w[1:] for w in words))


def extract_personal(text: str, *, allow_bare_name: bool = False) -> PersonalData:
    """Pull nombre, email, teléfono and DNI out of one free-text message."""
    found = PersonalData()
    rest = text[:MAX_INPUT_CHARS]
    m = _EMAIL_RE.search(rest)
    if m:
        found.email = valid_email(m.group(0))
        rest = rest[: m.start()] + " , " + rest[m.end() :]
    m = _DNI_LABELED_RE.search(rest) or _DNI_DOTTED_RE.search(rest)
    if m:
        found.dni = valid_dni(m.group(1))
        rest = rest[: m.start()] + " , " + rest[m.end() :]
    for m in _PHONE_RE.finditer(rest):
        phone = valid_phone(m.group(1))
        if phone:
            found.telefono = phone
            rest = rest[: m.start()] + " , " + rest[m.end() :]
            break
    signalled = bool(_NAME_SIGNAL_RE.search(normalize(text[:200])))
    if signalled or allow_bare_name or found.any():
        stripped = _LABELS_RE.sub(" , ", rest)
        for segment in _SEGMENT_SPLIT_RE.split(stripped):
            name = _looks_like_name(segment)
            if name:
                found.nombre = name
                break
    return found
