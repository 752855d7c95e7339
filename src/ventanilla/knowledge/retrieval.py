"""Knowledge-base retrieval that tolerates how people write: typos, phonetic spelling ("kamion", "ora"), missing
accents, word forms ("castran" / "castraciones"), synonyms (a hand-written table) and follow-up questions that keep
the topic ("y hay que pedir turno?").

Pure functions over `search.Item`s; the bot keeps the id of the last topic answered in its state."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from ventanilla.knowledge.search import Hit, Item, stopwords
from ventanilla.text import fold

THRESHOLD = 0.5
"""Below this the bot says it does not know."""

_TOPIC, _ANSWER = 1.0, 0.5
"""How much a word found in the title or keywords counts, and one found only in the answer text."""
_SYNONYM = 0.85
"""A word found through its synonym line or a close spelling, rather than as such."""
_ANSWER_ITSELF = 0.8
"""The question's own word in the answer text: more than a synonym there, never enough to anchor a match."""
_WEAK_WEIGHT = 0.25
_FUZZY_CUTOFF = 84.0
_WORD_RE = re.compile(r"[a-z0-9ñ]+")
_CLITIC_RE = re.compile(r"(?<=[aei]r)(?:la|lo|las|los|le|les|se|me|te)$")
_FOLLOW_UP_START = re.compile(r"^\W*(?:y|e|entonces|tambien|ademas|osea|o sea|pero|ah|y si|y para)\b")
FAQ_ID_BASE = -1000
"""Built-in answers about the bot's own process have ids below this (never an entity's entry)."""


def _data(name: str) -> str:
    return resources.files("ventanilla.knowledge").joinpath(f"data/{name}").read_text("utf-8")


def _lines(name: str) -> list[str]:
    return [line.strip() for line in _data(name).splitlines() if line.strip() and not line.startswith("#")]


_SOUNDS = (
    (re.compile(r"qu(?=[ei])"), "k"),
    (re.compile(r"q"), "k"),
    (re.compile(r"ch"), "X"),
    (re.compile(r"ll"), "y"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"v"), "b"),
    (re.compile(r"w"), "u"),
    (re.compile(r"h"), ""),
    (re.compile(r"x"), "ks"),
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"gu(?=[ei])"), "g"),
    (re.compile(r"y$"), "i"),
    (re.compile(r"([^r])\1+"), r"\1"),
)


@lru_cache(maxsize=8192)
def phonetic(word: str) -> str:
    """How a folded Spanish word sounds: "kamion" and "camión", "ora" and "hora", "munisipalida" and "municipalidad"
    come close."""
    key = fold(word)
    for pattern, sound in _SOUNDS:
        key = pattern.sub(sound, key)
    return key.replace("X", "ch").removesuffix("d") if len(key) > 5 else key.replace("X", "ch")


_SUFFIXES = (
    "asiones", "isiones", "amente", "siones", "asion", "ision", "mente", "ando", "iendo", "aron", "ieron",
    "aste", "iste", "amos", "imos",
    "adas", "ados", "idas", "idos", "sion", "ada", "ado", "ida", "ido", "ar", "er", "ir", "an", "en", "as",
    "es", "os", "a", "o", "e", "s", "i",
)  # fmt: skip


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light Spanish stem of the phonetic key ("castran", "castracion", "castrar" → "kastr")."""
    key = phonetic(word)
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            return key[: -len(suffix)]
    return key


@cache
def weak_words() -> frozenset[str]:
    """Phonetic keys of words that say what kind of question it is, not its topic."""
    return frozenset(phonetic(w) for w in _lines("weak_words.txt"))


@cache
def synonyms() -> dict[str, frozenset[str]]:
    """Phonetic key (or stem) of a word → the keys of every word of its synonym line (itself included)."""
    table: dict[str, set[str]] = {}
    for line in _lines("synonyms.txt"):
        head, _, rest = line.partition(":")
        group = {phonetic(w) for part in (head, *rest.split(",")) for w in _WORD_RE.findall(fold(part))}
        group = {g for g in group if len(g) > 1 and g not in _stop_keys()}
        for key in group | {stem(g) for g in group}:
            table.setdefault(key, set()).update(group)
    return {k: frozenset(v) for k, v in table.items()}


@cache
def _stop_keys() -> frozenset[str]:
    return frozenset(phonetic(w) for w in stopwords())


def query_terms(text: str) -> list[str]:
    """Phonetic keys of a question's content words (no stop words, no one-letter words)."""
    stop = _stop_keys()
    words = [_CLITIC_RE.sub("", w) if len(w) >= 7 else w for w in _WORD_RE.findall(fold(text[:1000]))]
    keys = [phonetic(w) for w in words if len(w) > 1]
    return [k for k in keys if len(k) > 1 and k not in stop][:30]


@dataclass(frozen=True, slots=True)
class _Index:
    topic: frozenset[str]
    topic_stems: frozenset[str]
    answer: frozenset[str]
    answer_stems: frozenset[str]
    topic_list: tuple[str, ...]


def _keys_of(texts: Sequence[str]) -> list[str]:
    return [k for t in texts for k in query_terms(t)]


@lru_cache(maxsize=4096)
def _index(item: Item) -> _Index:
    topic = _keys_of([item.title, *item.keywords])
    answer = _keys_of([item.answer])
    return _Index(
        frozenset(topic),
        frozenset(stem(k) for k in topic),
        frozenset(answer),
        frozenset(stem(k) for k in answer),
        tuple(sorted(set(topic))),
    )


def _match(term: str, index: _Index) -> float:
    """How well one query term (with its synonyms) is found in an entry: title/keywords count more than the answer."""
    if term in index.topic:
        return _TOPIC
    variants = (synonyms().get(term) or synonyms().get(stem(term)) or frozenset()) | {term}
    if variants & index.topic or {stem(v) for v in variants} & index.topic_stems:
        return _TOPIC * _SYNONYM
    if len(term) >= 5:
        found = process.extractOne(term, index.topic_list, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        if found is not None:
            return _TOPIC * _SYNONYM
    if term in index.answer or stem(term) in index.answer_stems:
        return _ANSWER_ITSELF
    if variants & index.answer or {stem(v) for v in variants} & index.answer_stems:
        return _ANSWER
    return 0.0


def _weight(term: str) -> float:
    return _WEAK_WEIGHT if term in weak_words() else 1.0


def score(terms: Sequence[str], item: Item) -> float:
    """Weighted share of the question's words found in the entry; 0 unless a topic word (not a weak one) is found
    in its title or keywords."""
    if not terms:
        return 0.0
    index = _index(item)
    total = found = 0.0
    anchored = False
    for term in terms:
        weight = _weight(term)
        got = _match(term, index)
        total += weight
        found += weight * got
        anchored = anchored or (got >= _TOPIC * _SYNONYM and weight == 1.0)
    return round(found / total, 3) if anchored else 0.0


def rank(items: Sequence[Item], query: str, limit: int = 3) -> list[Hit]:
    """The entries that best answer a question, best first (confidence > 0 only)."""
    terms = query_terms(query)
    hits = [Hit(item, score(terms, item)) for item in items]
    hits = [h for h in hits if h.confidence > 0]
    hits.sort(key=lambda h: (-h.confidence, h.item.title))
    return hits[:limit]


# Facets any topic may have: a follow-up that only asks for one ("¿y dónde queda?", "¿abren a la tarde?") is about
# the topic just answered when its answer has that facet.
_FACETS: tuple[tuple[frozenset[str], re.Pattern[str]], ...] = tuple(
    (frozenset(phonetic(w) for w in words.split()), re.compile(pattern, re.IGNORECASE))
    for words, pattern in (
        ("horario horarios hora horas abren abre cierran cierra atienden atiende tarde manana noche temprano abierto",
         r"\d{1,2}:\d{2}|\blunes\b|\bsabados?\b"),
        ("donde queda keda direccion ubicacion lugar oficina", r"\b[A-ZÁÉÍÓÚ][a-záéíóúñ]+ \d{2,5}\b"),
        ("turno turnos cita", r"\bturnos?\b"),
        ("llevar lleva papeles documentos documentacion requisitos necesito dni",
         r"\bllev[aá]|\bDNI\b|requisit|necesit"),
        ("cuanto sale cuesta precio costo gratis paga pagar", r"gratuit|\$|cost|pag|tasa"),
        ("ayunas ayuno comer", r"ayun"),
        ("persona personalmente presencial", r"\bacerc|\bMesa de Entradas\b|\b[A-ZÁÉÍÓÚ][a-záéíóúñ]+ \d{2,5}\b"),
    )
)  # fmt: skip


def is_follow_up(query: str) -> bool:
    """A question that leans on the previous one: "y ...", or two content words at most."""
    strong = [t for t in query_terms(query) if t not in weak_words()]
    return bool(_FOLLOW_UP_START.match(fold(query))) or len(strong) <= 2


def _facet_fits(terms: Sequence[str], item: Item) -> bool:
    wanted = [pattern for words, pattern in _FACETS if words & set(terms)]
    return bool(wanted) and all(p.search(item.answer) for p in wanted)


def find(items: Sequence[Item], query: str, *, topic: int | None = None, threshold: float = THRESHOLD) -> Hit | None:
    """The one answer to a question, if any; `topic` (the entry answered just before) wins a follow-up question
    that another entry does not answer clearly better."""
    hits = rank(items, query, limit=3)
    best = hits[0] if hits and hits[0].confidence >= threshold else None
    previous = next((i for i in items if i.id == topic), None) if topic is not None else None
    if previous is None or not is_follow_up(query):
        return best
    if best is not None and best.item.id == previous.id:
        return best
    terms = query_terms(query)
    index = _index(previous)
    # A content word that is neither a facet nor found in the previous entry names a topic of its own.
    unmatched = [t for t in terms if t not in weak_words() and t not in _facet_words() and not _match(t, index)]
    if best is None:
        return Hit(_pointed_to(items, previous, terms), threshold) if not unmatched else None
    own = score(terms, previous)
    if (own and own >= best.confidence - 0.15) or (_facet_fits(terms, previous) and not unmatched):
        return Hit(_pointed_to(items, previous, terms), max(own, threshold))
    return best


def _pointed_to(items: Sequence[Item], previous: Item, terms: Sequence[str]) -> Item:
    """The entry a follow-up is about: the previous one, or the entry its answer names ("acercate a la Mesa de
    Entradas") when only that one has the facet asked for ("¿y a qué hora?")."""
    if not any(words & set(terms) for words, _ in _FACETS) or _facet_fits(terms, previous):
        return previous
    said = fold(previous.answer)
    for item in items:
        named = any(len(k) > 6 and fold(k) in said for k in item.keywords)
        if item.id != previous.id and named and _facet_fits(terms, item):
            return item
    return previous


def unmatched(item: Item, query: str) -> list[str]:
    """The query's content words (neither weak nor a facet) that the entry does not have: a topic of their own."""
    index = _index(item)
    return [t for t in query_terms(query) if t not in weak_words() and t not in _facet_words() and not _match(t, index)]


@cache
def _facet_words() -> frozenset[str]:
    return frozenset().union(*(words for words, _ in _FACETS))


@cache
def process_faq() -> tuple[Item, ...]:
    """Built-in answers about the bot's own process (why the phone, when it gets fixed, the PIN...)."""
    reader = csv.DictReader(io.StringIO(_data("process_faq.csv")))
    return tuple(
        Item(
            FAQ_ID_BASE - n, row["titulo"], row["respuesta"], tuple(k.strip() for k in row["palabras_clave"].split(","))
        )
        for n, row in enumerate(reader)
    )


def is_process_faq(item: Item) -> bool:
    """One of the built-in answers, not an entity's entry."""
    return item.id <= FAQ_ID_BASE
