"""Rule-based urgency classifier for Spanish (es-AR) citizen messages: pure, deterministic, stdlib only."""

from __future__ import annotations

import re
import unicodedata
import warnings
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal

from ventanilla.urgency import lexicon
from ventanilla.urgency.lexicon import Category

THRESHOLD: Final = 0.5
UNSURE_THRESHOLD: Final = 0.3
_FAR_WINDOW: Final = 3


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of classifying one message."""

    urgent: bool
    score: float
    category: Category
    reasons: tuple[str, ...]

    @property
    def level(self) -> Literal["urgent", "unsure", "calm"]:
        """Urgent (escalate now), unsure (ask whether someone is in danger) or calm (normal flow)."""
        if self.urgent:
            return "urgent"
        return "unsure" if self.score >= UNSURE_THRESHOLD else "calm"

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
_TOKEN_CHARS: Final = "abcdefghijklmnopqrstuvwxyz0123456789"


def _first_chars(items: Any) -> tuple[set[str] | None, bool]:
    """Characters a parsed regex can start with (None: any) and whether it can match empty."""
    chars: set[str] = set()
    for op, av in items:
        name = repr(op)
        if name == "LITERAL":
            return chars | {chr(av)}, False
        if name == "IN":
            for sub_op, sub_av in av:
                if repr(sub_op) == "LITERAL":
                    chars.add(chr(sub_av))
                elif repr(sub_op) == "RANGE":
                    chars.update(map(chr, range(sub_av[0], sub_av[1] + 1)))
                else:
                    return None, False
            return chars, False
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        if name == "BRANCH":
            results = [_first_chars(branch) for branch in av[1]]
            nullable = any(n for _, n in results)
        elif name == "SUBPATTERN":
            results = [_first_chars(av[-1])]
            nullable = results[0][1]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            results = [_first_chars(av[2])]
            nullable = av[0] == 0 or results[0][1]
        else:
            return None, False
        for found, _ in results:
            if found is None:
                return None, False
            chars |= found
        if not nullable:
            return chars, False
    return chars, True


def _dispatch_table() -> dict[str, re.Pattern[str]]:
    """One alternation per possible first character, so each token only tries the rules that can start there."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import sre_parse
        starts = [_first_chars(sre_parse.parse(p)) for p in _KEYED_RULES]
    except Exception:  # private parser API: fall back to trying every rule everywhere
        starts = [(None, True)] * len(_KEYED_RULES)
    table: dict[str, re.Pattern[str]] = {}
    for char in _TOKEN_CHARS:
        groups = [
            f"(?P<r{i}>{pattern})"
            for i, (pattern, (first, nullable)) in enumerate(zip(_KEYED_RULES, starts, strict=True))
            if first is None or nullable or char in first
        ]
        if groups:
            table[char] = re.compile("|".join(groups))
    return table


_DISPATCH: Final = _dispatch_table()
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


def clauses(text: str) -> list[list[str]]:
    """Normalized tokens of each clause, with abbreviations expanded ("xfa" -> "por favor")."""
    result: list[list[str]] = []
    for chunk in _CLAUSE_SPLIT.split(normalize(text)):
        tokens: list[str] = []
        for word in _WORD.findall(chunk):
            tokens.extend(_ABBREVIATIONS.get(word, (word,)))
        if tokens:
            result.append(tokens)
    return result


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
    for c, tokens in enumerate(clauses(text)):
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


def classify(text: str) -> Verdict:
    """Decide whether a message reports an emergency happening now."""
    doc = _build(text)
    if not doc.words:
        return Verdict(False, 0.0, "none", ())

    hits: list[tuple[Category, float, int, int, int, int]] = []  # category, weight, start, end, first, last token
    text = doc.text
    for start in doc.starts:
        pattern = _DISPATCH.get(text[start])
        m = pattern.match(text, start) if pattern else None
        if m is None or m.lastgroup is None:
            continue
        category, weight, _ = _RULE_BY_GROUP[m.lastgroup]
        end = m.end()
        hits.append((category, weight, start, end, doc.token_at(start), doc.token_at(end - 1)))
    if not hits:
        return Verdict(False, 0.0, "none", ())

    blockers = [
        (m.span(m.lastgroup), _BLOCKER_SCOPE[m.lastgroup]) for m in _BLOCKER_RE.finditer(doc.text) if m.lastgroup
    ]
    trigger_clauses = {doc.clause_of[h[4]] for h in hits}
    past = _clauses_with(_PAST_RE, doc) | _clauses_with(_HABITUAL_RE, doc)
    # A bare time phrase ("ayer a la noche, se cayó...") dates the clause that follows it.
    past |= {c + 1 for c in past if c not in trigger_clauses}
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
    joking = _LAUGHTER_RE.search(doc.text) is not None
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
        elif clause in questions or any(doc.clause_of[i] == clause and i <= last for i in hypothetical):
            why = "hypothetical"
        elif clause in past and clause not in present:
            why = "past"
        elif clause <= resolved and clause not in present:
            why = "resolved"
        elif category == "explicit" and clause in admin:
            why = "paperwork"
        elif category == "traffic" and no_injury:
            why = "no injuries"
        elif joking:
            why = "joking"
        if why:
            dropped.append(f"{phrase} ({why})")
        else:
            kept.append((category, weight, phrase))

    score = round(_noisy_or(w for _, w, _ in kept), 3)
    if score < THRESHOLD:
        return Verdict(False, score, "none", tuple(dict.fromkeys(dropped)))
    kept.sort(key=lambda k: (k[0] == "explicit", -k[1]))
    reasons = tuple(dict.fromkeys(phrase for _, _, phrase in kept))
    return Verdict(True, score, kept[0][0], reasons)
