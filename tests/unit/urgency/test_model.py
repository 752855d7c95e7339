"""The learned half of urgency detection, the new categories, normalisation, the safety lines and `urgency eval`."""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from pathlib import Path

import pytest

from ventanilla.urgency import classify, classify_rules, evaluate, load_tsv, safety_message
from ventanilla.urgency.classifier import clauses
from ventanilla.urgency.evaluation import DataError
from ventanilla.urgency.messages import for_channel
from ventanilla.urgency.model import MODEL_FILE, shipped

DATA = Path(__file__).resolve().parents[3] / "src" / "ventanilla" / "urgency" / "data"
# The widget's phone linkifier (src/utils/sanitizeMessageHtml.ts): 9+ digits become a wa.me link.
WIDGET_PHONE = re.compile(r"(?<!\d)(?:\+?\d{1,3}[-.\s]?)?(?:\(?\d{2,4}\)?[-.\s]?){2,}\d{3,4}(?!\d)")

CATEGORY_CASES = [
    ("self_harm", "me quiero matar"),
    ("self_harm", "no quiero vivir más, me voy a tirar del puente"),
    ("self_harm", "hoy termino con todo"),
    ("self_harm", "mi hijo dice que se va a cortar"),
    ("self_harm", "estoy pensando en suicidarme"),
    ("gender_violence", "mi marido me pega y tengo miedo"),
    ("gender_violence", "mi ex está en la puerta, tiene perimetral y dice que me va a matar"),
    ("gender_violence", "mi pareja me encerró y me sacó el celular"),
    ("child", "hay un nene solo encerrado en un auto al sol"),
    ("child", "el padrastro abusa de mi sobrina y hoy la dejan sola con él"),
]
NOT_URGENT = [
    "me quiero matar con este trámite jaja",
    "me mato estudiando para el parcial",
    "campaña de prevención del suicidio: ¿dónde pego los afiches?",
    "¿cuál es el número de la línea 144?",
    "hay un cable de internet colgando en la vereda",
    "URGENTE necesito el certificado de domicilio",
    "el día que llueva se nos va a inundar la cuadra",
    "mi mamá ya está internada y estable, quería saber del traslado",
]


@pytest.mark.parametrize(("category", "text"), CATEGORY_CASES)
def test_new_categories_are_urgent_with_their_category(category: str, text: str) -> None:
    verdict = classify(text)
    assert verdict.level == "urgent", verdict
    assert verdict.category == category
    assert verdict.reasons


@pytest.mark.parametrize("text", NOT_URGENT)
def test_traps_of_the_new_categories_are_not_urgent(text: str) -> None:
    assert not classify(text).urgent, classify(text)


def test_rules_alone_missed_what_the_combination_catches() -> None:
    text = "se le cayó la cara de un lado y no habla bien"
    assert classify(text).urgent and classify(text).category == "medical"


def test_verdict_reasons_come_from_rules_and_model() -> None:
    verdict = classify("hay olor a gas muy fuerte en la cocina")
    assert "olor a gas" in " ".join(verdict.reasons)
    assert any(reason.startswith("modelo ") for reason in verdict.reasons)
    assert verdict.to_dict()["level"] == "urgent"


def test_levels_cover_urgent_unsure_and_calm() -> None:
    assert classify("hay fuego en el depósito").level == "urgent"
    vague = ("el arroyo esta muy crecido", "vengan ya que esto se pone feo", "hay humo a lo lejos", "hay un olor raro")
    assert any(classify(t).level == "unsure" for t in vague)
    assert classify("quiero reclamar por un bache en mi cuadra").level == "calm"
    assert classify("").level == "calm" and classify("   ").category == "none"


def test_voice_note_fillers_and_repeated_words_are_normalised() -> None:
    assert clauses("eh hay hay fuego acá en el en el depósito") == [["hay", "fuego", "aca", "en", "el", "deposito"]]
    assert clauses("mmm se se cae el techo") == [["se", "cae", "el", "techo"]]
    verdict = classify("eh hay hay fuego acá en el en el depósito")
    assert verdict.level in ("urgent", "unsure") and verdict.category == "fire"


def test_latency_median_under_a_millisecond() -> None:
    texts = [e.text for e in load_tsv(DATA / "holdout_v2.tsv")]
    classify(texts[0])
    timings = []
    for text in texts:
        start = time.perf_counter()
        classify(text)
        timings.append(time.perf_counter() - start)
    # Generous on a shared CI machine; the README reports the measured figures.
    assert statistics.median(timings) < 0.003


@pytest.mark.slow
def test_shipped_model_is_what_the_training_command_produces() -> None:
    pytest.importorskip("sklearn")
    from ventanilla.urgency import training

    written, generated = training.load_corpus()
    trained = training.fit([*written, *generated])
    shipped_data = json.loads(gzip.decompress((DATA / MODEL_FILE.removeprefix("data/")).read_bytes()))
    assert trained["examples"] == shipped_data["examples"], "corpus changed: run `ventanilla urgency train`"
    assert trained["vocabulary"] == shipped_data["vocabulary"], "corpus changed: run `ventanilla urgency train`"
    for key in ("weights", "category_bias", "calibration", "combiner"):
        assert trained[key] == pytest.approx(shipped_data[key], abs=1e-4), key
    assert trained["thresholds"] == shipped_data["thresholds"]
    assert shipped().categories == tuple(trained["categories"])


def test_self_harm_answer_gives_the_lines_and_stays_with_the_person() -> None:
    message = safety_message("self_harm")
    assert "135" in message and "0800\u2011345\u20111435" in message and "911" in message
    assert "Centro de Asistencia al Suicida" in message
    assert "culpa" not in message.lower()  # never blaming
    assert for_channel(message, "whatsapp").count("0800-345-1435") == 1


@pytest.mark.parametrize(
    ("category", "number"),
    [("gender_violence", "144"), ("child", "102"), ("flood", "103"), ("structure", "103"), ("fire", "100")],
)
def test_each_category_points_to_its_line(category: str, number: str) -> None:
    message = safety_message(category)
    assert re.search(rf"\b{number}\b", message)
    assert "911" in message


@pytest.mark.parametrize("category", ["self_harm", "gender_violence", "child", "medical", "fire", "explicit"])
def test_numbers_render_as_phone_numbers_in_the_widget(category: str) -> None:
    message = safety_message(category)
    linked = [m.group() for m in WIDGET_PHONE.finditer(message) if len(re.sub(r"\D", "", m.group())) >= 9]
    assert linked == []
    for sentence in re.split(r"(?<=[.!?])\s+", message):
        assert len(sentence) <= 140  # the widget's simplified mode splits longer sentences at commas and " y "


def test_eval_reports_per_category_recall_and_per_trap_false_positives(tmp_path: Path) -> None:
    sample = tmp_path / "sample.tsv"
    sample.write_text(
        "label\tcategory\ttext\n1\tself_harm\tme quiero matar\n0\tfigurative\tme muero de risa\n"
        "0\tcable\thay un cable de internet colgando\n",
        encoding="utf-8",
    )
    report = evaluate(load_tsv(sample))
    assert report["recall_by_category"] == {"self_harm": 1.0}
    assert report["false_positive_rate_by_trap"] == {"cable": 0.0, "figurative": 0.0}
    assert evaluate(load_tsv(sample), classify_rules)["n"] == 3


@pytest.mark.parametrize(
    "content",
    [
        "",
        "label\tcategory\ttext\n",
        "label\tcategory\ttext\n2\tfire\thay fuego\n",
        "label\tcategory\ttext\nsolo texto\n",
    ],
)
def test_malformed_sample_is_a_clear_error(tmp_path: Path, content: str) -> None:
    sample = tmp_path / "bad.tsv"
    sample.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.tsv"):
        load_tsv(sample)


def test_missing_sample_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_tsv(tmp_path / "missing.tsv")
    with pytest.raises(DataError, match="directory"):
        load_tsv(tmp_path)


@pytest.mark.parametrize(
    "text",
    ["cancelar", "empezar de nuevo", "menú", "sí", "cerca", "¿Venden entradas para el teatro?", "57 123456", "2614445566"],
)
def test_bot_commands_answers_and_numbers_are_calm(text: str) -> None:
    assert classify(text).level == "calm"
