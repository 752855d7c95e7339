"""The learned intent model (bot/intent_model.py) on its own labelled test set, written apart from its examples."""

from __future__ import annotations

from pathlib import Path

from ventanilla.bot.intent_model import SURE, guess, read_examples, shipped

TEST_SET = read_examples((Path(__file__).parent / "intent_test_examples.tsv").read_text("utf-8"))


def test_the_model_labels_its_test_set() -> None:
    right = sum(shipped().guess(text).label == label for label, text in TEST_SET)  # type: ignore[union-attr]
    assert len(TEST_SET) == 32
    assert right / len(TEST_SET) >= 0.9  # 30 / 32 when written


def test_what_the_dialogue_acts_on_is_right() -> None:
    acted = [(label, guess(text)) for label, text in TEST_SET]
    sure = [(label, g) for label, g in acted if g is not None]
    assert all(g.probability >= SURE for _, g in sure)
    assert sum(g.label == label for label, g in sure) / len(sure) >= 0.9  # 30 / 31 when written


def test_a_text_without_words_has_no_label() -> None:
    assert shipped().guess("!!! ???") is None
