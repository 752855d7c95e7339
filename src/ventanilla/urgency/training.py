"""`ventanilla urgency train`: fit the learned model on the corpus and export it (needs the `train` extra).

Deterministic: fixed seeds, sorted vocabulary, rounded weights and a gzip stream without a timestamp, so the same
corpus always gives the same bytes. scikit-learn is imported here only; the server never imports this module.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from ventanilla.urgency.classifier import THRESHOLD, rules
from ventanilla.urgency.concepts import floor, framed, plainly_calm, scored_sentences
from ventanilla.urgency.evaluation import Example, load_tsv
from ventanilla.urgency.model import FORMAT, MODEL_FILE, Model, features, logit, word_features

SEED: Final = 12
CORPUS_FILES: Final = ("data/corpus.tsv", "data/corpus_generated.tsv")
C_BINARY: Final = 32.0
C_CATEGORY: Final = 4.0
FOLDS: Final = 5
TARGET_PRECISION: Final = 0.96  # of escalations, on out-of-fold scores of the hand-written corpus
ASK_BUDGET: Final = 0.05  # at most this share of calm messages gets the question
ROUTINE_ASK_BUDGET: Final = 0.03  # and of plain routine complaints and conversation turns
_DIGITS: Final = 5


def data_path(name: str) -> Path:
    """Path of a file shipped in the urgency package."""
    return Path(str(resources.files("ventanilla.urgency").joinpath(name)))


def load_corpus() -> tuple[list[Example], list[Example]]:
    """The hand-written corpus and the template variants, as the training command reads them."""
    written, generated = (load_tsv(data_path(name)) for name in CORPUS_FILES)
    return written, generated


@cache
def _rule_row(text: str) -> tuple[float, float, float, float]:
    outcome = rules(text)
    return (outcome.score, float(bool(outcome.dropped)), float(outcome.explicit_only), float(framed(text)))


@cache
def _features(text: str) -> tuple[str, ...]:
    return tuple(features(text))


@cache
def _word_features(text: str) -> tuple[str, ...]:
    return tuple(word_features(text))


def _round(value: float) -> float:
    return round(float(value), _DIGITS) + 0.0


def _pick_thresholds(scores: Any, labels: Any, categories: Sequence[str]) -> tuple[float, float]:
    """Urgent at the lowest score whose escalations keep precision >= TARGET_PRECISION; ask from the lowest score
    that puts at most ASK_BUDGET of the calm messages (and ROUTINE_ASK_BUDGET of plain routine ones) in between."""
    import numpy as np

    order = np.sort(np.unique(scores))
    urgent_at = 0.5
    for t in order:
        chosen = scores >= t
        if chosen.sum() and labels[chosen].mean() >= TARGET_PRECISION:
            urgent_at = float(t)
            break
    urgent_at = min(max(urgent_at, 0.3), 0.8)
    calm = labels == 0
    routine = np.array([c in ("routine", "dialogue", "intake") for c in categories]) & calm
    ask_at = urgent_at
    for t in order[::-1]:
        if t >= urgent_at:
            continue
        band = (scores >= t) & (scores < urgent_at)
        if (band & calm).sum() > ASK_BUDGET * calm.sum() or (band & routine).sum() > ROUTINE_ASK_BUDGET * max(
            routine.sum(), 1
        ):
            break
        ask_at = float(t)
    return _round(urgent_at), _round(max(ask_at, 0.05))


def fit(written: Sequence[Example], generated: Sequence[Example] = (), seed: int = SEED) -> dict[str, Any]:
    """Train on labelled examples and return the exportable model (see `model.Model.from_dict`).

    Calibration, the combiner and the thresholds are fitted on out-of-fold scores of the hand-written examples
    only: each fold's model trains on the other hand-written folds plus every template variant, so the scores
    behave as on writing the model has not seen (variants of a tested message would flatter them).
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.multiclass import OneVsRestClassifier

    examples = [*written, *generated]
    texts = [e.text for e in examples]
    y = np.array([e.label for e in examples])
    n_written = len(written)

    def vectorizer(analyzer: Any) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer=analyzer, binary=True, use_idf=False, norm="l2", min_df=2, dtype=np.float64)

    def binary_model() -> LogisticRegression:
        return LogisticRegression(
            C=C_BINARY, class_weight="balanced", solver="liblinear", dual=True, random_state=seed, max_iter=2000
        )

    vec = vectorizer(_features)
    x = vec.fit_transform(texts)
    parts = [scored_sentences(e.text) for e in written]
    multi = [i for i, ps in enumerate(parts) if ps]
    flat = [s for i in multi for s in parts[i]]
    xs = vec.transform(flat) if flat else None
    oof = np.zeros(n_written)
    oof_sentence = np.zeros(n_written)
    always = np.arange(n_written, len(examples))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(written, y[:n_written]):
        rows = np.concatenate([train, always])
        model = binary_model().fit(x[rows], y[rows])
        oof[test] = model.decision_function(x[test])
        oof_sentence[test] = oof[test]
        if xs is not None:
            in_test = set(test.tolist())
            scored = model.decision_function(xs)
            offset = 0
            for i in multi:
                n = len(parts[i])
                if i in in_test:
                    oof_sentence[i] = float(scored[offset : offset + n].max())
                offset += n
    y_written = y[:n_written]
    platt = LogisticRegression(C=1e4, solver="lbfgs").fit(oof.reshape(-1, 1), y_written)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])

    def calibrated(z: Any) -> Any:
        return np.clip(1.0 / (1.0 + np.exp(-(a * z + b))), 1e-4, 1 - 1e-4)

    p_oof, p_sentence = calibrated(oof), calibrated(oof_sentence)
    meta_x = np.array(
        [
            [logit(p), max(0.0, logit(q) - logit(p)), *_rule_row(e.text)]
            for p, q, e in zip(p_oof, p_sentence, written, strict=True)
        ]
    )
    meta = LogisticRegression(C=1.0, solver="lbfgs", class_weight="balanced").fit(meta_x, y_written)
    combined = meta.predict_proba(meta_x)[:, 1]
    # What `detector.classify` decides whatever the score: keep those out of the threshold choice.
    for i, e in enumerate(written):
        rule_score, _, explicit_only, _ = _rule_row(e.text)
        if floor(e.text) is not None:
            combined[i] = 1.0
        elif (rule_score < THRESHOLD or explicit_only) and plainly_calm(e.text):
            combined[i] = 0.0
    thresholds = _pick_thresholds(combined, y_written, [e.category for e in written])

    final = binary_model().fit(x, y)
    vocabulary = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)

    positives = [e for e in examples if e.label == 1]
    cat_vec = vectorizer(_word_features)
    cx = cat_vec.fit_transform([e.text for e in positives])
    cat_model = OneVsRestClassifier(
        LogisticRegression(C=C_CATEGORY, solver="liblinear", dual=True, random_state=seed, max_iter=2000)
    )
    cat_model.fit(cx, [e.category for e in positives])
    cat_vocab = sorted(cat_vec.vocabulary_, key=cat_vec.vocabulary_.__getitem__)
    coef = np.vstack([est.coef_[0] for est in cat_model.estimators_])
    intercepts = [est.intercept_[0] for est in cat_model.estimators_]
    # Every feature stays (it counts in the l2 norm); only weights that matter are kept.
    category_weights: dict[str, list[list[float]]] = {
        feature: [[i, _round(coef[i, j])] for i in range(coef.shape[0]) if abs(coef[i, j]) >= 0.01]
        for j, feature in enumerate(cat_vocab)
    }

    return {
        "format": FORMAT,
        "seed": seed,
        "examples": len(examples),
        "vocabulary": vocabulary,
        "weights": [_round(w) for w in final.coef_[0]],
        "bias": _round(final.intercept_[0]),
        "calibration": [_round(a), _round(b)],
        "categories": [str(c) for c in cat_model.classes_],
        "category_weights": category_weights,
        "category_bias": [_round(v) for v in intercepts],
        "combiner": [*(_round(w) for w in meta.coef_[0]), _round(meta.intercept_[0])],
        "thresholds": list(thresholds),
    }


def encode(data: dict[str, Any]) -> bytes:
    """The model file's bytes (stable: sorted keys, no gzip timestamp)."""
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)


def train(output: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Fit on the shipped corpus and write the model file (by default the one the package ships)."""
    written, generated = load_corpus()
    data = fit(written, generated)
    path = output or data_path(MODEL_FILE)
    path.write_bytes(encode(data))
    return path, data


def cross_validate(folds: int = FOLDS, seed: int = SEED) -> list[tuple[Example, Any]]:
    """Out-of-fold verdicts for every hand-written example: each fold's model trains on the other hand-written
    folds plus all template variants (variants are never tested, their near-duplicates would flatter the figures)."""
    from sklearn.model_selection import StratifiedKFold

    from ventanilla.urgency.detector import classify

    written, generated = load_corpus()
    labels = [f"{e.label}{e.category}" for e in written]
    out: list[tuple[Example, Any]] = []
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(written, [lab[0] for lab in labels]):
        model = Model.from_dict(fit([written[i] for i in train_idx], generated, seed))
        out.extend((written[i], classify(written[i].text, model)) for i in test_idx)
    return out
