"""The rule for a citizen's messages after a complaint (bot/followup.py), as tables of Spanish examples."""

from __future__ import annotations

import datetime as dt

import pytest

from ventanilla.bot.followup import Does, Known, Says, decide, read
from ventanilla.bot.texts import DEFAULT_CATEGORIES

CATEGORIES = DEFAULT_CATEGORIES["municipio"]

READINGS = [
    ("sigue apagada", Says.PERSISTS),
    ("sigue igual", Says.PERSISTS),
    ("volvió a pasar", Says.PERSISTS),
    ("otra vez se apagó la luz", Says.PERSISTS),
    ("no vino nadie, todavía está roto", Says.PERSISTS),
    ("¿y cuándo vienen?", Says.ASKS),
    ("¿cuándo lo arreglan?", Says.ASKS),
    ("¿ya lo vieron?", Says.ASKS),
    ("ya saben algo?", Says.ASKS),
    ("hay novedades?", Says.NOTHING),  # a consult: the engine's look-up answers it (status and its buttons)
    ("quiero consultar el estado de mi reclamo", Says.NOTHING),
    ("además tiene los cables colgando, es peligroso", Says.ADDS),
    ("ahora está peor, hay chicos que juegan ahí", Says.ADDS),
    ("es justo frente a la panadería", Says.ADDS),
    ("OTRA COSA, LA LUZ DE LA ESQUINA TAMBIEN ESTA QUEMADA", Says.NEW),
    ("quiero hacer otro reclamo", Says.NEW),
    ("y ahora el otro, el del pozo", Says.NEW),
    ("la otra vez vinieron y sigue igual", Says.PERSISTS),
    ("gracias!", Says.NOTHING),
    ("hola", Says.NOTHING),
    ("ok", Says.NOTHING),
    ("quiero hablar con una persona", Says.NOTHING),
    ("¿a qué hora pasa el camión de la basura?", Says.NOTHING),
    ("el 14, pin 077877", Says.NOTHING),
    ("menú", Says.NOTHING),
]


@pytest.mark.parametrize(("text", "says"), READINGS)
def test_what_a_message_says_about_an_earlier_complaint(text: str, says: Says) -> None:
    assert read(text, attachment=False, categories=CATEGORIES).says is says


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("Buenísimo, gracias", True),
        ("hola", True),
        ("ok", True),
        ("¿a qué hora pasa el camión de la basura?", True),
        ("quiero hablar con una persona", False),
        ("menú", False),
        ("cancelar", False),
        ("el 14, pin 077877", False),
        ("quiero consultar el estado de mi reclamo", False),
    ],
)
def test_what_reads_as_an_answer_to_a_person(text: str, answers: bool) -> None:
    reading = read(text, attachment=False, categories=CATEGORIES)
    assert (reading.says, reading.answers) == (Says.NOTHING, answers)


def test_a_photo_adds_and_its_caption_is_read() -> None:
    assert read("", attachment=True, categories=CATEGORIES).says is Says.ADDS
    assert read("así está ahora", attachment=True, categories=CATEGORIES).says is Says.ADDS
    assert read("", attachment=False, categories=CATEGORIES).says is Says.NOTHING


HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def known(
    nro: int,
    *,
    closed: bool = False,
    idle: dt.timedelta = HOUR,
    here: bool = False,
    categoria: str = "Alumbrado público",
    direccion: str = "Belgrano 1200",
    agent_wrote: bool = False,
) -> Known:
    return Known(nro, nro, categoria, direccion, closed, idle, here, agent_wrote)


LAMP = known(7, here=True)
OLD_OPEN = known(3, idle=10 * DAY)
RESOLVED = known(5, closed=True, idle=2 * DAY)
RESOLVED_HERE = known(8, closed=True, idle=HOUR, here=True)
LONG_AGO = known(2, closed=True, idle=90 * DAY)
POTHOLE_RESOLVED = known(9, closed=True, idle=3 * DAY, categoria="Baches y calles", direccion="Mitre 500")
ANSWERED = known(10, here=True, agent_wrote=True)
"""The complaint this conversation filed, on which an agent wrote: the conversation is with that person now."""
ANSWERED_ELSEWHERE = known(11, agent_wrote=True)

DECISIONS = [
    # (text, complaints newest first, what is done, with which)
    ("sigue apagada", [LAMP], Does.ADD, [7]),
    ("además tiene los cables colgando", [LAMP], Does.ADD, [7]),
    ("hay un pozo enorme en Mitre 500", [LAMP], Does.NOTHING, []),  # another category: a new complaint
    ("la luz de Salta 300 también está quemada", [LAMP], Does.NOTHING, []),  # another place
    ("además tiene los cables colgando", [OLD_OPEN], Does.NOTHING, []),  # not this conversation's, not lately
    ("además tiene los cables colgando", [known(4)], Does.NOTHING, []),  # recent, but another conversation's
    ("además tiene los cables colgando", [known(6, here=True, idle=3 * DAY)], Does.NOTHING, []),  # long ago
    ("¿y cuándo vienen?", [LAMP], Does.STATUS, [7]),
    ("¿y cuándo vienen?", [OLD_OPEN], Does.STATUS, [3]),
    ("¿y cuándo vienen?", [OLD_OPEN, known(4, idle=5 * DAY)], Does.LIST, [3, 4]),
    ("¿y cuándo vienen?", [RESOLVED], Does.STATUS, [5]),
    ("sigue apagada", [RESOLVED_HERE], Does.REOPEN, [8]),
    ("sigue apagada", [RESOLVED], Does.REOPEN, [5]),
    ("volvió a pasar", [RESOLVED, POTHOLE_RESOLVED], Does.ASK_WHICH, [5, 9]),
    ("sigue apagada la luz", [RESOLVED, POTHOLE_RESOLVED], Does.REOPEN, [5]),  # the category says which
    ("sigue igual", [LONG_AGO], Does.NOTHING, []),  # resolved too long ago: a new complaint
    ("sigue igual", [OLD_OPEN], Does.ADD, [3]),
    ("gracias!", [LAMP], Does.NOTHING, []),
    ("sigue apagada", [], Does.NOTHING, []),
    # An agent wrote on this conversation's complaint: the citizen's answer is the agent's to read.
    ("Buenísimo, gracias", [ANSWERED], Does.ADD, [10]),
    ("ok, dale", [ANSWERED], Does.ADD, [10]),
    ("¿a qué hora pasa el camión de la basura?", [ANSWERED], Does.ADD, [10]),
    ("¿y cuándo vienen?", [ANSWERED], Does.STATUS, [10]),  # the status, and the question reaches the agent
    ("¿y a qué hora vienen mañana?", [ANSWERED], Does.ADD, [10]),
    ("hay un pozo enorme en Mitre 500", [ANSWERED], Does.NOTHING, []),  # a new problem is still a new complaint
    ("quiero hacer otro reclamo", [ANSWERED], Does.NOTHING, []),
    ("quiero hablar con una persona", [ANSWERED], Does.NOTHING, []),  # asked of the bot
    ("menú", [ANSWERED], Does.NOTHING, []),
    ("el 14, pin 077877", [ANSWERED], Does.NOTHING, []),
    ("Buenísimo, gracias", [ANSWERED_ELSEWHERE], Does.NOTHING, []),  # not this conversation's complaint
    ("Buenísimo, gracias", [known(12, here=True, idle=3 * DAY, agent_wrote=True)], Does.NOTHING, []),  # long ago
    ("Buenísimo, gracias", [known(13, here=True, closed=True, agent_wrote=True)], Does.NOTHING, []),
    ("sigue apagada", [known(14, here=True, closed=True, agent_wrote=True)], Does.REOPEN, [14]),
]


@pytest.mark.parametrize(("text", "complaints", "does", "which"), DECISIONS)
def test_what_is_done_with_it(text: str, complaints: list[Known], does: Does, which: list[int]) -> None:
    decision = decide(read(text, attachment=False, categories=CATEGORIES), complaints)
    assert (decision.does, [k.ticket_id for k in decision.tickets]) == (does, which)


def test_a_photo_goes_to_this_conversations_complaint_only_while_open() -> None:
    photo = read("", attachment=True, categories=CATEGORIES)
    assert decide(photo, [LAMP]).does is Does.ADD
    assert decide(photo, [RESOLVED_HERE]).does is Does.NOTHING
