"""Load labelled TSV samples and measure urgency detection on them.

File convention (UTF-8, tab-separated, one header row): `label<TAB>category<TAB>text`.
- `label` is 1 when the message reports an emergency happening now, 0 otherwise.
- `category` of a label-1 row is the kind of emergency (fire, gas, ..., self_harm, gender_violence, child,
  explicit); of a label-0 row it names the trap it tests (routine, urgent_routine, future, resolved, past, cable,
  topic, info, figurative, joke, negated, ...). The report gives recall per category and the false-positive rate
  per trap, besides the totals.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ventanilla.urgency.classifier import Verdict


class DataError(ValueError):
    """A sample file that is missing or does not follow the convention."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message: label 1 urgent / 0 not, plus the annotator's category or trap."""

    label: int
    category: str
    text: str


def load_tsv(path: str | Path) -> list[Example]:
    """Read a `label<TAB>category<TAB>text` file with a header row; DataError names the first bad line."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, expected a .tsv file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    examples: list[Example] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if number == 1 or not line.strip():
            continue
        parts = line.split("\t", 2)
        if len(parts) != 3 or parts[0].strip() not in ("0", "1") or not parts[1].strip():
            raise DataError(f"{path}:{number}: expected 'label<TAB>category<TAB>text' with label 0 or 1")
        examples.append(Example(int(parts[0]), parts[1].strip(), parts[2]))
    if not examples:
        raise DataError(f"{path}: no examples (a header row, then 'label<TAB>category<TAB>text' lines)")
    return examples


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def _default_classifier() -> Callable[[str], Verdict]:
    from ventanilla.urgency.detector import classify

    return classify


def evaluate(
    examples: Iterable[Example],
    classifier: Callable[[str], Verdict] | None = None,
    *,
    verdicts: Iterable[Verdict] | None = None,
) -> dict[str, object]:
    """Precision/recall/F1 of the urgent class, recall per category, false positives per trap, latency, misses.

    "asked" counts messages the bot would ask about ("unsure"): `recall_with_asked` treats asking as detecting.
    """
    classify = classifier or _default_classifier()
    items = list(examples)
    given = list(verdicts) if verdicts is not None else None
    tp = fp = fn = asked_pos = asked_neg = 0
    timings: list[float] = []
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_trap: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[dict[str, object]] = []
    for index, example in enumerate(items):
        if given is None:
            start = time.perf_counter()
            verdict = classify(example.text)
            timings.append(time.perf_counter() - start)
        else:
            verdict = given[index]
        predicted = int(verdict.urgent)
        if example.label:
            per_category[example.category][1] += 1
            per_category[example.category][0] += predicted
            tp += predicted
            fn += 1 - predicted
            asked_pos += int(verdict.level == "unsure")
        else:
            per_trap[example.category][1] += 1
            per_trap[example.category][0] += predicted
            fp += predicted
            asked_neg += int(verdict.level == "unsure")
        if predicted != example.label:
            misses.append(
                {
                    "label": example.label,
                    "predicted": predicted,
                    "level": verdict.level,
                    "category": example.category,
                    "text": example.text,
                }
            )
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    timings.sort()
    latency = (
        {
            "median_ms": round(timings[len(timings) // 2] * 1000, 3),
            "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000, 3),
        }
        if timings
        else {}
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "n": len(items),
        "recall_with_asked": _ratio(tp + asked_pos, tp + fn),
        "asked_calm": _ratio(asked_neg, sum(n for _, n in per_trap.values())),
        "recall_by_category": {c: _ratio(hit, n) for c, (hit, n) in sorted(per_category.items())},
        "false_positive_rate_by_trap": {t: _ratio(hit, n) for t, (hit, n) in sorted(per_trap.items())},
        "support": {
            "categories": {c: n for c, (_, n) in sorted(per_category.items())},
            "traps": {t: n for t, (_, n) in sorted(per_trap.items())},
        },
        "latency": latency,
        "misses": misses,
    }
