"""Kinds of failure of round 5, in our own words: courtesy is no complaint, a second problem at the same place, a
place made precise at the summary, a yes with a lead-in, English asking for help with a problem."""

from __future__ import annotations

import pytest

from ventanilla.bot import followup
from ventanilla.bot.engine import CreateComplaint
from ventanilla.bot.flow import better_place
from ventanilla.bot.intake import is_courtesy, is_pleasantry, normalize
from ventanilla.bot.intents import foreign_emergency, is_yes, split_problems
from ventanilla.bot.slots import Place
from ventanilla.bot.texts import DEFAULT_CATEGORIES

from .test_conversation import play

CATS = DEFAULT_CATEGORIES["municipio"]


@pytest.mark.parametrize(
    "text",
    [
        "Buenas tardes joven, ¿cómo le va? Espero que se encuentre muy bien. Perdón por la molestia.",
        "Hola chicos, que Dios los bendiga",
    ],
)
def test_courtesy_alone_is_a_greeting(text: str) -> None:
    assert is_pleasantry(normalize(text))
    (answer,) = play([text])
    assert answer.state.estado not in ("recolectando_info", "confirmando_reclamo")
    assert "No tengo esa información" not in answer.respuesta


def test_an_apology_for_writing_is_no_noise_complaint() -> None:
    (answer,) = play(["disculpe la molestia, en Lamadrid 740 hace un mes que no pasa el recolector"])
    assert answer.state.draft.categoria == "Residuos y limpieza"


@pytest.mark.parametrize(
    ("text", "nothing"),
    [
        ("Le agradezco muchísimo, que tenga un lindo día, saludos a todos", True),
        ("Hasta mañana, muy amables", True),
        ("gracias, y además ahora la luz de enfrente también está apagada", False),
    ],
)
def test_after_filing_courtesy_adds_nothing(text: str, nothing: bool) -> None:
    reading = followup.read(text, attachment=False, categories=CATS)
    assert (reading.says is followup.Says.NOTHING) is nothing
    assert is_courtesy(normalize(text)) or not nothing


def test_a_farewell_gets_a_farewell() -> None:
    (answer,) = play(["Bueno, hasta mañana."])
    assert "Hasta luego" in answer.respuesta


def test_a_second_problem_at_the_first_place() -> None:
    parts = split_problems(
        "en la esquina de Salta y Rioja hay un pozo enorme y además la luz de ahí está apagada", CATS
    )
    assert len(parts) == 2
    assert parts[1].endswith("en Salta y Rioja")


def test_one_problem_told_twice_is_not_split() -> None:
    assert len(split_problems("hay un pozo en Mitre 1500 y además el pozo está lleno de agua", CATS)) == 1


@pytest.mark.parametrize(
    ("before", "said", "after"),
    [
        ("SARMIENTO y TODOS", "Sarmiento 640", "Sarmiento 640"),
        ("Frente al colegio 4", "Perú 1100", "Frente al colegio 4, Perú 1100"),
        ("Barrio Bombal", "Olascoaga y Pellegrini", "Barrio Bombal, Olascoaga y Pellegrini"),
        ("Mitre 1200", "Mitre 1250", None),
    ],
)
def test_a_place_made_precise(before: str, said: str, after: str | None) -> None:
    better = better_place(before, Place(said))
    assert (better.text if better else None) == after


def test_the_street_of_a_landmark_at_the_summary() -> None:
    replies = play(
        [
            "frente al club Huracán hay un contenedor desbordado de basura",
            "Nilda Gómez 2614550099",
            "el club queda en Pedro Molina 900",
            "sí",
        ]
    )
    assert isinstance(replies[-1].effect, CreateComplaint)
    assert "Pedro Molina 900" in (replies[-1].effect.draft.ubicacion or "")


@pytest.mark.parametrize("text", ["ya, dale", "dale entonces", "bueno ya, mandalo"])
def test_a_yes_with_a_lead_in(text: str) -> None:
    assert is_yes(normalize(text))


def test_english_asking_help_with_a_problem_is_no_emergency() -> None:
    assert not foreign_emergency("could you help me to report a pothole on my street?")
    assert foreign_emergency("help me please, there is smoke everywhere")


def test_a_correction_after_saying_it_was_said_wrong() -> None:
    replies = play(
        [
            "hay un poste caído en la vereda de Boedo 330",
            "Lidia Sosa 2614887766",
            "perdón, me expresé mal, quise decir que es un árbol caído, no un poste",
        ]
    )
    assert replies[-1].state.draft.categoria == "Arbolado y espacios verdes"
    assert "corregí" in replies[-1].respuesta
