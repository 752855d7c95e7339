"""Urgency detection: the rules and the learned model combined into one `Verdict`."""

from __future__ import annotations

from typing import Final

from ventanilla.urgency.classifier import RuleOutcome, Verdict, rules
from ventanilla.urgency.lexicon import Category
from ventanilla.urgency.model import Model, shipped

# Categories the rules name broadly and the model may refine ("violence" by a partner is gender violence).
_REFINES: Final[dict[str, frozenset[str]]] = {
    "violence": frozenset({"gender_violence", "child"}),
    "medical": frozenset({"self_harm", "child"}),
    "missing": frozenset({"child"}),
    "explicit": frozenset(),
}
_CALM: Final = Verdict(False, 0.0, "none", ())


def _category(outcome: RuleOutcome, model: Model, text: str) -> Category:
    learned, confidence = model.category(text)
    ruled = outcome.category
    if ruled == "none" or (ruled == "explicit" and confidence >= 0.4):
        return learned  # type: ignore[return-value]
    if learned in _REFINES.get(ruled, ()) and confidence >= 0.5:
        return learned  # type: ignore[return-value]
    return ruled


def classify(text: str, model: Model | None = None) -> Verdict:
    """Decide whether a message reports an emergency happening now, is unclear (ask), or is calm."""
    if not text or not text.strip():
        return _CALM
    model = model or shipped()
    outcome = rules(text)
    if not any(ch.isalpha() for ch in text):
        # Numbers alone (a ticket number and PIN, a phone) carry nothing the model learned: the rules decide.
        return outcome.verdict()
    probability = model.probability(text)
    sentence = model.sentence_probability(text, probability)
    score = round(
        model.combine(probability, sentence, outcome.score, bool(outcome.dropped), outcome.explicit_only), 3
    )
    urgent_at, unsure_at = model.thresholds
    learned = f"modelo {probability:.2f}"
    words = model.explain(text)
    if words:
        learned += ": " + ", ".join(words)
    if score < unsure_at:
        return Verdict(False, score, "none", (*outcome.dropped, learned))
    category = _category(outcome, model, text)
    if score < urgent_at:
        return Verdict(False, score, category, (*outcome.reasons, *outcome.dropped, learned), unsure=True)
    return Verdict(True, score, category, (*outcome.reasons, learned))
