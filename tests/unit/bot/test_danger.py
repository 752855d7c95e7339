"""How the bot reads the urgency verdict (bot/danger.py) against a table written by the bot21c engineer: alarm words
on ordinary complaints and things that are no emergency now are calm; danger now stays urgent."""

from __future__ import annotations

import pytest

from ventanilla.bot.danger import read, rules_alarm
from ventanilla.bot.intake import normalize
from ventanilla.bot.intents import is_complaint_statement
from ventanilla.bot.texts import DEFAULT_CATEGORIES
from ventanilla.urgency import classify

READINGS: list[tuple[str, str]] = [
    ("URGENTE: el foco de la esquina de Salta y Rioja está quemado hace una semana", "calm"),
    ("emergencia!! hay un bache enorme en Perú 300 desde hace meses", "calm"),
    ("URGENTE URGENTE", "unsure"),
    ("Rosa Quintana", "calm"),
    ("hay un árbol muy inclinado en la vereda de Chile 900 que se va a caer cualquier día", "calm"),
    ("un perro bravo suelto que corre a los que pasan en la plaza", "calm"),
    # The classifier reads a fallen sign at a bus stop as a danger; with nobody said to be hurt the bot asks
    # rather than deciding it away (a hazard the bot doubts is asked about, never turned calm).
    ("se cayó el cartel de la parada del micro en Mitre y Colón", "unsure"),
    ("hay olor a gas en todo el edificio y mi vecina se siente mal", "urgent"),
    ("se está prendiendo fuego la casa de al lado", "urgent"),
    ("un cable cortado tira chispas en la vereda y hay chicos jugando", "urgent"),
    ("un perro está atacando a una señora en la plaza ahora", "urgent"),
    # Round 3 (own words): a thing lying on the ground is asked about, a person lying there stays urgent; a lamp
    # "quemada" is burnt out; a greeting letter the model alone reads as self-harm, unsure of it, is asked about.
    # (The merged classifier of round 3 reads this one calm: the crash is over and the sign is a thing; never urgent.)
    ("la señal de contramano quedó tirada en el piso después del choque de anoche", "calm"),
    ("hay una señora tirada en el piso en la parada, no se mueve", "urgent"),
    ("la lamparita del farol de mi cuadra está quemada desde el lunes", "calm"),
    (
        "Muy buenas tardes, les saluda atentamente Haydée Correa, jubilada docente de 81 años, con mucho respeto",
        "unsure",
    ),
    (
        "Hace tres semanas que el taller mecánico de la esquina trabaja con la amoladora hasta la medianoche, mi "
        "hija tiene exámenes y no puede estudiar ni dormir.",
        "calm_or_unsure",
    ),
    # Round 5 (own words): the question answered before it is asked; danger said beside it still escalates.
    ("se cayó un poste de luz sobre la vereda de Cabildo 220, no hay nadie lastimado", "calm"),
    ("quise decir que se cayó un árbol, no una rama. nadie salió herido", "calm"),
    ("se cayó una pared encima de un señor y está sangrando, no hay nadie más lastimado", "urgent"),
    # Read by the learned model alone (no rule fires) and calm in words: its self-harm verdict stands.
    (
        "Estimados: les informo que he decidido poner fin a mi vida esta noche. Les dejo mi dirección, "
        "Belgrano 1500, para que no sea mi hija quien me encuentre.",
        "urgent",
    ),
]


@pytest.mark.parametrize(("text", "level"), READINGS)
def test_the_bot_reads_the_verdict_as_a_clerk(text: str, level: str) -> None:
    reports = is_complaint_statement(normalize(text), DEFAULT_CATEGORIES["municipio"])
    got = read(text, classify(text), reports_problem=reports).level
    assert got in ("calm", "unsure") if level == "calm_or_unsure" else got == level


@pytest.mark.parametrize(
    ("text", "alarm"),
    [
        ("ya no quiero vivir más", True),
        ("chau, me voy a matar", True),
        ("no quiero seguir con el reclamo", False),
        ("¿y cuándo lo arreglan? ya es la tercera vez que se quema", False),
    ],
)
def test_danger_in_a_message_that_reports_nothing(text: str, alarm: bool) -> None:
    assert rules_alarm(text) is alarm
