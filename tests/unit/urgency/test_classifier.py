"""Tests for the urgency classifier, its evaluation helpers and the safety messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from ventanilla.urgency import Category, Verdict, classify, evaluate, load_tsv, safety_message

DATA = Path(__file__).resolve().parents[3] / "src" / "ventanilla" / "urgency" / "data"
DEV_SAMPLE = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "urgency_dev.tsv"

URGENT = [
    ("fire", "hay un incendio en la calle 25 de mayo"),
    ("fire", "insendio en la villa, vengan rapido"),
    ("fire", "incendioooo en el barrio san jose"),
    ("fire", "hay humo saliendo del techo del galpón"),
    ("fire", "Se Prendió Fuego El Kiosco De La Plaza"),
    ("gas", "olor a gas fuerte en el pasillo"),
    ("gas", "olor a gaaas en toda la cuadra"),
    ("gas", "fuga de gaz en la esquina"),
    ("electric", "se cayó un cable y tira chispas"),
    ("electric", "la reja de la escuela da corriente"),
    ("flood", "el agua entra a la casa"),
    ("flood", "nos estamos inundando, ayuda"),
    ("structure", "se cae el techo"),
    ("structure", "se cayó un árbol sobre un auto con gente adentro"),
    ("medical", "mi papá no respira"),
    ("medical", "necesito una ambulansia urgente"),
    ("medical", "mi abuela se desmallo y no reacciona"),
    ("violence", "me quieren pegar"),
    ("gender_violence", "me kieren pegar, estoy encerrada en el baño"),
    ("violence", "se escuchan tiros en el barrio"),
    ("missing", "se perdió mi nene"),
    ("missing", "no encuentro a mi hija en la plaza"),
    ("animal", "un perro está mordiendo a un chico"),
    ("animal", "hay una yarará en el patio de la escuela"),
    ("traffic", "semáforo caído en la avenida"),
    ("traffic", "atropellaron a un chico en la esquina"),
    ("health", "los chicos del comedor están vomitando después de almorzar"),
    ("explicit", "urjente"),
    ("explicit", "ayudaaaa"),
    ("explicit", "x favor vengan ya"),
    ("explicit", "xfa es una emergencia"),
    ("explicit", "SOS"),
]

NOT_URGENT = [
    ("negated", "no es urgente, pero quiero reclamar por la basura"),
    ("negated", "nadie salió herido, solo se rompió la vidriera"),
    ("negated", "no hay olor a gas, solo quiero que revisen el medidor"),
    ("negated", "el perro no muerde, pero ladra toda la noche"),
    ("past", "ayer hubo un incendio, ya lo apagaron"),
    ("past", "la semana pasada se inundó mi casa, quiero pedir colchones"),
    ("past", "hace un mes se cayó un poste en la esquina"),
    ("resolved", "se prendió fuego el pasto pero ya lo apagamos"),
    ("resolved", "ya apareció mi hijo, gracias"),
    ("figurative", "está que arde el tema"),
    ("figurative", "me muero de risa"),
    ("figurative", "me mata el calor"),
    ("figurative", "un incendio de precios en el super"),
    ("figurative", "fue una bomba la fiesta"),
    ("figurative", "la interna está que echa chispas"),
    ("topic", "quiero anotarme en el curso de primeros auxilios"),
    ("topic", "la factura del gas vino carísima"),
    ("topic", "¿cuál es el horario de la guardia?"),
    ("topic", "colecta para los bomberos voluntarios"),
    ("topic", "¿cuál es el teléfono de emergencias?"),
    ("hypothetical", "¿qué hago si hay olor a gas?"),
    ("hypothetical", "en caso de inundación, ¿a dónde vamos?"),
    ("routine", "hay un bache enorme en la calle Belgrano"),
    ("routine", "la luminaria de la esquina está apagada"),
    ("routine", "no pasó el camión de la basura"),
    ("routine", "los vecinos hacen ruidos molestos"),
    ("routine", "pido poda del árbol de la vereda"),
    ("routine", "hay un cable de internet colgando"),
    ("routine", "se perdió mi gato"),
    ("paperwork", "necesito urgente un turno para el DNI"),
    ("info", "hola, buen día"),
    ("info", "muchas gracias por la ayuda"),
    ("info", ""),
]


@pytest.mark.parametrize(("category", "text"), URGENT)
def test_urgent_messages(category: str, text: str) -> None:
    verdict = classify(text)
    assert verdict.urgent, verdict
    assert verdict.category == category
    assert verdict.score >= 0.5
    assert verdict.reasons


@pytest.mark.parametrize(("trap", "text"), NOT_URGENT)
def test_traps_are_not_urgent(trap: str, text: str) -> None:
    verdict = classify(text)
    assert not verdict.urgent, (trap, verdict)
    assert verdict.category == "none" or verdict.level == "unsure"  # asked about: the likely category is kept
    assert verdict.score < 0.5


def test_present_cue_overrides_past() -> None:
    assert classify("ayer se prendió fuego el baldío y ahora otra vez hay fuego").urgent
    assert classify("el incendio de ayer sigue, ya son tres casas").urgent


def test_strong_trigger_scores_above_explicit_only() -> None:
    strong, explicit = classify("olor a gas muy fuerte"), classify("es urgente")
    assert strong.score >= 0.85
    assert explicit.score < strong.score
    assert explicit.category == "explicit"


def test_specific_category_wins_over_explicit() -> None:
    verdict = classify("URGENTE se prendió fuego la cocina")
    assert verdict.category == "fire"
    assert "fuego" in " ".join(verdict.reasons)


def test_verdict_to_dict_and_determinism() -> None:
    verdict = classify("me están pegando, ayuda")
    data = verdict.to_dict()
    assert data["urgent"] is True
    assert data["category"] == "violence"
    assert isinstance(data["reasons"], list)
    assert classify("me están pegando, ayuda") == verdict
    assert isinstance(verdict, Verdict)


def test_non_urgent_reasons_explain_the_cancellation() -> None:
    verdict = classify("no hay olor a gas")
    assert any("negated" in reason for reason in verdict.reasons)


def _check(result: dict[str, object], recall: float, precision: float) -> None:
    misses = "\n".join(map(str, result["misses"]))  # type: ignore[call-overload]
    assert result["recall"] >= recall, misses  # type: ignore[operator]
    assert result["precision"] >= precision, misses  # type: ignore[operator]


def test_holdout_metrics() -> None:
    # Written before any training, never tuned on: a floor against regressions, docs/urgency.md has the figures.
    examples = load_tsv(DATA / "holdout_v2.tsv")
    assert len(examples) > 300
    result = evaluate(examples)
    _check(result, recall=0.94, precision=0.93)
    # Issue 20 traded 3 held-out messages that used to get the question (0.984 -> 0.968) for recall on outside
    # writing; docs/urgency.md says so.
    assert result["recall_with_asked"] >= 0.96  # type: ignore[operator]


def test_outside_set_figures_do_not_regress() -> None:
    # Written by an outsider and frozen before the first round of issue 20; spent since its second round read its
    # misses for kinds (never trained on). Aggregated figures only (a failure here must not print its messages).
    # docs/urgency.md has the figures.
    result = evaluate(load_tsv(DATA / "outside_r19.tsv"))
    assert len(result["misses"]) < 60  # type: ignore[arg-type]
    figures = {k: result[k] for k in ("precision", "recall", "recall_with_asked", "asked_calm")}
    assert figures["precision"] >= 0.88 and figures["recall"] >= 0.90, figures
    assert figures["recall_with_asked"] >= 0.92 and figures["asked_calm"] <= 0.08, figures


def test_outside_r20_figures_do_not_regress() -> None:
    # Written by a fresh-context outsider while issue 20's second round worked, frozen on main before its merge,
    # scored once (P 0.869, R 0.939, R+asked 0.950, calm asked 0.066): a floor, aggregated figures only. Raised after
    # the third round (P 0.886, R 0.985, R+asked 0.995, calm asked 0.062), which read its misses for kinds (spent).
    result = evaluate(load_tsv(DATA / "outside_r20.tsv"))
    figures = {k: result[k] for k in ("precision", "recall", "recall_with_asked", "asked_calm")}
    assert figures["precision"] >= 0.87 and figures["recall"] >= 0.97, figures
    assert figures["recall_with_asked"] >= 0.98 and figures["asked_calm"] <= 0.08, figures


def test_own_probe_r21_figures_do_not_regress() -> None:
    # Written for issue 20's third round in the styles of the r21 outside set, committed and measured on main before
    # any change (P 0.938, R 0.922, R+asked 0.957, calm asked 0.018), never trained on; after: 0.965 / 0.957 / 0.974
    # / 0.018. Biased (the same hands wrote the fixes): a floor against regressions, not a measure of generalisation.
    result = evaluate(load_tsv(DATA / "probe_r21_own.tsv"))
    figures = {k: result[k] for k in ("precision", "recall", "recall_with_asked", "asked_calm")}
    assert figures["precision"] >= 0.95 and figures["recall"] >= 0.94, figures
    assert figures["recall_with_asked"] >= 0.96 and figures["asked_calm"] <= 0.05, figures


def test_corpus_metrics() -> None:
    _check(evaluate(load_tsv(DATA / "corpus.tsv")), recall=0.97, precision=0.93)


def test_dev_sample_metrics() -> None:
    if not DEV_SAMPLE.exists():
        pytest.skip(f"dev sample not available at {DEV_SAMPLE}")
    result = evaluate(load_tsv(DEV_SAMPLE))
    _check(result, recall=0.93, precision=0.93)
    assert result["recall_with_asked"] >= 0.97  # type: ignore[operator]  # "unsure" makes the bot ask


def test_evaluate_reports_misses(tmp_path: Path) -> None:
    path = tmp_path / "mini.tsv"
    path.write_text("label\tcategory\ttext\n1\tfire\thay fuego\n0\troutine\thay un bache\n1\tmedical\thola\n")
    result = evaluate(load_tsv(path))
    assert result["n"] == 3
    assert result["precision"] == 1.0
    assert result["recall"] == 0.5
    assert result["f1"] == 0.6667
    assert result["misses"] == [{"label": 1, "predicted": 0, "level": "calm", "category": "medical", "text": "hola"}]
    assert result["recall_by_category"] == {"fire": 1.0, "medical": 0.0}
    assert result["false_positive_rate_by_trap"] == {"routine": 0.0}


CATEGORIES = list(get_args(Category))


@pytest.mark.parametrize("category", CATEGORIES)
def test_safety_message_has_an_emergency_number(category: str) -> None:
    message = safety_message(category)
    assert re.search(r"\b(?:911|100|107)\b", message)
    assert len(message) < 400


@pytest.mark.parametrize(("category", "number"), [("fire", "100"), ("medical", "107"), ("violence", "911")])
def test_safety_message_uses_the_right_service(category: str, number: str) -> None:
    assert number in safety_message(category)


def test_gas_and_electric_point_to_the_distributor() -> None:
    assert "guardia de la distribuidora" in safety_message("gas")
    assert "guardia de la distribuidora" in safety_message("electric")
    extra = {"gas": "Guardia Ecogas 0800-555-3427"}
    assert safety_message("gas", extra).endswith("Guardia Ecogas 0800-555-3427")
    assert "Ecogas" not in safety_message("electric", extra)


def test_safety_message_unknown_category_falls_back() -> None:
    assert "911" in safety_message("volcano")


@pytest.mark.parametrize("text", ["h", "ayuda h", "se cae todo h", "ℎ", "hay fuego Ⓗ", "Ｈ", "h h h", "hh", "h."])
def test_silent_letters_never_crash(text: str) -> None:
    verdict = classify(text)
    assert verdict.level in ("urgent", "unsure", "calm")
