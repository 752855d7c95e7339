"""Round-3 behaviours of the dialogue, in the bot engineer's own words: two problems in one message, a cancel word
before a problem, a street completed by its number, a surname corrected, chat shorthand, matters of other offices."""

from __future__ import annotations

from ventanilla.bot.engine import CancelComplaint, RequestAgent, complaint_created
from ventanilla.bot.intents import split_problems
from ventanilla.bot.texts import DEFAULT_CATEGORIES

from .test_conversation import MUNI, play

CATEGORIES = DEFAULT_CATEGORIES["municipio"]


def test_two_problems_in_one_message_are_filed_one_after_the_other() -> None:
    replies = play(
        ["soy Inés Soria, 2615550101. Hay basura en Jujuy 400 y además la luz de Jujuy y Tucumán no anda", "sí"]
    )
    assert replies[0].state.draft.categoria == "Residuos y limpieza"
    done = complaint_created(MUNI, replies[-1].state, nro_ticket=3, pin="111222", estado="nuevo")
    assert "N.º 3" in done.respuesta
    assert done.state.draft.categoria == "Alumbrado público"
    assert done.state.draft.nombre == "Inés Soria"
    assert done.state.draft.ubicacion == "Jujuy y Tucumán"


def test_one_problem_with_two_things_is_not_split() -> None:
    assert split_problems("se tapó la alcantarilla y el agua entra a las casas en Lavalle 90", CATEGORIES) == [
        "se tapó la alcantarilla y el agua entra a las casas en Lavalle 90"
    ]


def test_a_cancel_word_before_a_problem_takes_the_problem() -> None:
    reply = play(["ya fue, no importa. hay un caballo suelto en la calle Pescara 300"])[-1]
    assert reply.effect is None
    assert reply.state.draft.categoria == "Animales sueltos"


def test_a_cancel_in_new_words_cancels() -> None:
    assert isinstance(play(["hay un pozo en Lavalle 50", "mejor otro día lo hago"])[-1].effect, CancelComplaint)


def test_a_street_is_completed_by_its_number_later() -> None:
    replies = play(["se rompió un caño y sale agua", "calle Montecaseros", "al 2300 más o menos"])
    assert replies[-1].state.draft.ubicacion == "calle Montecaseros al 2300"


def test_a_surname_is_corrected_alone() -> None:
    replies = play(["hay un pozo en Perú 90", "Laura Benitez 2614440000", "perdón, mi apellido es Benítez con tilde"])
    assert replies[-1].state.draft.nombre == "Laura Benítez"


def test_chat_shorthand_reaches_the_desk() -> None:
    assert "Zoonosis" in play(["q dias castran x la tarde?"])[-1].respuesta


def test_a_matter_of_another_office_is_not_answered_with_a_near_entry() -> None:
    reply = play(["donde hago la partida de nacimiento?"])[-1]
    assert "No tengo esa información" in reply.respuesta


def test_the_learned_model_takes_a_new_wording_of_a_person() -> None:
    assert isinstance(play(["prefiero explicarle esto a alguien de carne y hueso"])[-1].effect, RequestAgent)
