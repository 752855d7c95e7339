"""Immediate, calm safety answers (es-AR, voseo) for each urgency category."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

_MESSAGES: Final[dict[str, str]] = {
    "fire": (
        "Salí ya del lugar con todos y no vuelvas a entrar. Llamá a Bomberos al 100 (o al 911). "
        "Si hay humo, andá agachado y tapate nariz y boca; no uses el ascensor."
    ),
    "gas": (
        "Salí del lugar y abrí puertas y ventanas. No prendas luces, fuego ni aparatos, y no uses el celular adentro. "
        "Si podés, cerrá la llave de paso. Llamá a la guardia de la distribuidora de gas; "
        "si hay fuego o alguien se siente mal, al 100 (Bomberos) o al 107."
    ),
    "electric": (
        "No toques el cable ni nada que lo esté tocando (rejas, postes, agua) y mantené a todos lejos. "
        "Llamá a la guardia de la distribuidora eléctrica; si hay fuego, al 100, "
        "y si alguien recibió una descarga, al 107."
    ),
    "flood": (
        "Subí a un lugar alto con los chicos y las personas mayores. Si podés sin mojarte, cortá la luz del tablero. "
        "No cruces agua que corre, ni a pie ni en auto. Llamá al 911 o a Defensa Civil (103)."
    ),
    "structure": (
        "Alejate ya de la estructura y sacá a todos del lugar; no entres a buscar cosas. "
        "Llamá al 911, y si hay personas atrapadas, a Bomberos al 100."
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
    "explicit": (
        "Si hay riesgo para alguien, llamá ya al 911. Emergencias médicas: 107. Bomberos: 100. "
        "Contanos qué pasa y dónde, así te ayudamos."
    ),
    "none": "Si en algún momento es una emergencia, llamá al 911 (o al 107 para emergencias médicas).",
}


def safety_message(category: str, extra_lines: Mapping[str, str] | None = None) -> str:
    """The bot's first answer for an urgent message; unknown categories get the generic one."""
    message = _MESSAGES.get(category, _MESSAGES["explicit"])
    extra = (extra_lines or {}).get(category)
    return f"{message}\n{extra}" if extra else message
