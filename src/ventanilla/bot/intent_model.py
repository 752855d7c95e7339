"""The learned intent model beside the rules: multinomial naive Bayes over words, word pairs and word pieces, trained
at first use from `data/intent_examples.tsv` (pure: no I/O after that, deterministic).

The rules (`intents.classify`) decide first; the dialogue reads the model only for a message no rule names, and
only when it is sure (`SURE`), so that a new wording of a known wish gets its answer instead of "no entendí"."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .intake import normalize

SURE = 0.75
"""The probability above which the dialogue acts on the model's label."""


@dataclass(frozen=True, slots=True)
class Guess:
    """The model's label for a message and its probability."""

    label: str
    probability: float


def features(text: str) -> list[str]:
    """Words, word pairs and 4-letter pieces of the normalised text (pieces carry typos and word endings)."""
    tokens = normalize(text).split()
    out = [f"w:{t}" for t in tokens]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(tokens)]
    for t in tokens:
        padded = f"<{t}>"
        out += [f"c:{padded[i : i + 4]}" for i in range(max(1, len(padded) - 3))]
    return out


@dataclass(frozen=True, slots=True)
class Model:
    """Log priors and per-label feature log probabilities (with the unseen-feature fallback)."""

    priors: dict[str, float]
    weights: dict[str, dict[str, float]]
    unseen: dict[str, float]

    def guess(self, text: str) -> Guess | None:
        """The most probable label, or None for a text with no features."""
        feats = features(text)
        if not feats:
            return None
        scores = {
            label: prior + sum(self.weights[label].get(f, self.unseen[label]) for f in feats)
            for label, prior in self.priors.items()
        }
        top = max(scores.values())
        total = sum(math.exp(s - top) for s in scores.values())
        label = max(scores, key=lambda k: (scores[k], k))
        return Guess(label, 1.0 / total)


def train(examples: list[tuple[str, str]], alpha: float = 0.5) -> Model:
    """Fit the model to (label, text) pairs."""
    by_label: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    for label, text in examples:
        by_label.setdefault(label, Counter()).update(features(text))
        counts[label] += 1
    vocabulary = {f for c in by_label.values() for f in c}
    size = len(vocabulary)
    n = sum(counts.values())
    weights: dict[str, dict[str, float]] = {}
    unseen: dict[str, float] = {}
    for label, feats in by_label.items():
        denominator = sum(feats.values()) + alpha * size
        weights[label] = {f: math.log((c + alpha) / denominator) for f, c in feats.items()}
        unseen[label] = math.log(alpha / denominator)
    priors = {label: math.log(c / n) for label, c in counts.items()}
    return Model(priors, weights, unseen)


def read_examples(text: str) -> list[tuple[str, str]]:
    """label<TAB>message lines; `#` starts a comment."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        label, _, message = line.partition("\t")
        out.append((label.strip(), message.strip()))
    return out


@cache
def shipped() -> Model:
    """The model trained on the bot's own examples."""
    data = resources.files("ventanilla.bot").joinpath("data/intent_examples.tsv").read_text("utf-8")
    return train(read_examples(data))


def guess(text: str) -> Guess | None:
    """The shipped model's label for a message, when it is sure of it."""
    found = shipped().guess(text)
    return found if found is not None and found.probability >= SURE else None
