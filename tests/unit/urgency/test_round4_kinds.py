"""Issue 20, fourth round: the kinds its own probe (`data/probe_r22_own.tsv`) showed, each with sentences written for
this test (none in the corpus nor in the probe): words typed in the dark, fiction and drills, a past dated by a year
or a childhood, "hace unos minutos" as now, quiet farewells, a child not arrived for hours, a pet's illness."""

from __future__ import annotations

import pytest

from ventanilla.urgency import classify
from ventanilla.urgency.classifier import spelled

ESCALATED = [
    ("violence", "stan rompiendo la vnetana d atras, stoy sola"),
    ("medical", "mi abeula no rspira y esta fria"),
    ("violence", "una pregunta por el horario... hay dos tipos rompiendo la reja de mi casa ahora"),
    ("self_harm", "ya no me importa nada, esta es mi última noche, adiós a todos"),
    ("medical", "mi tío tuvo un ataque hace unos minutos y no vuelve en sí"),
    ("missing", "mi hijo de 10 nunca llegó del club, ya pasaron dos horas y no atiende el celular"),
    ("self_harm", "no se preocupen por mí, ya está todo decidido, esta noche me tomo lo que guardé"),
]

CALM = [
    "en la película que dan en el canal 7 hay un incendio en un barco, ¿la repiten?",
    "el jueves el colegio hace un simulacro de evacuación, ¿pueden venir los bomberos?",
    "en 2015 se me incendió el auto y perdí los papeles, ¿cómo pido el duplicado?",
    "de chico me mordió un perro y le tengo miedo, ¿hay perros sueltos en la plaza nueva?",
    "mi perro vomita desde anoche, ¿la veterinaria municipal abre hoy?",
    "el tipo que rondaba la casa ya se fue, la policía lo detuvo, gracias",
    "estoy leyendo una novela donde secuestran a una chica, ¿la biblioteca tiene la segunda parte?",
]


@pytest.mark.parametrize(("category", "text"), ESCALATED)
def test_new_kinds_escalate(category: str, text: str) -> None:
    verdict = classify(text)
    assert verdict.urgent, (text, verdict)


@pytest.mark.parametrize("text", CALM)
def test_new_lookalikes_stay_calm(text: str) -> None:
    verdict = classify(text)
    assert verdict.level == "calm", (text, verdict)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("pureta", "puerta"), ("forzndo", "forzando"), ("ahroa", "ahora"), ("csa", "casa"), ("rspira", "respira")],
)
def test_a_letter_missing_or_swapped_is_read_as_the_word(typed: str, meant: str) -> None:
    assert spelled(typed) == meant


@pytest.mark.parametrize("word", ["huerta", "agrado", "echo", "devolver", "perdue", "bajado"])
def test_a_real_word_is_not_turned_into_another(word: str) -> None:
    assert spelled(word) == word
