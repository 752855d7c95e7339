"""Kinds of failure read on round 5b, in our own words: a name at the end of a long message, closing words and
wishes are no name, "del barrio" in general names no barrio, a calm account needs no apology for anger, a bare
topic word is kept with a one-word description, and more ways to ask to join a reported problem."""

from __future__ import annotations

import pytest

from ventanilla.bot import duplicates
from ventanilla.bot.engine import respond
from ventanilla.bot.intake import normalize
from ventanilla.bot.intents import is_calm_account
from ventanilla.bot.model import ConversationState, Incoming
from ventanilla.bot.slots import find_address, find_name
from ventanilla.bot.texts import SORRY_AGAIN

from .test_conversation import MUNI, at_summary, play

_LONG_STORY = (
    "buen día, les cuento que en mi cuadra desde hace semanas el contenedor de la esquina está siempre lleno, "
    "los vecinos dejan bolsas alrededor, los perros las rompen y queda todo tirado en la vereda, a la tarde hay "
    "un olor feo y moscas, mis hijos juegan cerca y me preocupa, ya llamé una vez por teléfono pero no pude hablar "
    "con nadie, la dirección es Lavalle 455"
)


def test_a_name_at_the_end_of_a_long_message_is_whole() -> None:
    text = f"{_LONG_STORY}, desde ya muchas gracias por la atención, me llamo Rosaura Benítez"
    assert len(text) > 400
    assert find_name(text) == "Rosaura Benítez"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Cordialmente, Adolfo Ibáñez. Mi correo es aibanez@mail.com", "Adolfo Ibáñez"),
        ("bueno listo, ojalá lo arreglen pronto", None),
        ("Quedo a la espera de su respuesta. Saludos cordiales.", None),
    ],
)
def test_closing_words_and_wishes_are_no_name(text: str, name: str | None) -> None:
    assert find_name(text, bare=True, asked=True) == name


def test_the_neighbourhood_in_general_is_no_barrio() -> None:
    place = find_address("la gente del barrio camina por ahí de noche, es en Pedernera 1200")
    assert place is not None and "barrio" not in place.text.lower()
    named = find_address("en Pedernera 1200 del barrio Cementista")
    assert named is not None and "Cementista" in named.text


def test_a_calm_long_account_is_not_met_with_an_apology_for_anger() -> None:
    assert is_calm_account(_LONG_STORY, normalize(_LONG_STORY))
    shouted = "YA LLAMÉ MIL VECES Y NADIE VIENE, " + _LONG_STORY.upper()
    assert not is_calm_account(shouted, normalize(shouted))
    answer = respond(MUNI, ConversationState(), Incoming(text=_LONG_STORY))
    assert SORRY_AGAIN not in answer.respuesta


def _play_with_transcript(messages: list[str]) -> ConversationState:
    """Like the service: the citizen's turns so far travel in the state's transcript."""
    state = ConversationState()
    for text in messages:
        answer = respond(MUNI, ConversationState.from_json(state.to_json()), Incoming(text=text))
        said = [*state.transcript, {"role": "citizen", "text": text, "fecha": "2026-01-01T00:00:00"}]
        state = answer.state
        state.transcript = said
    return state


@pytest.mark.parametrize(("topic", "what"), [("bache", "enorme"), ("cloaca", "rebalsa")])
def test_a_bare_topic_word_is_kept_with_a_one_word_description(topic: str, what: str) -> None:
    state = _play_with_transcript(["hola", topic, what])
    assert state.draft.descripcion is not None
    assert normalize(topic) in normalize(state.draft.descripcion)
    assert normalize(what) in normalize(state.draft.descripcion)


def test_a_long_description_after_a_topic_word_stays_as_told() -> None:
    told = "hay un pozo muy profundo frente a la escuela"
    state = _play_with_transcript(["hola", "bache", told])
    assert state.draft.descripcion == told


@pytest.mark.parametrize(
    ("text", "choice"),
    [("sí, agregame al que ya está", "join"), ("anotame en ese", "join"), ("no, es otro problema", "other")],
)
def test_more_ways_to_join_a_reported_problem(text: str, choice: str) -> None:
    assert duplicates.read_answer(text, None) == choice


def test_the_surname_added_at_the_summary_completes_the_name() -> None:
    state = at_summary()  # the name given was "Ana"
    (answer,) = play(["Ana Quiroga"], state)
    assert answer.state.draft.nombre == "Ana Quiroga"
    (other,) = play(["Beatriz Quiroga"], at_summary())
    assert other.state.draft.nombre in ("Ana", "Beatriz Quiroga")  # another name is no completion of this one
