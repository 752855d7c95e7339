"""The learned half of urgency detection: pure-Python inference over exported linear weights (no numpy at run time).

`ventanilla urgency train` fits the model with scikit-learn (see `training.py`) and writes `data/model.json.gz`;
this module loads it once and scores a message in well under a millisecond. Features are computed here and used
as the analyzer at training time too, so both sides see exactly the same n-grams.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final

from ventanilla.urgency.classifier import phonetic_key, tokens
from ventanilla.urgency.concepts import concept_features, scored_sentences

MODEL_FILE: Final = "data/model.json.gz"
FORMAT: Final = 3
_CHAR_RANGE: Final = (3, 5)


# Function words: alone they say nothing about danger, and a linear model would learn message length from them.
STOPWORDS: Final = frozenset(
    [
        "a",
        "al",
        "con",
        "de",
        "del",
        "el",
        "en",
        "es",
        "la",
        "las",
        "le",
        "lo",
        "los",
        "me",
        "mi",
        "mis",
        "nos",
        "o",
        "para",
        "por",
        "que",
        "se",
        "su",
        "sus",
        "te",
        "tu",
        "un",
        "una",
        "unos",
        "unas",
        "y",
        "ya",
        "e",
        "u",
        "ni",
    ]
)


def _word_grams(words: list[str]) -> set[str]:
    feats = {f"w {w}" for w in words if w not in STOPWORDS}
    feats.update(f"b {a} {b}" for a, b in itertools.pairwise(words) if a not in STOPWORDS or b not in STOPWORDS)
    return feats


@lru_cache(maxsize=64)
def features(text: str) -> tuple[str, ...]:
    """Distinct features of a message: words, word pairs, character 3-5-grams inside each word's phonetic key, and
    the meaning features of `concepts` (a few cached: a message's sentences are scored alone and inside the whole)."""
    words = tokens(text)
    feats = _word_grams(words)
    feats.update(concept_features(text))
    low, high = _CHAR_RANGE
    for word in words:
        key = phonetic_key(word)
        if len(key) < 3 or word in STOPWORDS:
            continue
        padded = f" {key} "
        for n in range(low, high + 1):
            feats.update("c" + padded[i : i + n] for i in range(len(padded) - n + 1))
    return tuple(sorted(feats))


def word_features(text: str) -> list[str]:
    """Features of the category model: words, word pairs and the meaning features."""
    feats = _word_grams(tokens(text))
    feats.update(concept_features(text))
    return sorted(feats)


def logit(p: float) -> float:
    """Log-odds of a probability kept away from 0 and 1."""
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class Model:
    """Exported weights: a binary urgent/calm scorer, its Platt calibration, a category scorer, the combiner and
    the two thresholds (urgent, ask) chosen on out-of-fold scores of the hand-written corpus."""

    index: dict[str, int]
    weights: tuple[float, ...]
    bias: float
    calibration: tuple[float, float]
    categories: tuple[str, ...]
    category_weights: dict[str, tuple[tuple[int, float], ...]]
    category_bias: tuple[float, ...]
    combiner: tuple[float, ...]
    thresholds: tuple[float, float]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported urgency model format: {data.get('format')!r}")
        vocab: list[str] = data["vocabulary"]
        return cls(
            index={feature: i for i, feature in enumerate(vocab)},
            weights=tuple(data["weights"]),
            bias=float(data["bias"]),
            calibration=(float(data["calibration"][0]), float(data["calibration"][1])),
            categories=tuple(data["categories"]),
            category_weights={
                feature: tuple((int(i), float(w)) for i, w in pairs)
                for feature, pairs in data["category_weights"].items()
            },
            category_bias=tuple(data["category_bias"]),
            combiner=tuple(data["combiner"]),
            thresholds=(float(data["thresholds"][0]), float(data["thresholds"][1])),
        )

    def probability(self, text: str) -> float:
        """Calibrated probability that the message reports an emergency now."""
        index, weights = self.index, self.weights
        known = [weights[i] for f in features(text) if (i := index.get(f)) is not None]
        z = self.bias
        if known:
            z += math.fsum(known) / math.sqrt(len(known))
        a, b = self.calibration
        return _sigmoid(a * z + b)

    def sentence_probability(self, text: str, whole: float) -> float:
        """The highest probability of any one sentence of a message that has several (else `whole`, the message's)."""
        parts = scored_sentences(text)
        if not parts:
            return whole
        return max(self.probability(part) for part in parts)

    def explain(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """The words of the message that pushed the model most towards "urgent"."""
        scored = [
            (self.weights[i], feature[2:])
            for feature in word_features(text)
            if feature[0] in "wb" and (i := self.index.get(feature)) is not None and self.weights[i] > 0
        ]
        scored.sort(key=lambda item: -item[0])
        return tuple(words for _, words in scored[:limit])

    def category(self, text: str) -> tuple[str, float]:
        """Most likely urgency category (one-vs-rest) and that scorer's probability."""
        scores = list(self.category_bias)
        present = [pairs for f in word_features(text) if (pairs := self.category_weights.get(f)) is not None]
        if present:
            norm = math.sqrt(len(present))
            for pairs in present:
                for i, w in pairs:
                    scores[i] += w / norm
        top = max(range(len(scores)), key=scores.__getitem__)
        return self.categories[top], _sigmoid(scores[top])

    def combine(
        self,
        probability: float,
        sentence: float,
        rule_score: float,
        rule_dropped: bool,
        explicit_only: bool,
        framed: bool,
    ) -> float:
        """Combined score from the model's probabilities (the whole message, and how much more urgent its most
        urgent sentence reads alone), the rules' outcome and whether the message is framed as a routine matter
        (weights fitted on out-of-fold scores)."""
        w_model, w_sentence, w_rule, w_dropped, w_explicit, w_framed, bias = self.combiner
        z = (
            w_model * logit(probability)
            + w_sentence * max(0.0, logit(sentence) - logit(probability))
            + w_rule * rule_score
            + w_dropped * float(rule_dropped)
            + w_explicit * float(explicit_only)
            + w_framed * float(framed)
            + bias
        )
        return _sigmoid(z)


def decode(blob: bytes) -> Model:
    """A model from the bytes of a model file."""
    return Model.from_dict(json.loads(gzip.decompress(blob)))


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The model shipped in the package, loaded once."""
    return decode(resources.files("ventanilla.urgency").joinpath(MODEL_FILE).read_bytes())
