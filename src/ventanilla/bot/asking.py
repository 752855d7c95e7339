"""Questions for the information desk in a turn: the knowledge base (and the bot's own process answers), the topic
kept for follow-ups, and a question told apart from a problem report ("¿cuándo podan?" vs "hay una rama por caerse")."""

from __future__ import annotations

import re
from functools import cache

from ventanilla.knowledge import retrieval
from ventanilla.knowledge.search import Hit

from .intake import normalize, question_core, words
from .model import BotSettings, ConversationState

_FOLLOW_UP_RE = re.compile(r"^(?:y|e|osea|o sea|entonces|pero|ah|tambien|ademas|y si|y para|y cuanto|y donde)\b")
_QUESTION_KEYS = frozenset(
    retrieval.phonetic(w) for w in ("adonde", "donde", "cuando", "como", "cuanto", "eso", "esto", "osea", "ahi")
)
KB_FIRST_CONFIDENCE = 0.6
"""A text that is not a problem report goes to the knowledge base before the complaint intake above this."""


@cache
def _problem_re() -> re.Pattern[str]:
    phrases = sorted(words("problem_markers.txt"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")


def is_problem_report(text: str) -> bool:
    """Says something is wrong somewhere (a complaint), rather than asking how something works."""
    return bool(_problem_re().search(normalize(text)))


CLEAR_WINNER_FLOOR = 0.25
"""A long question names its topic among many other words: the one entry it matches is the answer above this."""
CLEAR_WINNER_MARGIN = 1.6


@cache
def _elsewhere_re() -> re.Pattern[str]:
    phrases = sorted(words("elsewhere_words.txt"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")


def elsewhere(text: str) -> str | None:
    """The matter another office handles that the text names ("el pasaporte", "me robaron"), if any."""
    m = _elsewhere_re().search(normalize(text))
    return m.group(0) if m else None


def _names(hit: Hit, matter: str) -> bool:
    """The entry itself is about that matter (its title or keywords name it)."""
    topic = normalize(" ".join([hit.item.title, *hit.item.keywords]))
    return re.search(rf"\b{re.escape(matter)}\b", topic) is not None


_REASON_RE = re.compile(
    r"\b(?:pues|porque|porq|xq|ya que|dado que|debido a que|asi que)\b.*$|\b(?:desde ya|de antemano|muchas gracias|"
    r"gracias|saludos|atentamente)\b.*$"
)


def find(settings: BotSettings, state: ConversationState, text: str) -> Hit | None:
    """The entity's answer (or a built-in one about the bot's process) to a question, keeping the last topic; none
    for a matter another office handles that no entry is about."""
    items = (*settings.knowledge, *retrieval.process_faq())
    # Without the lead-in ("bueno a ver", "hola una consulta") and with chat shorthand spelled out.
    core = question_core(normalize(text))
    hit = retrieval.find(items, core or text, topic=state.kb_topic)
    asked = _REASON_RE.sub("", core or "").strip()
    if hit is None and asked != core and len(asked.split()) >= 3:
        # "¿en qué horario atienden?, pues debo realizar un trámite": the question, not the reason given for it.
        hit = retrieval.find(items, asked, topic=state.kb_topic)
    matter = elsewhere(text)
    return None if hit is not None and matter is not None and not _names(hit, matter) else hit


def find_asked(settings: BotSettings, state: ConversationState, text: str) -> Hit | None:
    """`find` for a message asked as a question: also the one entry that stands clearly above the rest."""
    hit = find(settings, state, text)
    if hit is not None or is_problem_report(text) or elsewhere(text):
        return hit
    items = (*settings.knowledge, *retrieval.process_faq())
    previous = next((i for i in items if i.id == state.kb_topic), None) if state.kb_topic is not None else None
    norm = normalize(text)
    if previous is not None and _FOLLOW_UP_RE.match(norm):
        # "osea q a las 7 de la tarde ya la puedo sacar?", "y adónde es?": the topic just answered, unless the
        # question names something that topic does not have ("y el boleto del micro?").
        own = [t for t in retrieval.unmatched(previous, question_core(norm)) if t not in _QUESTION_KEYS]
        if not own:
            return Hit(previous, retrieval.THRESHOLD)
    # "hola q onda, quiero vender tortas x insta y me dijeron q necesito habilitacion, como es?": many words, one
    # topic; the share of words found is low, but one entry stands clearly above the rest.
    ranked = retrieval.rank(items, question_core(normalize(text)), limit=2)  # without "bueno entonces decí..."
    if not ranked or ranked[0].confidence < CLEAR_WINNER_FLOOR:
        return None
    if len(ranked) > 1 and ranked[0].confidence < CLEAR_WINNER_MARGIN * ranked[1].confidence:
        return None
    return ranked[0]


def desk_question(settings: BotSettings, state: ConversationState, text: str) -> Hit | None:
    """Text outside any question form that the desk answers clearly and that reports no problem ("a q ora pasa
    el kamion d la basura", "que poden el árbol")."""
    if is_problem_report(text):
        return None
    hit = find(settings, state, text)
    return hit if hit is not None and hit.confidence >= KB_FIRST_CONFIDENCE else None
