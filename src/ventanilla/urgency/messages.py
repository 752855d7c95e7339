"""Immediate, calm safety answers (es-AR, voseo) for each urgency category.

Written for the widget: sentences stay under 140 characters (its simplified reading mode splits longer ones at
commas and " y "), and long numbers use non-breaking hyphens (U+2011) so its phone linkifier, which turns runs of
nine or more digits into WhatsApp links, leaves them as phone numbers. `for_channel` turns them into plain hyphens
for WhatsApp, whose app makes them tappable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ventanilla.urgency.concepts import situation

NB_HYPHEN: Final = "\u2011"
SUICIDE_LINE: Final = f"0800{NB_HYPHEN}345{NB_HYPHEN}1435"

_MESSAGES: Final[dict[str, str]] = {
    "fire": (
        "Salí ya del lugar con todos y no vuelvas a entrar. Llamá a Bomberos al 100 (o al 911). "
        "Si hay humo, andá agachado y tapate nariz y boca; no uses el ascensor."
    ),
    "gas": (
        "Salí del lugar y abrí puertas y ventanas. No prendas luces, fuego ni aparatos, y no uses el celular adentro. "
        "Si podés, cerrá la llave de paso. Llamá a la guardia de la distribuidora de gas; "
        "si hay fuego o alguien se siente mal, al 100 (Bomberos) o al 107. Si hay una vida en riesgo ahora, al 911."
    ),
    "electric": (
        "No toques el cable ni nada que lo esté tocando (rejas, postes, agua) y mantené a todos lejos. "
        "Llamá a la guardia de la distribuidora eléctrica; si hay fuego, al 100, "
        "y si alguien recibió una descarga, al 107. Si hay una vida en riesgo ahora, al 911."
    ),
    "flood": (
        "Subí a un lugar alto con los chicos y las personas mayores. Si podés sin mojarte, cortá la luz del tablero. "
        "No cruces agua que corre, ni a pie ni en auto. Llamá al 911 o a Defensa Civil (103)."
    ),
    "structure": (
        "Alejate ya de la estructura y sacá a todos del lugar; no entres a buscar cosas. "
        "Llamá al 911, y si hay personas atrapadas, a Bomberos al 100. "
        "Si es por una tormenta, también atiende Defensa Civil al 103."
    ),
    "medical": (
        "Llamá ya al 107 (SAME, emergencias médicas) o al 911. Quedate con la persona y no la muevas si se golpeó; "
        "por teléfono te van a indicar qué hacer."
    ),
    "violence": (
        "Si estás en peligro, llamá ya al 911. Buscá un lugar seguro y no enfrentes a la persona. "
        "Si hay heridos, al 107. Por violencia de género también está la línea 144."
    ),
    "missing": (
        "Llamá ya al 911 y avisá a la seguridad del lugar. Quedate donde lo viste por última vez "
        "y tené a mano una foto y la ropa que llevaba."
    ),
    "animal": (
        "Alejate del animal y alejá a los chicos; no intentes agarrarlo. Si alguien fue mordido o picado, "
        "lavá la herida con agua y jabón y llamá al 107. Si el animal sigue suelto y es peligroso, al 911."
    ),
    "traffic": (
        "Si hay heridos, no los muevas y llamá al 107 (SAME) o al 911. Señalizá solo si no corrés riesgo "
        "y mantenete lejos del tránsito. Si hay fuego o gente atrapada, al 100."
    ),
    "health": (
        "Si hay personas con vómitos, mareos o dificultad para respirar, llamá al 107 (SAME). "
        "Aléjense del olor o del producto y no consuman el agua ni la comida sospechosa. "
        "Si hay un derrame o una nube química, al 100 o al 911."
    ),
    "self_harm": (
        "Gracias por escribirnos. Lo que te pasa importa, y no tenés que atravesarlo solo ni sola. "
        "Si estás en peligro ahora mismo, llamá al 911. "
        f"Podés hablar gratis y a cualquier hora con el Centro de Asistencia al Suicida: 135 o {SUICIDE_LINE}. "
        "Si es otra persona, quedate con ella y no la dejes sola."
    ),
    "gender_violence": (
        "Lo que te pasa no es tu culpa. Si estás en peligro ahora, llamá ya al 911. "
        "La Línea 144 te escucha gratis las 24 horas, con total reserva. "
        "Si podés, buscá un lugar seguro o a alguien de confianza. Podés seguir escribiéndonos acá."
    ),
    "child": (
        "Si un chico o una chica está en peligro ahora, llamá ya al 911. "
        "La Línea 102 atiende gratis por los derechos de niñas, niños y adolescentes. "
        "Si podés hacerlo sin riesgo, quedate cerca y no lo pierdas de vista."
    ),
    "explicit": (
        "Si hay riesgo para alguien, llamá ya al 911. Emergencias médicas: 107. Bomberos: 100. "
        "Contanos qué pasa y dónde, así te ayudamos."
    ),
    "none": "Si en algún momento es una emergencia, llamá al 911 (o al 107 para emergencias médicas).",
}

# Someone writes about another person's danger: questions and steps for the witness, not "lo que te pasa".
_FOR_WITNESS: Final[dict[str, str]] = {
    "medical": (
        "Llamá ya al 107 (SAME) o al 911 y decí dónde están. ¿La persona está consciente? ¿Respira? "
        "Si no respira, por teléfono te guían para hacer RCP. Quedate con ella, no la muevas si se golpeó "
        "y no le des de comer ni de tomar."
    ),
    "self_harm": (
        "Gracias por avisar. Si la persona está en peligro ahora, llamá al 911 y, si podés, no la dejes sola. "
        "Sacá de su alcance pastillas, armas o sogas. "
        f"El Centro de Asistencia al Suicida te orienta gratis, a cualquier hora: 135 o {SUICIDE_LINE}."
    ),
    "gender_violence": (
        "Si ella está en peligro ahora, llamá ya al 911 y decí la dirección. No la enfrentes vos al agresor. "
        "La Línea 144 atiende gratis las 24 horas, también a quien acompaña. Podés seguir escribiéndonos acá."
    ),
    "violence": (
        "Si alguien está en peligro ahora, llamá ya al 911 y decí la dirección. No intervengas: mantenete a salvo. "
        "Si hay heridos, al 107."
    ),
}
# Situations whose advice differs from their category's.
_TREE: Final = (
    "Alejate del árbol y no toques cables que haya arrastrado: pueden tener corriente. "
    "Si alguien quedó atrapado o herido, llamá al 911 o a Bomberos (100); si hay cables, también a la distribuidora. "
    "Por tormentas, Defensa Civil atiende al 103."
)
_UNSEEN: Final = (
    "Llamá al 911: la policía y el SAME (107) pueden entrar a ver cómo está la persona. "
    "No fuerces la puerta solo ni sola. Si conocés a algún familiar, avisale."
)


def safety_message(category: str, extra_lines: Mapping[str, str] | None = None, *, text: str = "") -> str:
    """The bot's first answer for an urgent message of `category` (unknown ones get the generic answer); `text`, the
    message itself, tells a witness from the person in danger and a fallen tree from a falling building."""
    message = _MESSAGES.get(category, _MESSAGES["explicit"])
    if text:
        seen = situation(text)
        if category == "structure" and seen.tree:
            message = _TREE
        elif category in ("health", "medical", "missing", "explicit") and seen.unseen:
            message = _UNSEEN
        elif seen.witness and category in _FOR_WITNESS:
            message = _FOR_WITNESS[category]
    extra = (extra_lines or {}).get(category)
    return f"{message}\n{extra}" if extra else message


def for_channel(text: str, channel: str) -> str:
    """Plain hyphens in numbers for WhatsApp; the widget keeps the non-breaking ones."""
    return text.replace(NB_HYPHEN, "-") if channel == "whatsapp" else text
