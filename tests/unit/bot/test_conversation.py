"""The conversation beyond the script: intents in every state, corrections, re-asks, knowledge, look-ups."""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.bot.engine import (
    AddMessage,
    BotSettings,
    CancelComplaint,
    ComplaintDraft,
    ConversationState,
    CreateComplaint,
    Incoming,
    LookupTicket,
    RequestAgent,
    TicketView,
    respond,
    ticket_found,
    ticket_not_found,
)
from ventanilla.bot.understanding import parse_correction, parse_lookup, usable_location
from ventanilla.knowledge import search, service
from ventanilla.knowledge.cli import demo_csv

KB = tuple(search.Item(i, e.title, e.answer, e.keywords) for i, e in enumerate(service.parse_csv(demo_csv()), 1))
MUNI = BotSettings("municipio", "Municipalidad de Godoy Cruz", live_chat_open=True, knowledge=KB)
VIEW = TicketView(ticket_id=901, nro_ticket=5, estado="en_proceso", fecha="01/12/2026 09:30", ultimo_mensaje="Vamos")


def play(messages: list[str | Incoming], state: ConversationState | None = None) -> list[Any]:
    """Run turns through a JSON round trip each, like the server does."""
    stored = (state or ConversationState()).to_json()
    replies = []
    for message in messages:
        incoming = message if isinstance(message, Incoming) else Incoming(text=message)
        reply = respond(MUNI, ConversationState.from_json(stored), incoming)
        stored = reply.state.to_json()
        replies.append(reply)
    return replies


def at_summary() -> ConversationState:
    draft = ComplaintDraft(
        categoria="Baches y calles",
        descripcion="Bache enorme",
        ubicacion="Mitre 550",
        nombre="Ana",
        telefono="2615551234",
    )
    return ConversationState(estado="confirmando_reclamo", draft=draft, awaiting="confirmacion")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 257382", (5, "257382")),
        ("reclamo 5 pin 257382", (5, "257382")),
        ("N.º 5, PIN 257382", (5, "257382")),
        ("Nro. 12 - pin: 4455", (12, "4455")),
        ("pin 4455 reclamo 12", (12, "4455")),
        ("quiero consultar el estado de mi reclamo 123", (123, None)),
        ("consultar reclamo", (None, None)),
        ("", (None, None)),
    ],
)
def test_parse_lookup(text: str, expected: tuple[int | None, str | None]) -> None:
    assert parse_lookup(text) == expected


@pytest.mark.parametrize(
    ("text", "at_summary", "expected"),
    [
        ("no, la dirección es Belgrano 540", False, ("ubicacion", "Belgrano 540")),
        ("cambiá la categoría a Baches", False, ("categoria", "Baches")),
        ("me equivoqué, es en Mitre 200", False, (None, "en Mitre 200")),
        ("perdón, quise decir Mitre 250", False, (None, "Mitre 250")),
        ("Perdón, mi nombre es Ana María", False, ("nombre", "Ana María")),
        ("no, mi teléfono es 261 555 9876", True, ("telefono", "261 555 9876")),
        ("la dirección es Belgrano 540", True, ("ubicacion", "Belgrano 540")),
        ("la dirección es Belgrano 540", False, None),
        ("no hay luz en toda la cuadra", False, None),
        ("la calle es un desastre", False, None),
    ],
)
def test_parse_correction(text: str, at_summary: bool, expected: tuple[str | None, str] | None) -> None:
    found = parse_correction(text, at_summary=at_summary)
    assert (None if found is None else (found.field, found.value)) == expected


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Mitre 550", True),
        ("Mitre y Belgrano", True),
        ("Plaza San Martín", True),
        ("frente a la escuela", True),
        ("Belgrano", False),
        ("no sé", False),
        ("por ahí", False),
    ],
)
def test_usable_location(text: str, ok: bool) -> None:
    assert usable_location(text) is ok


def test_a_question_mid_intake_is_answered_and_the_intake_resumes() -> None:
    replies = play(["Hay un bache enorme en mi cuadra", "¿cuál es el horario de atención?", "Mitre 550"])
    side = replies[1]
    assert "8:00" in side.respuesta and "Sigamos con tu reclamo: ¿Dónde es?" in side.respuesta
    assert side.pedir_info == "ubicacion" and side.accion_backend == "crear_reclamo"
    assert side.state.draft.descripcion == "Hay un bache enorme en mi cuadra"
    assert replies[2].state.draft.ubicacion == "Mitre 550" and replies[2].state.estado == "confirmando_reclamo"


def test_a_question_naming_a_complaint_topic_is_a_question() -> None:
    (reply,) = play(["¿Qué días pasa el camión de la basura?"])
    assert "camión recolector" in reply.respuesta and reply.accion_backend is None
    assert reply.state.estado == "conversacion_general" and reply.state.draft == ComplaintDraft()
    offer = next(b for b in reply.botones if b.action == "iniciar_reclamo")
    assert offer.payload == {"categoria": "Residuos y limpieza"}


def test_unknown_question_is_honest_with_buttons() -> None:
    (reply,) = play(["¿Cuándo juega Boca?"])
    assert reply.respuesta.startswith("No tengo esa información")
    assert {"iniciar_reclamo", "request_agent"} <= {b.action for b in reply.botones}


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("no, la dirección es Belgrano 540", "ubicacion", "Belgrano 540"),
        ("me equivoqué, es en Mitre 200", "ubicacion", "Mitre 200"),
        ("cambiá la categoría a Alumbrado público", "categoria", "Alumbrado público"),
        ("perdón, la descripción es hay dos baches", "descripcion", "hay dos baches"),
        ("no, mi email es ana@example.org", "email", "ana@example.org"),
    ],
)
def test_corrections_at_the_summary_change_the_field_and_show_it_again(text: str, field: str, value: str) -> None:
    (reply,) = play([text], at_summary())
    assert getattr(reply.state.draft, field) == value
    assert reply.state.estado == "confirmando_reclamo" and "Listo, corregí" in reply.respuesta
    assert "resumen" in reply.respuesta


def test_perdon_quise_decir_fixes_the_last_answer() -> None:
    replies = play(["Hay un bache enorme en mi cuadra", "Mitre 550", "perdón, quise decir Mitre 250"])
    assert replies[-1].state.draft.ubicacion == "Mitre 250"


def test_reasks_then_a_person() -> None:
    replies = play(["Hay un bache enorme en mi cuadra", "no sé", "por ahí", "cerca"])
    assert all(r.pedir_info == "ubicacion" for r in replies)
    assert "persona" not in replies[2].respuesta and "persona" in replies[3].respuesta
    assert replies[3].botones[0].action == "request_agent"


def test_optional_data_accepts_no_tengo_only_when_optional() -> None:
    state = at_summary()
    state.draft.telefono = None
    state.awaiting = "datos_personales"
    (reply,) = play(["no tengo"], state)
    assert reply.pedir_info == "datos_personales" and "teléfono o un email" in reply.respuesta


@pytest.mark.parametrize(
    ("message", "effect"),
    [
        ("cancelar", CancelComplaint),
        ("quiero hablar con una persona", RequestAgent),
        ("reclamo 5 pin 257382", LookupTicket),
        ("sí", CreateComplaint),
        ("👍", CreateComplaint),
    ],
)
def test_global_intents_at_the_summary(message: str, effect: type) -> None:
    (reply,) = play([message], at_summary())
    assert isinstance(reply.effect, effect)


def test_restart_and_menu_mid_intake() -> None:
    restarted = play(["Hay un bache enorme en mi cuadra", "empezar de nuevo"])[-1]
    assert restarted.pedir_info == "categoria" and restarted.state.draft.descripcion is None
    menu = play(["Hay un bache enorme en mi cuadra", "menú"])[-1]
    assert menu.state.estado == "inicio" and menu.accion_backend is None


def test_lookup_forms_and_the_pin_asked_after_the_number() -> None:
    (first,) = play(["quiero consultar el estado de mi reclamo 5"])
    assert first.effect == LookupTicket(5, None)
    state = ticket_not_found(MUNI, first.state, 5, pin_given=False).state
    (again,) = play(["257382"], state)
    assert again.effect == LookupTicket(5, "257382")


def test_wrong_pins_lock_the_lookup_in_the_conversation() -> None:
    state = ConversationState()
    for _ in range(5):
        reply = respond(MUNI, state, Incoming(text="5 000000"))
        assert isinstance(reply.effect, LookupTicket)
        state = ticket_not_found(MUNI, reply.state, 5, pin_given=True).state
    locked = respond(MUNI, state, Incoming(text="5 257382"))
    assert locked.effect is None and "Por seguridad" in locked.respuesta


def test_found_ticket_then_a_message_for_it() -> None:
    found = ticket_found(MUNI, ConversationState(), VIEW)
    assert "N.º 5" in found.respuesta and "en proceso" in found.respuesta and "Vamos" in found.respuesta
    assert found.botones[0].action == "agregar_mensaje" and found.botones[0].payload == {"ticket_id": 901}
    (ask,) = play([Incoming(action="agregar_mensaje", payload={"ticket_id": 901})], found.state)
    assert "Escribí tu mensaje" in ask.respuesta
    (sent,) = play(["¿Cuándo vienen?"], ask.state)
    assert sent.effect == AddMessage(901, "¿Cuándo vienen?")
    (refused,) = play([Incoming(action="agregar_mensaje", payload={"ticket_id": 7})], found.state)
    assert refused.effect is None and "Escribí tu mensaje" not in refused.respuesta


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "x" * 4000, "?" * 4000, "\u200b"])
def test_bad_input_gets_a_clear_answer_in_every_phase(text: str) -> None:
    for state in (
        ConversationState(),
        at_summary(),
        ConversationState(estado="recolectando_info", awaiting="ubicacion"),
    ):
        reply = respond(MUNI, state, Incoming(text=text))
        assert reply.respuesta and reply.effect is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("menú", True),
        ("empezar de nuevo", True),
        ("quiero hablar con una persona", True),
        ("reclamo 12", True),
        ("El de la esquina", False),
        ("gracias", False),
    ],
)
def test_bot_commands_reach_the_bot_while_an_agent_follows(text: str, expected: bool) -> None:
    from ventanilla.bot.engine import is_bot_command

    assert is_bot_command(text) is expected


def test_a_short_phone_is_named_and_an_optional_no_tengo_is_fine() -> None:
    state = at_summary()
    state.draft.telefono = None
    state.awaiting = "datos_personales"
    (reply,) = play(["mi cel es 1234"], state)
    assert "el teléfono (entre 6 y 15 dígitos)" in reply.respuesta
    (reply,) = play(["no tengo"], at_summary())
    assert "opcional" in reply.respuesta and reply.state.awaiting == "confirmacion"
