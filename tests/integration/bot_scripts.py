"""Scripted multi-turn conversations, played through /ask and through the WhatsApp webhook alike.

A step is what the citizen sends (text, or a button as `Click`) and what the answer must (and must not) say.
Placeholders: {nro}/{pin}/{tid} name a ticket filed beforehand by somebody else (with an agent's message);
{mine} is the number of the ticket this conversation filed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Click:
    """A button: its action and payload (a WhatsApp option id carries both)."""

    action: str
    payload: dict[str, Any] | None = None
    texto: str = ""


@dataclass(frozen=True)
class Step:
    send: str | Click
    says: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    """Button actions the answer must offer."""


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[Step, ...]
    ticket: dict[str, Any] | None = None
    """Fields of the (non-urgent) ticket the conversation files; None: it files none."""
    web_only: bool = False
    urgent: bool = False
    """The conversation also raised an urgent ticket."""
    message_to_reference: str | None = None
    """Text that must have joined the reference ticket."""
    extra: dict[str, Any] = field(default_factory=dict)


def S(send: str | Click, *says: str, never: tuple[str, ...] = (), offers: tuple[str, ...] = ()) -> Step:
    return Step(send, tuple(says), never, offers)


CONTACT = S("Ana Gómez, ana@example.org", "Gracias, Ana")
YES = S("sí", "Registramos tu reclamo N.º")
LUZ = "Hay una luminaria apagada hace una semana"
BACHE = "Hay un bache enorme en mi cuadra"
WHERE = "¿Dónde es?"
WHAT = "qué pasó"
RESUME = "Sigamos con tu reclamo:"
SUMMARY = "resumen de tu reclamo"
NO_INFO = "No tengo esa información"

SCRIPTS: tuple[Script, ...] = (
    Script(
        "plain complaint in free text",
        (S(LUZ, WHERE), S("Av. San Martín 1234", SUMMARY, "Alumbrado público"), CONTACT, YES),
        {"categoria": "Alumbrado público", "direccion": "Av. San Martín 1234", "descripcion": LUZ},
    ),
    Script(
        "hours question while asked where",
        (
            S(BACHE, WHERE),
            S("¿cuál es el horario de atención?", "8:00", RESUME, WHERE, never=(SUMMARY,)),
            S("Mitre 550", SUMMARY),
            CONTACT,
            YES,
        ),
        {"descripcion": BACHE, "direccion": "Mitre 550", "categoria": "Baches y calles"},
    ),
    Script(
        "garbage-truck question while asked what happened",
        (
            S("quiero hacer un reclamo", "sobre qué tema"),
            S(Click("set_categoria", {"categoria": "Baches y calles"}, "Baches y calles"), WHAT),
            S("¿Qué días pasa el camión de la basura?", "camión recolector", RESUME, WHAT),
            S("Hay un pozo enorme frente a mi casa", WHERE),
            S("Belgrano 540", SUMMARY),
            CONTACT,
            YES,
        ),
        {"descripcion": "Hay un pozo enorme frente a mi casa", "categoria": "Baches y calles"},
    ),
    Script(
        "consult a ticket in the middle of the intake",
        (
            S("Hay basura tirada en la esquina de mi casa", WHERE),
            S("quiero consultar el estado de mi reclamo {nro}", "PIN", RESUME),
            S("PIN {pin}", "N.º {nro}", "«nuevo»", "Mañana pasa la cuadrilla", RESUME, WHERE),
            S("Mitre 300", SUMMARY),
            CONTACT,
            YES,
        ),
        {"categoria": "Residuos y limpieza", "direccion": "Mitre 300"},
    ),
    Script(
        "consult by button: number and PIN with a space",
        (
            S(Click("consultar_reclamo", None, "Consultar un reclamo"), "número y el PIN"),
            S("{nro} {pin}", "N.º {nro}", "«nuevo»", "Último mensaje", offers=("agregar_mensaje",)),
        ),
    ),
    Script(
        "consult: reclamo N pin P",
        (S("reclamo {nro} pin {pin}", "N.º {nro}", "«nuevo»"),),
    ),
    Script(
        "consult: N.º N, PIN P",
        (
            S(Click("consultar_reclamo", None, "Consultar un reclamo"), "PIN"),
            S("N.º {nro}, PIN {pin}", "N.º {nro}", "«nuevo»"),
        ),
    ),
    Script(
        "consult with a wrong PIN",
        (
            S(Click("consultar_reclamo"), "PIN"),
            S("{nro} 000000", "No encontré un reclamo N.º {nro} con ese PIN", never=("«nuevo»",)),
            S("{nro} {pin}", "«nuevo»"),
        ),
    ),
    Script(
        "consult then add a message",
        (
            S("reclamo {nro} pin {pin}", "«nuevo»", offers=("agregar_mensaje",)),
            S(Click("agregar_mensaje", {"ticket_id": "{tid}"}, "Agregar un mensaje"), "Escribí tu mensaje"),
            S("Sigue sin luz toda la cuadra", "sumé tu mensaje al reclamo N.º {nro}"),
        ),
        message_to_reference="Sigue sin luz toda la cuadra",
    ),
    Script(
        "own ticket consulted without PIN",
        (
            S(LUZ, WHERE),
            S("Av. San Martín 1234", SUMMARY),
            CONTACT,
            YES,
            S("quiero consultar el estado de mi reclamo", "N.º {mine}", "«nuevo»", offers=("agregar_mensaje",)),
            S("¿cómo va mi reclamo {mine}?", "N.º {mine}", "«nuevo»"),
        ),
        {"categoria": "Alumbrado público"},
    ),
    Script(
        "correct the address at the summary",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("no, la dirección es Belgrano 540", "corregí la dirección", "Belgrano 540", SUMMARY),
            YES,
        ),
        {"direccion": "Belgrano 540"},
    ),
    Script(
        "change the category at the summary",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("cambiá la categoría a Arbolado y espacios verdes", "corregí la categoría", "Arbolado"),
            YES,
        ),
        {"categoria": "Arbolado y espacios verdes"},
    ),
    Script(
        "perdón, quise decir: the address just given",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            S("perdón, quise decir Mitre 250", "corregí la dirección", "Mitre 250"),
            CONTACT,
            YES,
        ),
        {"direccion": "Mitre 250"},
    ),
    Script(
        "perdón, quise decir: the description, while asked where",
        (
            S(LUZ, WHERE),
            S("perdón, quise decir que la luminaria titila toda la noche", "corregí la descripción", WHERE),
            S("Mitre 100", SUMMARY, "titila toda la noche"),
            CONTACT,
            YES,
        ),
        {"descripcion": "que la luminaria titila toda la noche"},
    ),
    Script(
        "me equivoqué: it is somewhere else",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("me equivoqué, es en Mitre 200", "corregí la dirección", "Mitre 200"),
            YES,
        ),
        {"direccion": "Mitre 200"},
    ),
    Script(
        "correct the phone at the summary",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("no, mi teléfono es 261 555 9876", "corregí tu teléfono"),
            YES,
        ),
        {"telefono": "2615559876"},
    ),
    Script(
        "correct the name at the summary",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("perdón, mi nombre es Ana María Gómez", "corregí tu nombre", "Ana María Gómez"),
            YES,
        ),
        {"nombre_usuario": "Ana María Gómez"},
    ),
    Script(
        "change the category while describing",
        (
            S("quiero hacer un reclamo", "sobre qué tema"),
            S("agua", WHAT),
            S("cambiá la categoría a Ruidos molestos", "corregí la categoría", WHAT),
            S("Los vecinos ponen música fuerte toda la noche", WHERE),
            S("Sarmiento 230", SUMMARY),
            CONTACT,
            YES,
        ),
        {"categoria": "Ruidos molestos"},
    ),
    Script(
        "cancel mid-intake and start another",
        (
            S(BACHE, WHERE),
            S("cancelar", "cancelé el reclamo"),
            S("Se cayó un árbol en la vereda de mi casa", WHERE),
            S("Mitre 700", SUMMARY, "Arbolado"),
            CONTACT,
            YES,
        ),
        {"categoria": "Arbolado y espacios verdes", "direccion": "Mitre 700"},
    ),
    Script(
        "no at the summary asks what to correct; only an explicit cancel discards it, nothing is filed",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("no", "¿Qué dato querés corregir?", never=("cancelé",)),
            S("cancelá", "cancelé el reclamo"),
        ),
        None,
    ),
    Script(
        "the widget offers a photo with the contact request, never a step of its own",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY, "Si tenés una foto, mandala; si no, seguimos."),
            CONTACT,
            YES,
        ),
        {"direccion": "Mitre 550"},
        web_only=True,
    ),
    Script(
        "no at the summary, then the field and its value: the draft is kept and filed corrected",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            S("no tengo foto", "seguimos sin foto", never=("Gracias, No",)),
            CONTACT,
            S("no", "¿Qué dato querés corregir?"),
            S("la dirección", "Decime el lugar correcto"),
            S("Mitre 650", "corregí la dirección"),
            YES,
        ),
        {"direccion": "Mitre 650"},
    ),
    Script(
        "cancel by button then a question",
        (
            S(LUZ, WHERE),
            S(Click("cancelar_reclamo", None, "Cancelar"), "cancelé el reclamo"),
            S("¿A qué hora abren?", "8:00", never=(RESUME,)),
        ),
        None,
    ),
    Script(
        "start over mid-intake",
        (
            S(BACHE, WHERE),
            S("empezar de nuevo", "Empecemos de nuevo", "sobre qué tema"),
            S("Ruidos molestos", WHAT),
            S("Hay un boliche con música fuerte hasta las seis", WHERE),
            S("Mitre 900", SUMMARY),
            CONTACT,
            YES,
        ),
        {"categoria": "Ruidos molestos", "direccion": "Mitre 900"},
    ),
    Script(
        # Issue 21: the urgent ticket still gets what an agent needs, asked briefly while the citizen waits.
        "urgency mid-intake: the safety answer first, then where it is and a contact while waiting",
        (
            S(BACHE, WHERE),
            S("hay olor a gas muy fuerte en toda la cuadra", "URGENTE", "¿dónde es exactamente?", never=(WHERE,)),
            S("Mitre 300", "se lo pasé a la persona", never=("¿dónde",)),
            S("Ana Gómez 2614443322", never=("¿dónde", "teléfono para")),
            S("¿cuánto falta?", "primero en la lista"),
        ),
        None,
        urgent=True,
    ),
    Script(
        "unanswerable question",
        (S("¿Cuándo juega Boca?", NO_INFO, offers=("iniciar_reclamo", "request_agent")),),
        None,
    ),
    Script(
        "unanswerable question mid-intake",
        (
            S(BACHE, WHERE),
            S("¿Venden entradas para el teatro?", NO_INFO, RESUME, WHERE),
            S("Mitre 550", SUMMARY),
        ),
        None,
    ),
    Script(
        "a question that names a complaint topic, then the complaint",
        (
            S(
                "¿Qué días pasa el camión de la basura?",
                "camión recolector",
                "Residuos y limpieza",
                never=(WHAT, WHERE),
                offers=("iniciar_reclamo",),
            ),
            S(Click("iniciar_reclamo", {"categoria": "Residuos y limpieza"}, "Hacer un reclamo"), WHAT),
            S("No pasaron a buscar la basura en toda la semana", WHERE),
            S("Mitre 1200", SUMMARY),
            CONTACT,
            YES,
        ),
        {"categoria": "Residuos y limpieza"},
    ),
    Script(
        "Trámites y horarios, then a topic",
        (
            S(Click("info_tramites", None, "Trámites y horarios"), "trámites y horarios", offers=("kb_entry",)),
            S("licencia de conducir", "Dirección de Tránsito"),
        ),
    ),
    Script("driving licence question", (S("¿Cómo saco la licencia de conducir?", "Dirección de Tránsito"),)),
    Script("neutering question", (S("¿Dónde castro a mi perra?", "Zoonosis"),)),
    Script("municipal tax question", (S("¿Hasta cuándo se paga la tasa municipal?", "día 10"),)),
    Script(
        "pruning question offers a complaint",
        (S("¿Cuándo hacen la poda de los árboles?", "entre mayo y agosto", offers=("iniciar_reclamo",)),),
    ),
    Script(
        "consumer-protection question",
        (S("Tuve un problema con una compra, ¿dónde hago la denuncia al comercio?", "Sarmiento 230"),),
    ),
    Script(
        "tax question while asked the category",
        (
            S("quiero hacer un reclamo", "sobre qué tema"),
            S("¿Hasta cuándo se paga la tasa?", "día 10", RESUME, "sobre qué tema"),
            S("Alumbrado público", WHAT),
            S("La luz de la esquina titila toda la noche", WHERE),
            S("Mitre 10", SUMMARY),
            CONTACT,
            YES,
        ),
        {"categoria": "Alumbrado público"},
    ),
    Script(
        "an address that is not one is re-asked kindly, then a person is offered",
        (
            S(BACHE, WHERE),
            S("no sé", "calle con la altura"),
            S("por ahí", "calle con la altura"),
            S("cerca", "calle con la altura", "persona"),
            S("Mitre 100", SUMMARY),
        ),
        None,
    ),
    Script(
        "a description that is not one is re-asked",
        (
            S("quiero hacer un reclamo", "sobre qué tema"),
            S("Baches y calles", WHAT),
            S("no sé", "Necesito que me cuentes qué pasó"),
            S("La vereda está toda rota", WHERE),
        ),
        None,
    ),
    Script(
        "unknown categories three times, then a person is offered",
        (
            S("quiero hacer un reclamo", "sobre qué tema"),
            S("xyz", "No encontré esa categoría"),
            S("abc", "No encontré esa categoría"),
            S("qwe", "No encontré esa categoría", "persona", offers=("request_agent",)),
            S("agua", WHAT),
        ),
        None,
    ),
    Script(
        "whitespace only",
        (S("   ", "¿Qué querés hacer?"), S(BACHE, WHERE), S("   ", "No me llegó ningún texto", WHERE)),
        None,
    ),
    Script(
        "emoji only, and a thumbs-up that confirms",
        (
            S("🙂🙂", "solo emojis"),
            S(BACHE, WHERE),
            S("🎉", "solo emojis", WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("👍", "Registramos tu reclamo N.º"),
        ),
        {"direccion": "Mitre 550"},
    ),
    Script(
        "a 4,000-character description",
        (
            S("quiero hacer un reclamo", "sobre qué tema"),
            S("Baches y calles", WHAT),
            S(("La calle está rota " * 300)[:4000], WHERE),
        ),
        None,
    ),
    Script(
        "ask for a person mid-intake",
        (S(BACHE, WHERE), S("quiero hablar con una persona", "Te estamos conectando con una persona del equipo")),
        {"is_live_chat": True},
    ),
    Script("greeting and thanks", (S("hola", "¡Hola!"), S("muchas gracias", "¡De nada!")), None),
    Script(
        "menu mid-intake leaves the complaint",
        (S(BACHE, WHERE), S("menú", "¿Qué querés hacer?"), S("¿A qué hora abren?", "8:00", never=(RESUME,))),
        None,
    ),
    Script(
        "consult at the summary, then confirm",
        (
            S(BACHE, WHERE),
            S("Mitre 550", SUMMARY),
            CONTACT,
            S("¿cómo va mi reclamo {nro}? PIN {pin}", "«nuevo»", RESUME, SUMMARY),
            YES,
        ),
        {"direccion": "Mitre 550"},
    ),
    Script(
        "a question at the summary, then confirm",
        (S(BACHE, WHERE), S("Mitre 550", SUMMARY), CONTACT, S("¿a qué hora abren?", "8:00", RESUME, SUMMARY), YES),
        {"direccion": "Mitre 550"},
    ),
    Script(
        "a number without its PIN, then a wrong PIN",
        (
            S("quiero consultar el estado de mi reclamo 999999", "necesito el PIN"),
            S("PIN 111111", "No encontré un reclamo N.º 999999 con ese PIN"),
        ),
        None,
    ),
    Script(
        "topic change: from a complaint to a consult and back by button",
        (
            S(LUZ, WHERE),
            S("reclamo {nro} pin {pin}", "«nuevo»", RESUME, WHERE),
            S("Av. San Martín 1234", SUMMARY, "Alumbrado público"),
            CONTACT,
            YES,
        ),
        {"categoria": "Alumbrado público", "descripcion": LUZ},
    ),
)
