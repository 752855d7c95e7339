"""Rule-based urgency classifier for Spanish (es-AR) citizen messages: pure, deterministic, stdlib only."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final, Literal

from ventanilla.urgency import lexicon
from ventanilla.urgency.lexicon import Category

THRESHOLD: Final = 0.5
UNSURE_THRESHOLD: Final = 0.3
_FAR_WINDOW: Final = 3
# An "if", a date or a habit reaches this many words in its clause (run-on voice notes have long clauses).
_HYPOTHETICAL_WINDOW: Final = 10
# Categories that refine a broader one (self-harm over medical, partner violence and child abuse over violence).
_SPECIFIC: Final = frozenset({"self_harm", "gender_violence", "child"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of classifying one message: `level` says whether to escalate, ask, or go on as usual.

    `category` is the likely kind of emergency even when the level is "unsure" (the answer to give if the citizen
    says someone is in danger); it is "none" when the level is "calm".
    """

    urgent: bool
    score: float
    category: Category
    reasons: tuple[str, ...]
    unsure: bool = False

    @property
    def level(self) -> Literal["urgent", "unsure", "calm"]:
        """Urgent (escalate now), unsure (ask whether someone is in danger) or calm (normal flow)."""
        if self.urgent:
            return "urgent"
        return "unsure" if self.unsure else "calm"

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly representation."""
        return {
            "urgent": self.urgent,
            "level": self.level,
            "score": self.score,
            "category": self.category,
            "reasons": list(self.reasons),
        }


# --- phonetic key ---------------------------------------------------------------------------------------------------

_DOUBLE = re.compile(r"([a-qs-z])\1+")  # keep "rr": "perro" must not become "pero"
_SOFT_C = re.compile(r"c(?=[ei])")
_SOFT_G = re.compile(r"g(?=[ei])")


@lru_cache(maxsize=8192)
def phonetic_key(word: str) -> str:
    """Collapse spellings that sound alike in Rioplatense Spanish (s/z/c, j/g, b/v, ll/y, silent h)."""
    word = word.replace("ch", "x").replace("ll", "y")
    word = _DOUBLE.sub(r"\1", word)
    word = _SOFT_G.sub("j", _SOFT_C.sub("s", word))
    word = word.replace("z", "s").replace("v", "b").replace("h", "")
    return _DOUBLE.sub(r"\1", word)


_REGEX_SYNTAX = re.compile(r"(\\.|\(\?(?:<?[=!]|:))")
_LETTERS = re.compile(r"[a-z]+")


def key_pattern(pattern: str) -> str:
    """Apply the phonetic key to the literal words of a regex, leaving escapes and group syntax alone."""
    parts = _REGEX_SYNTAX.split(pattern)
    for i in range(0, len(parts), 2):
        parts[i] = _LETTERS.sub(lambda m: phonetic_key(m.group()), parts[i])
    return "".join(parts)


# --- compiled rules -------------------------------------------------------------------------------------------------

_RULES: Final = sorted(lexicon.TRIGGERS, key=lambda rule: -rule[1])
_KEYED_RULES: Final = [key_pattern(rule[2]) for rule in _RULES]
_RULE_BY_GROUP: Final = {f"r{i}": rule for i, rule in enumerate(_RULES)}
# One alternation tried at each token start, strongest rule first (the first alternative that matches wins).
_TRIGGER_RE: Final = re.compile("|".join(f"(?P<r{i}>{pattern})" for i, pattern in enumerate(_KEYED_RULES)))
_BLOCKER_RE: Final = re.compile(
    r"\b(?:" + "|".join(f"(?P<b{i}>{key_pattern(p)})" for i, (p, _) in enumerate(lexicon.BLOCKERS)) + ")"
)
_BLOCKER_SCOPE: Final = {f"b{i}": scope for i, (_, scope) in enumerate(lexicon.BLOCKERS)}


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + key_pattern(pattern) + ")")


_PAST_RE: Final = _cue(lexicon.PAST)
_HABITUAL_RE: Final = _cue(lexicon.HABITUAL)
_PRESENT_RE: Final = _cue(lexicon.PRESENT)
_HYPOTHETICAL_RE: Final = _cue(lexicon.HYPOTHETICAL)
_QUESTION_RE: Final = _cue(lexicon.QUESTION_OPENERS)
_RESOLVED_RE: Final = _cue(lexicon.RESOLVED)
_NO_INJURY_RE: Final = _cue(lexicon.NO_INJURY)
_ADMIN_RE: Final = _cue(lexicon.ADMIN)
_LAUGHTER_RE: Final = _cue(lexicon.LAUGHTER)
_NEWS_RE: Final = _cue(lexicon.NEWS)
_DEAD_CABLE_RE: Final = _cue(lexicon.DEAD_CABLE)
_STRONG_NOW_RE: Final = _cue(lexicon.STRONG_NOW)
_TREE_RE: Final = re.compile(r"\b(?:arbol|rama)")
_LAUGHING_EMOJI: Final = frozenset(lexicon.LAUGHING_EMOJI)
_NEG_EXCEPTION_RE: Final = _cue(lexicon.NEGATION_EXCEPTIONS)
_NEG_FAR: Final = frozenset(phonetic_key(w) for w in lexicon.NEGATIONS_FAR)
_NEG_NEAR: Final = frozenset(phonetic_key(w) for w in lexicon.NEGATIONS_NEAR)

# --- normalisation --------------------------------------------------------------------------------------------------

_COMBINING: Final = dict.fromkeys(c for c in range(0x300, 0x370))
_STRETCH = re.compile(r"([a-z])\1{2,}")
_CLAUSE_SPLIT = re.compile(r"[.,;:!?¡¿()\[\]{}\"“”«»\n\r\t/|…]+|" + lexicon.CLAUSE_LINKS)
_WORD = re.compile(r"[a-z0-9]+")
_ABBREVIATIONS: Final = {k: tuple(v.split()) for k, v in lexicon.ABBREVIATIONS.items()}


def normalize(text: str) -> str:
    """Lowercase, strip accents and collapse stretched letters ("ayudaaaa" -> "ayuda")."""
    text = unicodedata.normalize("NFKD", text).lower().translate(_COMBINING)
    return _STRETCH.sub(r"\1", text)


def _load_fillers() -> frozenset[str]:
    lines = resources.files("ventanilla.urgency").joinpath("data/fillers.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in lines.splitlines() if line.strip() and not line.startswith("#"))


_FILLERS: Final = _load_fillers()


# --- words typed in a hurry or in the dark ----------------------------------------------------------------------------

_MIN_FIXED: Final = 3  # a shorter unknown token is an abbreviation or noise, not a word missing a letter
_VOCABULARY_FILES: Final = ("data/corpus.tsv", "data/corpus_generated.tsv")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, int], dict[str, str]]:
    """Every word of the corpus with its count, and each word's one-letter deletions mapped to the most frequent
    word they come from (built once, on first use)."""
    counts: dict[str, int] = {}
    package = resources.files("ventanilla.urgency")
    for name in _VOCABULARY_FILES:
        for line in package.joinpath(name).read_text(encoding="utf-8").splitlines()[1:]:
            for word in _WORD.findall(normalize(line.rpartition("\t")[2])):
                counts[word] = counts.get(word, 0) + 1
    # The words the rules and the meaning features spell out are known too, even if the corpus never used them
    # ("no ha bajado al pueblo" must not become "bajando").
    for name in ("lexicon.py", "concepts.py"):
        for word in _LETTERS.findall(package.joinpath(name).read_text(encoding="utf-8")):
            counts.setdefault(word, 1)
    index: dict[str, str] = {}
    for word, count in counts.items():
        if len(word) < _MIN_FIXED + 1 or count < 2 or not word.isalpha():
            continue
        for variant in _deletes(word):
            best = index.get(variant)
            if best is None or counts[best] < count:
                index[variant] = word
    return counts, index


@lru_cache(maxsize=16384)
def spelled(word: str) -> str:
    """The corpus word an unknown word was most likely typed for in a hurry or in the dark: a letter missing
    ("forzndo" -> "forzando", "csa" -> "casa") or two letters swapped ("pureta" -> "puerta", "ahroa" -> "ahora").
    A known word, a short one, or one a letter changed would reach ("huerta", "agrado": the corpus does not know
    every word, and a real word read as "puerta" or "armado" would be a false alarm) is kept."""
    counts, index = _vocabulary()
    if word in counts or len(word) < _MIN_FIXED or not word.isalpha():
        return word
    # a letter missing inside the word: a first letter dropped is rarer than another word ("echo" is not "techo")
    candidates = {index[word]} if word in index and index[word][0] == word[0] else set()
    for i in range(len(word) - 1):
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if counts.get(swapped, 0) >= 2:
            candidates.add(swapped)
    if not candidates:
        return word
    return max(candidates, key=lambda w: (counts[w], w))


def _collapse_repeats(tokens: list[str]) -> list[str]:
    """Drop a word or a two-word run said twice in a row, as voice notes do ("hay hay", "en el en el")."""
    out: list[str] = []
    for token in tokens:
        out.append(token)
        if len(out) >= 2 and out[-1] == out[-2]:
            out.pop()
        elif len(out) >= 4 and out[-2:] == out[-4:-2]:
            del out[-2:]
    return out


def clauses(text: str) -> list[list[str]]:
    """Normalized tokens of each clause: abbreviations expanded ("xfa" -> "por favor"), voice-note fillers
    dropped and words said twice in a row collapsed ("eh hay hay fuego en el en el deposito")."""
    return [list(clause) for clause in clause_tokens(text)]


@lru_cache(maxsize=256)
def clause_tokens(text: str) -> tuple[tuple[str, ...], ...]:
    """`clauses`, immutable and cached: the rules, the meaning features and the model read the same text."""
    result: list[tuple[str, ...]] = []
    for chunk in _CLAUSE_SPLIT.split(normalize(text)):
        tokens: list[str] = []
        for word in _WORD.findall(chunk):
            if word not in _FILLERS:
                tokens.extend(_ABBREVIATIONS.get(word) or (spelled(word),))
        tokens = _collapse_repeats(tokens)
        if tokens:
            result.append(tuple(tokens))
    return tuple(result)


def tokens(text: str) -> list[str]:
    """All normalized tokens of a message, clause breaks dropped."""
    return [token for clause in clause_tokens(text) for token in clause]


# --- classification -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Doc:
    words: list[str]
    keys: list[str]
    clause_of: list[int]
    clause_start: list[int]
    starts: list[int]
    text: str

    def token_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1


def _build(text: str) -> _Doc:
    doc = _Doc([], [], [], [], [], "")
    parts: list[str] = []
    offset = 0
    for c, tokens in enumerate(clause_tokens(text)):
        if c:
            parts.append("|")
            offset += 2
        doc.clause_start.append(len(doc.words))
        for token in tokens:
            key = phonetic_key(token)
            if not key:  # a lone silent letter ("h") has no sound: nothing for a rule to start at
                continue
            doc.words.append(token)
            doc.keys.append(key)
            doc.clause_of.append(c)
            doc.starts.append(offset)
            parts.append(key)
            offset += len(key) + 1
    doc.text = " ".join(parts)
    return doc


def _clauses_with(regex: re.Pattern[str], doc: _Doc) -> set[int]:
    return {doc.clause_of[doc.token_at(m.start())] for m in regex.finditer(doc.text)}


def _negated(doc: _Doc, first: int, exceptions: set[int]) -> bool:
    clause_begin = doc.clause_start[doc.clause_of[first]]
    for i in range(max(clause_begin, first - _FAR_WINDOW), first):
        if doc.keys[i] in _NEG_FAR and i not in exceptions:
            return True
    return first - 1 >= clause_begin and doc.keys[first - 1] in _NEG_NEAR


def _noisy_or(weights: Iterable[float]) -> float:
    miss = 1.0
    for weight in weights:
        miss *= 1.0 - weight
    return 1.0 - miss


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What the rules found: kept triggers (score, strongest category, phrases) and the ones a scope cancelled."""

    score: float
    category: Category
    reasons: tuple[str, ...]
    dropped: tuple[str, ...]
    explicit_only: bool

    def verdict(self) -> Verdict:
        """The rules' own decision, as the classifier made it before the learned model existed."""
        if self.score < THRESHOLD:
            unsure = self.score >= UNSURE_THRESHOLD
            return Verdict(False, self.score, self.category if unsure else "none", self.dropped, unsure)
        return Verdict(True, self.score, self.category, self.reasons)


_NOTHING: Final = RuleOutcome(0.0, "none", (), (), False)


def classify_rules(text: str) -> Verdict:
    """The rules alone (kept to compare against; the bot uses `ventanilla.urgency.classify`)."""
    return rules(text).verdict()


def rules(text: str) -> RuleOutcome:
    """Run the explicit-cue rules with their negation, tense, question and figurative scopes."""
    doc = _build(text)
    if not doc.words:
        return _NOTHING
    laughing = not _LAUGHING_EMOJI.isdisjoint(text)

    hits: list[tuple[Category, float, int, int, int, int]] = []  # category, weight, start, end, first, last token
    text = doc.text
    for start in doc.starts:
        m = _TRIGGER_RE.match(text, start)
        if m is None or m.lastgroup is None:
            continue
        category, weight, _ = _RULE_BY_GROUP[m.lastgroup]
        end = m.end()
        hits.append((category, weight, start, end, doc.token_at(start), doc.token_at(end - 1)))
    if not hits:
        return _NOTHING

    blockers = [
        (m.span(m.lastgroup), _BLOCKER_SCOPE[m.lastgroup]) for m in _BLOCKER_RE.finditer(doc.text) if m.lastgroup
    ]
    trigger_clauses = {doc.clause_of[h[4]] for h in hits}
    past_cues = [doc.token_at(m.start()) for regex in (_PAST_RE, _HABITUAL_RE) for m in regex.finditer(doc.text)]
    past = {doc.clause_of[i] for i in past_cues}
    # A bare time phrase dates the clause that follows it; inside a clause a cue reaches a window of words (a
    # run-on message's "la señora que siempre compra ... está tirada" is not habitual).
    dated = {c + 1 for c in past if c not in trigger_clauses}
    # A bare time phrase ("ayer a la noche, se cayó...") dates the clause that follows it.
    present = _clauses_with(_PRESENT_RE, doc)
    hypothetical = [doc.token_at(m.start()) for m in _HYPOTHETICAL_RE.finditer(doc.text)]
    questions = {
        doc.clause_of[i]
        for i in (doc.token_at(m.start()) for m in _QUESTION_RE.finditer(doc.text))
        if doc.clause_start[doc.clause_of[i]] == i
    }
    resolved = max(_clauses_with(_RESOLVED_RE, doc), default=-1)
    admin = _clauses_with(_ADMIN_RE, doc)
    no_injury = _NO_INJURY_RE.search(doc.text) is not None
    laughs = _clauses_with(_LAUGHTER_RE, doc)
    joking = laughing or bool(laughs)
    news = _clauses_with(_NEWS_RE, doc)
    dead_cable = _DEAD_CABLE_RE.search(doc.text) is not None
    now = _clauses_with(_STRONG_NOW_RE, doc)
    exceptions = {doc.token_at(m.start()) for m in _NEG_EXCEPTION_RE.finditer(doc.text)}

    kept: list[tuple[Category, float, str]] = []
    dropped: list[str] = []
    for category, weight, start, end, first, last in hits:
        clause = doc.clause_of[first]
        phrase = " ".join(doc.words[first : last + 1])
        why = ""
        if any(s < end and start < e and (scope is None or category in scope) for (s, e), scope in blockers):
            why = "figurative/topic"
        elif _negated(doc, first, exceptions):
            why = "negated"
        elif clause not in now and (
            clause in questions
            or any(doc.clause_of[i] == clause and first - _HYPOTHETICAL_WINDOW <= i <= last for i in hypothetical)
        ):
            why = "hypothetical"
        elif news and clause not in present and (clause in news or category != "explicit"):
            why = "news"
        elif clause not in present and (
            clause in dated
            or any(doc.clause_of[i] == clause and abs(i - first) <= _HYPOTHETICAL_WINDOW for i in past_cues)
        ):
            why = "past"
        elif clause <= resolved and clause not in present:
            why = "resolved"
        elif category == "explicit" and clause in admin:
            why = "paperwork"
        elif no_injury and (category == "traffic" or (category == "structure" and _TREE_RE.search(phrase))):
            why = "no injuries"
        elif category == "electric" and dead_cable:
            why = "dead cable"
        elif joking and (category != "self_harm" or laughing or max(laughs) >= clause):
            # A laugh before a farewell masks it ("jaja nada... igual ya decidí"); one after it makes it a joke.
            why = "joking"
        if why:
            dropped.append(f"{phrase} ({why})")
        else:
            kept.append((category, weight, phrase))

    score = round(_noisy_or(w for _, w, _ in kept), 3)
    kept.sort(key=lambda k: (k[0] == "explicit", k[0] not in _SPECIFIC, -k[1]))
    reasons = tuple(dict.fromkeys(phrase for _, _, phrase in kept))
    return RuleOutcome(
        score,
        kept[0][0] if kept else "none",
        reasons,
        tuple(dict.fromkeys(dropped)),
        bool(kept) and all(category == "explicit" for category, _, _ in kept),
    )
