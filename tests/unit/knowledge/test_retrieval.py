"""Knowledge-base retrieval: phonetic spelling, synonyms, follow-ups, and the labelled set's figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from ventanilla.knowledge import retrieval, search
from ventanilla.knowledge.cli import demo_csv
from ventanilla.knowledge.service import parse_csv

CASES = Path(__file__).with_name("retrieval_cases.tsv")


def demo_items() -> tuple[search.Item, ...]:
    return tuple(
        search.Item(n, e.title, e.answer, e.keywords, e.link) for n, e in enumerate(parse_csv(demo_csv()), start=1)
    )


def labelled() -> list[tuple[str, str | None, bool]]:
    """(question, expected title or None, is a follow-up of the previous line)."""
    rows = []
    for line in CASES.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        question, expected = line.split("\t")
        follow = question.startswith("> ")
        rows.append((question.removeprefix("> "), None if expected == "-" else expected, follow))
    return rows


def accuracy(answer: object) -> tuple[int, int]:
    """Right answers of a retrieval function over the labelled set (follow-ups carry the previous topic)."""
    items = demo_items()
    by_title = {i.title: i.id for i in items}
    right = 0
    topic: int | None = None
    rows = labelled()
    for question, expected, follow in rows:
        hit = answer(items, question, topic if follow else None)  # type: ignore[operator]
        got = hit.item.title if hit is not None else None
        right += got == expected
        topic = by_title.get(expected or "")
    return right, len(rows)


def test_labelled_set_figure() -> None:
    right, total = accuracy(lambda items, q, topic: retrieval.find(items, q, topic=topic))
    before, _ = accuracy(lambda items, q, topic: search.best(items, q))
    print(f"retrieval: {right}/{total} right (the previous fuzzy search: {before}/{total})")
    assert right / total >= 0.9
    assert right > before


@pytest.mark.parametrize(
    ("a", "b"), [("kamion", "camión"), ("ora", "hora"), ("munisipalida", "municipalidad"), ("kastran", "castran")]
)
def test_phonetic_spelling_sounds_alike(a: str, b: str) -> None:
    assert retrieval.phonetic(a) == retrieval.phonetic(b)


def test_word_forms_share_a_stem() -> None:
    assert retrieval.stem("castran") == retrieval.stem("castraciones") == retrieval.stem("castrar")


def test_follow_up_keeps_the_topic_unless_another_is_named() -> None:
    items = demo_items()
    castr = next(i for i in items if i.title.startswith("Castraciones"))
    hit = retrieval.find(items, "y hay que pedir turno?", topic=castr.id)
    assert hit is not None and hit.item.id == castr.id
    hit = retrieval.find(items, "y la tasa donde la pago?", topic=castr.id)
    assert hit is not None and hit.item.title == "Tasas municipales"
    assert retrieval.find(items, "y hay que pedir turno?") is not None  # without a topic: the turnos entry


def test_a_weak_word_alone_is_no_answer() -> None:
    assert retrieval.find(demo_items(), "donde saco el pasaporte?") is None


def test_process_faq_answers_the_bots_own_questions() -> None:
    faq = retrieval.process_faq()
    for question, title in (
        ("para que necesitan mi telefono?", "Para qué piden mis datos"),
        ("cuanto tarda en que lo arreglen?", "Cuándo lo arreglan"),
        ("donde encuentro el pin?", "El PIN del reclamo"),
    ):
        hit = retrieval.find(faq, question)
        assert hit is not None and hit.item.title == title, question
        assert retrieval.is_process_faq(hit.item)
