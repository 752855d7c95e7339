"""Reading the whole message, the meaning features and the answer that fits who writes and what happens."""

from __future__ import annotations

import re

import pytest

from ventanilla.urgency import classify, safety_message
from ventanilla.urgency.concepts import concept_features, sentences, situation
from ventanilla.urgency.model import shipped

# Written for these tests (not in the corpus): the danger comes last, after a routine matter.
LAST_LINE = [
    "buenas tardes, les escribo por la boleta de la tasa que vino con un recargo que no corresponde, ya la pagué en "
    "término. Aparte, mi vecino de 80 años está tirado en el patio y no contesta cuando lo llamo",
    "hola, una consulta por el horario del corralón municipal para llevar ramas. Y ahora mismo está saliendo "
    "mucho humo negro de la casa de enfrente",
]
CALM_TURNS = ["¿Me escuchan?", "hay un árbol caído sobre la vereda", "bot inútil, no servís para nada"]


def test_meaning_features_name_what_a_sentence_talks_about() -> None:
    feats = concept_features("a mi tía se le torció la boca y no puede hablar desde hace un rato")
    assert {"s body", "s symptom", "s now", "x symptom+now"} <= set(feats)
    unseen = concept_features("hace tres días que no vemos al vecino, vive solo y está enfermo")
    assert {"x no_contact+alone", "x days+vulnerable"} <= set(unseen)
    assert "x danger+handled" in concept_features("ayer hubo un incendio, ya lo apagaron")


def test_a_long_message_is_cut_into_sentences() -> None:
    assert len(sentences(LAST_LINE[0])) >= 2
    assert sentences("hay un bache") == ["hay un bache"]


@pytest.mark.parametrize("text", LAST_LINE)
def test_an_emergency_in_the_last_sentence_counts(text: str) -> None:
    assert classify(text).level == "urgent", classify(text)


@pytest.mark.parametrize("text", CALM_TURNS)
def test_chat_turns_insults_and_a_fallen_tree_are_not_escalated(text: str) -> None:
    assert not classify(text).urgent, classify(text)


def test_the_question_is_asked_below_escalation() -> None:
    urgent_at, ask_at = shipped().thresholds
    assert 0 < ask_at < urgent_at < 1


def test_a_witness_of_a_stroke_is_asked_about_the_person() -> None:
    text = "mi papá tiene la cara caída de un lado y no le salen las palabras"
    assert situation(text).witness
    answer = safety_message("medical", text=text)
    assert "¿La persona está consciente?" in answer
    assert "107" in answer
    assert "lo que te pasa" not in answer.lower()


def test_someone_at_risk_of_suicide_gets_the_first_person_answer_and_a_witness_another() -> None:
    own = safety_message("self_harm", text="ya no quiero vivir, tengo las pastillas juntadas")
    other = safety_message("self_harm", text="mi hermano dice que se quiere matar y se encerró")
    assert "Lo que te pasa importa" in own
    assert "Lo que te pasa" not in other and "no la dejes sola" in other
    assert "135" in own and "135" in other


def test_a_fallen_tree_is_not_a_building_collapse() -> None:
    tree = safety_message("structure", text="se cayó un árbol sobre un auto y hay una señora adentro")
    building = safety_message("structure", text="se derrumba la pared del edificio")
    assert "árbol" in tree and "cables" in tree
    assert "árbol" not in building and "estructura" in building


def test_a_neighbour_unseen_for_days_gets_the_police_to_open() -> None:
    answer = safety_message("health", text="la vecina vive sola, está enferma y no abre la puerta desde el viernes")
    assert "911" in answer and "entrar" in answer


@pytest.mark.parametrize(
    "text",
    [
        "mi papá tiene la cara caída de un lado",
        "mi hermano dice que se quiere matar",
        "la vecina grita y el marido le está pegando",
        "hay un hombre con un cuchillo en la plaza",
        "se cayó un árbol sobre un auto",
        "la vecina vive sola y no abre desde el viernes",
    ],
)
@pytest.mark.parametrize("category", ["medical", "self_harm", "gender_violence", "violence", "structure", "health"])
def test_every_answer_keeps_short_sentences_and_a_number(text: str, category: str) -> None:
    answer = safety_message(category, text=text)
    assert re.search(r"\b(?:911|107|100|103|135|144)\b", answer)
    for sentence in re.split(r"(?<=[.!?])\s+", answer):
        assert len(sentence) <= 140  # the widget's simplified mode splits longer sentences at commas and " y "
