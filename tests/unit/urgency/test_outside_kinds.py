"""The kinds of miss and false alarm issue 20 names, in writing styles the corpus lacked (voice dictation, teen
abbreviations, formal letters, regional speech, English and Portuguese, people writing for someone else, shop
customers). Written for this test, never in the corpus: they check the kinds, not the training examples."""

from __future__ import annotations

import pytest

from ventanilla.urgency import classify

ESCALATED = [
    ("medical", "eh hola mi tía está con la boca para un lado y no le sale la voz desde hace un rato"),
    ("medical", "Me dirijo a ustedes pues mi cuñado despertó con el rostro caído y no logra articular palabra."),
    ("medical", "mi cuñada está de 5 meses y le baja mucha sangre, estamos en el campo"),
    ("medical", "my uncle fell in the kitchen and is not breathing"),
    ("medical", "minha mãe desmaiou e não acorda"),
    ("medical", "bld mi primo se tomo como 20 pastillas y no se despierta q hago"),
    ("self_harm", "una pregunta, el raticida es mortal? lo quiero tomar yo esta noche"),
    ("missing", "mi sobrino de 12 no volvió de la escuela, el celu está apagado y ya es de noche"),
    ("health", "el abuelo del puesto no ha bajado al pueblo hace como 6 días, estaba enfermo"),
    ("violence", "buenas, ¿a qué hora abre rentas? hay un tipo en la puerta que no se va y me grita que abra"),
    ("violence", "quería saber por un trámite... no puedo hablar, está acá al lado mío, manden a alguien"),
    ("violence", "un chabón le está apuntando con un fierro al kiosquero, llamen a la cana"),
    ("fire", "chamo la casa del frente está prendida en candela y hay gente adentro"),
    ("fire", "the house next door is on fire, please help"),
    ("child", "en la puerta del súper hay un nene de 3 años solo llorando, nadie lo busca"),
    ("animal", "¿a quién llamo si un perro está mordiendo a un nene ahora mismo en la plaza?"),
    ("structure", "la marquesina del cine se está desprendiendo sobre la vereda donde pasa la gente"),
    ("fire", "queria saber cuando pasa la basura y otra cosa sale humo negro del techo de la casa de al lado"),
]

CALM = [
    "hay un árbol caído sobre la vereda",
    "se cayó un árbol arriba de un auto estacionado, no había nadie",
    "¿Me escuchan?",
    "sos un bot inútil, pasame con una persona",
    "por favor respondan",
    "necesito urgente dos docenas de medialunas para las 8, me las reservan?",
    "buenas del gimnasio? me quiero dar de baja urgente xq me mudo",
    "hi, which number do I call for an ambulance? just in case",
    "quería agradecer a los bomberos por lo del martes, ya está todo en orden",
    "vi en tiktok que se derrumbó un edificio en otra provincia, terrible",
    "el tema nuevo del festival es fuego 🔥 cuando sale la grilla?",
    "llamen a la ambulancia que perdió mi equipo otra vez 😂",
    "casi me atropella un auto en la esquina de la escuela, pongan un semáforo",
    "el cable que cuelga en la plaza es de la cámara, no tiene corriente",
    "mi suegra me va a matar si no llego con la partida hoy jaja",
]


@pytest.mark.parametrize(("category", "text"), ESCALATED)
def test_outside_kinds_escalate(category: str, text: str) -> None:
    verdict = classify(text)
    assert verdict.level == "urgent", verdict
    assert verdict.category == category, verdict


@pytest.mark.parametrize("text", CALM)
def test_outside_false_alarms_stay_calm(text: str) -> None:
    assert classify(text).level == "calm", classify(text)


def test_a_danger_far_away_is_asked_not_escalated() -> None:
    assert classify("hay humo a lo lejos").level == "unsure"
    assert classify("hay humo a lo lejos y viene para las casas").level == "urgent"


def test_a_short_aside_is_not_judged_alone() -> None:
    assert classify("quien hizo el mural de la plaza? me encantó").level == "calm"


def test_a_threat_at_the_door_is_violence_not_self_harm() -> None:
    verdict = classify("mi marido está borracho y dice que hoy me mata, estoy encerrada en el baño")
    assert verdict.level == "urgent" and verdict.category in ("gender_violence", "violence")


# Issue 20, third round: the styles of the next outside set (clinical jargon, formal letters, masked farewells, chain
# messages, animals in the street), written for this test, not in the corpus nor in the probe set.
ESCALATED_R21 = [
    ("self_harm", "jaja bueno nada, ya fue... igual ya lo decidí, mañana no voy a estar, les dejé una carta"),
    ("self_harm", "mi primo me escribió que esta noche se tira del viaducto y no contesta más"),
    (
        "violence",
        "Me dirijo a Uds. pues en este preciso instante un individuo ha ingresado al fondo y forcejea la ventana",
    ),
]

# Clinical words reach the rules, but the model has few clinical lines and reads "registro civil" as routine: asked.
ASKED_R21 = [
    "Varón de 64 años con dolor torácico opresivo y disnea, sudoroso, en la sala de espera del registro civil",
]

CALM_R21 = [
    "REENVIADO MUCHAS VECES: cuidado con los falsos médicos que entran a las casas, pasalo",
    "hay un gato muerto en la banquina de la ruta, quién lo levanta?",
    "vieron lo del incendio en el centro de Neuquén? tremendo, acá hay hidrantes?",
]


@pytest.mark.parametrize(("category", "text"), ESCALATED_R21)
def test_r21_styles_escalate(category: str, text: str) -> None:
    verdict = classify(text)
    assert verdict.level == "urgent", verdict
    assert verdict.category == category, verdict


@pytest.mark.parametrize("text", CALM_R21)
def test_r21_style_false_alarms_stay_calm(text: str) -> None:
    assert classify(text).level == "calm", classify(text)


@pytest.mark.parametrize("text", ASKED_R21)
def test_r21_clinical_words_are_at_least_asked(text: str) -> None:
    verdict = classify(text)
    assert verdict.level in ("urgent", "unsure") and verdict.category == "medical", verdict
