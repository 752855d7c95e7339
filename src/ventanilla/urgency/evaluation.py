"""Load labelled TSV samples and measure the classifier on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ventanilla.urgency.classifier import classify


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message: label 1 urgent / 0 not, plus the annotator's category."""

    label: int
    category: str
    text: str


def load_tsv(path: str | Path) -> list[Example]:
    """Read a `label<TAB>category<TAB>text` file with a header row."""
    examples: list[Example] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            line = line.rstrip("\r\n")
            if number == 0 or not line.strip():
                continue
            label, category, text = line.split("\t", 2)
            examples.append(Example(int(label), category, text))
    return examples


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def evaluate(examples: Iterable[Example]) -> dict[str, object]:
    """Precision/recall/F1 of the urgent class, with every misclassified example."""
    tp = fp = fn = n = 0
    misses: list[dict[str, object]] = []
    for example in examples:
        n += 1
        predicted = int(classify(example.text).urgent)
        if predicted and example.label:
            tp += 1
        elif predicted:
            fp += 1
        elif example.label:
            fn += 1
        if predicted != example.label:
            misses.append(
                {"label": example.label, "predicted": predicted, "category": example.category, "text": example.text}
            )
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "n": n, "misses": misses}
