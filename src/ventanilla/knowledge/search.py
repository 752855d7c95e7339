"""Knowledge-base retrieval: fuzzy term matching with RapidFuzz, one confidence in [0, 1] per entry."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from ventanilla.text import fold

CONFIDENCE_THRESHOLD = 0.5
"""Below this the bot says it does not know, rather than guess."""

_TERM_MATCH = 82.0
_WORD_RE = re.compile(r"[a-z0-9ñ]+")


@dataclass(frozen=True, slots=True)
class Item:
    """What retrieval needs of one entry."""

    id: int
    title: str
    answer: str
    keywords: tuple[str, ...] = ()
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """An entry and how sure we are that it answers the query."""

    item: Item
    confidence: float


@cache
def stopwords() -> frozenset[str]:
    """The folded stop-word list (a data file)."""
    text = resources.files("ventanilla.knowledge").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def terms(text: str) -> list[str]:
    """Folded content words of a text (no stop words, no one-letter words)."""
    stop = stopwords()
    return [w for w in _WORD_RE.findall(fold(text)) if len(w) > 1 and w not in stop]


def _vocabulary(item: Item) -> list[str]:
    words = terms(item.title)
    for keyword in item.keywords:
        words.extend(terms(keyword))
    return sorted(set(words))


def score(query_terms: Sequence[str], item: Item) -> float:
    """Share of the query's words found (fuzzily: plurals, typos) in the entry's title and keywords."""
    vocabulary = _vocabulary(item)
    if not query_terms or not vocabulary:
        return 0.0
    found = 0.0
    for term in query_terms:
        best = process.extractOne(term, vocabulary, scorer=fuzz.ratio, score_cutoff=_TERM_MATCH)
        if best is None and len(term) >= 5:
            # Word stems ("castrar" / "castraciones", "recoleccion" / "recolector").
            best = process.extractOne(term, vocabulary, scorer=fuzz.partial_ratio, score_cutoff=92.0)
            if best is not None and min(len(best[0]), len(term)) < 5:
                best = None
        if best is not None:
            found += best[1] / 100.0
    return round(found / len(query_terms), 3)


def rank(items: Sequence[Item], query: str, limit: int = 3) -> list[Hit]:
    """The entries that best answer a query, best first (confidence > 0 only)."""
    query_terms = terms(query[:1000])[:30]
    hits = [Hit(item, score(query_terms, item)) for item in items]
    hits = [h for h in hits if h.confidence > 0]
    hits.sort(key=lambda h: (-h.confidence, h.item.title))
    return hits[:limit]


def best(items: Sequence[Item], query: str, threshold: float = CONFIDENCE_THRESHOLD) -> Hit | None:
    """The one confident answer to a query, if any."""
    found = rank(items, query, limit=1)
    return found[0] if found and found[0].confidence >= threshold else None
