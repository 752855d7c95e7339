"""Urgency detection: the rules and the learned model combined into one `Verdict`."""

from __future__ import annotations

from typing import Final

from ventanilla.urgency.classifier import THRESHOLD, RuleOutcome, Verdict, rules
from ventanilla.urgency.concepts import floor, framed, only_far, plainly_calm, scored_sentences, speaks_of_harm
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


def _score(model: Model, text: str, outcome: RuleOutcome) -> tuple[float, float]:
    probability = model.probability(text)
    sentence = model.sentence_probability(text, probability)
    score = model.combine(
        probability, sentence, outcome.score, bool(outcome.dropped), outcome.explicit_only, framed(text)
    )
    return score, probability


def classify(text: str, model: Model | None = None) -> Verdict:
    """Decide whether a message reports an emergency happening now, is unclear (ask), or is calm.

    A message of several sentences is also judged sentence by sentence, and its most urgent sentence counts (an
    emergency in the last line of a routine complaint), unless the rules found a scope in the message (already
    handled, negated, hypothetical...) that may belong to another sentence.
    """
    if not text or not text.strip():
        return _CALM
    model = model or shipped()
    outcome = rules(text)
    if not any(ch.isalpha() for ch in text):
        # Numbers alone (a ticket number and PIN, a phone) carry nothing the model learned: the rules decide.
        return outcome.verdict()
    score, probability = _score(model, text, outcome)
    focus = text
    urgent_at, unsure_at = model.thresholds
    if not outcome.dropped and score < urgent_at:
        for part in scored_sentences(text):
            part_outcome = rules(part)
            part_score, part_probability = _score(model, part, part_outcome)
            if part_score > score and not part_outcome.dropped:
                score, probability, focus, outcome = part_score, part_probability, part, part_outcome
    score = round(score, 3)
    learned = f"modelo {probability:.2f}"
    words = model.explain(focus)
    if words:
        learned += ": " + ", ".join(words)
    forced = floor(text)
    if forced is not None and score < urgent_at:
        # The label rule's own cases (someone alone and unseen for days, a lethal dose asked about) escalate.
        category: Category = forced  # type: ignore[assignment]
        return Verdict(True, max(score, urgent_at), category, (*outcome.reasons, f"situación: {forced}", learned))
    laughed_off = bool(outcome.dropped) and not outcome.reasons and all("(joking)" in d for d in outcome.dropped)
    if score >= unsure_at and laughed_off:
        # Every danger word of the message is laughed about ("llamen a la ambulancia que perdió Boca 😂").
        return Verdict(False, round(unsure_at / 2, 3), "none", (*outcome.dropped, learned))
    if score >= unsure_at and (outcome.score < THRESHOLD or outcome.explicit_only) and plainly_calm(text):
        return Verdict(False, round(unsure_at / 2, 3), "none", (*outcome.dropped, "sin peligro a la vista", learned))
    if score < unsure_at and (outcome.score < THRESHOLD or outcome.explicit_only or not framed(text)):
        return Verdict(False, score, "none", (*outcome.dropped, learned))
    if score < urgent_at and outcome.score < THRESHOLD and not speaks_of_harm(text):
        # The question is for a doubt about a danger: the model's doubt alone, with no sign of harm in the message
        # and nothing the rules keep, is not asked about.
        return Verdict(False, score, "none", (*outcome.dropped, "sin peligro a la vista", learned))
    # Below here either the score reached the question, or the rules kept a danger of their own inside a message
    # framed as a complaint ("hay humo en la cuadra, quiero hacer un reclamo"): that doubt is asked about.
    category = _category(outcome, model, focus)
    if score < urgent_at or only_far(text):
        score = score if score < urgent_at else round((urgent_at + unsure_at) / 2, 3)
        return Verdict(False, score, category, (*outcome.reasons, *outcome.dropped, learned), unsure=True)
    return Verdict(True, score, category, (*outcome.reasons, learned))
