"""Tests for the pure bot state machine (web widget and WhatsApp flows)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ventanilla.bot.engine import (
    REQUEST_AGENT_BUTTON,
    BotReply,
    BotSettings,
    Button,
    ButtonGroup,
    CancelComplaint,
    ComplaintDraft,
    ConversationState,
    CreateComplaint,
    Incoming,
    LookupTicket,
    RequestAgent,
    complaint_created,
    is_agent_request,
    live_chat_closed,
    live_chat_requested,
    own_tickets,
    respond,
)

MUNI_OPEN = BotSettings("municipio", "Municipalidad de Godoy Cruz", live_chat_open=True)
MUNI_CLOSED = BotSettings(
    "municipio", "Municipalidad de Godoy Cruz", live_chat_open=False, closed_message="Volvemos el lunes a las 9:00."
)
PYME = BotSettings("pyme", "Panadería La Espiga", live_chat_open=True)


def actions(reply: BotReply) -> list[str | None]:
    return [b.action for b in reply.botones]


def widget_update(contexto: dict[str, Any], wire: dict[str, Any]) -> dict[str, Any]:
    """Mimic how the React widget updates its context from our response."""
    ctx = json.loads(json.dumps(contexto))
    datos = ctx["datos_reclamo"]
    for src, dst in (
        ("categoria", "categoria"),
        ("descripcion", "descripcion"),
        ("ubicacion", "ubicacion"),
        ("nombre_usuario_detectado", "nombre_ciudadano"),
        ("telefono_detectado", "telefono_ciudadano"),
        ("email_detectado", "email_ciudadano"),
    ):
        value = (wire.get("datos_estructura") or {}).get(src)
        if value:
            datos[dst] = value
    if wire.get("ticket_id"):
        ctx["estado_conversacion"] = "reclamo_creado"
        ctx["id_ticket_creado"] = wire["ticket_id"]
    elif wire.get("accion_backend") == "crear_reclamo":
        ctx["estado_conversacion"] = "recolectando_info" if wire.get("pedir_info") else "confirmando_reclamo"
    return ctx


def empty_contexto() -> dict[str, Any]:
    return {
        "estado_conversacion": "inicio",
        "datos_reclamo": dict.fromkeys(
            (
                "categoria",
                "descripcion",
                "ubicacion",
                "nombre_ciudadano",
                "telefono_ciudadano",
                "email_ciudadano",
                "dni_ciudadano",
            ),
        ),
        "historial_conversacion": [],
        "id_ticket_creado": None,
    }


def whatsapp_turns(settings: BotSettings, messages: list[str]) -> tuple[list[BotReply], ConversationState]:
    """Text-only channel: the server stores state as JSON between turns."""
    stored = ConversationState().to_json()
    replies = []
    for text in messages:
        reply = respond(settings, ConversationState.from_json(stored), Incoming(text=text))
        stored = reply.state.to_json()
        replies.append(reply)
    return replies, ConversationState.from_json(stored)


# --- greeting / menu -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "agent_button", "first_action"),
    [
        (MUNI_OPEN, True, "iniciar_reclamo"),
        (MUNI_CLOSED, False, "iniciar_reclamo"),
        (PYME, True, "iniciar_reclamo"),
        (BotSettings("pyme", "X", live_chat_open=False), False, "iniciar_reclamo"),
    ],
)
def test_greeting_menu_and_agent_button(settings: BotSettings, agent_button: bool, first_action: str) -> None:
    dirty = ConversationState(estado="confirmando_reclamo", draft=ComplaintDraft(categoria="Otros"))
    reply = respond(settings, dirty, Incoming(action="initial_greeting"))
    assert reply.respuesta.startswith(f"¡Hola! Soy el asistente virtual de {settings.entity_name}")
    assert (REQUEST_AGENT_BUTTON in reply.botones) is agent_button
    assert reply.botones[0].action == first_action
    assert {"consultar_reclamo", "info_tramites"} <= set(actions(reply))
    assert reply.state == ConversationState()
    assert reply.effect is None


def test_pyme_menu_wording() -> None:
    reply = respond(PYME, ConversationState(), Incoming(action="initial_greeting"))
    assert reply.botones[0].texto == "Hacer un pedido / consulta"


@pytest.mark.parametrize(
    ("text", "expected_start"),
    [
        ("hola", "¡Hola!"),
        ("Buen día!", "¡Hola!"),
        ("gracias", "¡De nada!"),
        ("Muchas gracias!!", "¡De nada!"),
        ("menú", "¿Qué querés hacer?"),
        ("ayuda", "¿Qué querés hacer?"),
        ("", "¿Qué querés hacer?"),
        ("   ", "¿Qué querés hacer?"),
        ("cuál es la capital de Francia", "No tengo esa información"),
        ("zzz qwerty", "Perdón, no entendí"),
    ],
)
def test_small_talk_returns_menu(text: str, expected_start: str) -> None:
    reply = respond(MUNI_OPEN, ConversationState(), Incoming(text=text))
    assert reply.respuesta.startswith(expected_start)
    assert "iniciar_reclamo" in actions(reply)
    assert REQUEST_AGENT_BUTTON in reply.botones
    assert reply.effect is None


@pytest.mark.parametrize(("settings", "has_agent"), [(MUNI_OPEN, True), (MUNI_CLOSED, False)])
def test_fallback_agent_button_only_when_open(settings: BotSettings, has_agent: bool) -> None:
    reply = respond(settings, ConversationState(), Incoming(text="zzz qwerty"))
    assert (REQUEST_AGENT_BUTTON in reply.botones) is has_agent
    assert ("representante" in reply.respuesta) is has_agent
    assert reply.state.estado == "conversacion_general"


@pytest.mark.parametrize(
    ("incoming", "needle"),
    [
        (Incoming(action="consultar_reclamo"), "PIN"),
        (Incoming(text="quiero consultar el estado de mi reclamo"), "PIN"),
        (Incoming(action="info_tramites"), "horarios"),
        (Incoming(text="¿Qué horario de atención tienen?"), "horarios"),
    ],
)
def test_consult_and_info_guidance(incoming: Incoming, needle: str) -> None:
    reply = respond(MUNI_OPEN, ConversationState(), incoming)
    if isinstance(reply.effect, LookupTicket):
        # The service first looks for the citizen's own tickets; with none, the guidance asks for number and PIN.
        assert reply.effect == LookupTicket(None, None)
        reply = own_tickets(MUNI_OPEN, reply.state, [])
    assert needle in reply.respuesta
    assert reply.effect is None
    assert reply.accion_backend is None


# --- intake by actions (web widget) --------------------------------------------------------------


def test_full_web_intake_by_actions() -> None:
    ctx = empty_contexto()

    def send(**kwargs: Any) -> dict[str, Any]:
        nonlocal ctx
        reply = respond(MUNI_OPEN, ConversationState.from_contexto(ctx), Incoming(**kwargs))
        wire = reply.to_wire()
        ctx = widget_update(ctx, wire)
        return wire

    wire = send(text="Hacer un reclamo", action="iniciar_reclamo")
    assert (wire["accion_backend"], wire["pedir_info"]) == ("crear_reclamo", "categoria")
    cat_buttons = [b for b in wire["botones"] if b.get("action") == "set_categoria"]
    assert len(cat_buttons) == 9
    assert cat_buttons[0] == {
        "texto": "Alumbrado público",
        "action": "set_categoria",
        "payload": {"categoria": "Alumbrado público"},
    }
    assert ctx["estado_conversacion"] == "recolectando_info"

    wire = send(text="Alumbrado público", action="set_categoria", payload={"categoria": "Alumbrado público"})
    assert wire["pedir_info"] == "descripcion"
    assert wire["datos_estructura"] == {"categoria": "Alumbrado público"}

    wire = send(text="La luminaria de la esquina está apagada hace dos semanas")
    assert wire["pedir_info"] == "ubicacion"
    assert "ubicación" in wire["respuesta"]
    assert ctx["datos_reclamo"]["descripcion"].startswith("La luminaria")

    wire = send(action="user_provided_location", latitud=-32.9275, longitud=-68.8443)
    assert wire["accion_backend"] == "crear_reclamo"
    assert "pedir_info" not in wire
    assert ctx["estado_conversacion"] == "confirmando_reclamo"
    assert wire["botones"] == [
        {"texto": "Confirmar reclamo", "action": "confirmar_reclamo"},
        {"texto": "Completar mis datos", "action": "iniciar_creacion_reclamo"},
        {"texto": "Cancelar", "action": "cancelar_reclamo"},
    ]
    assert "Resumen" in wire["respuesta"] or "resumen" in wire["respuesta"]

    # Widget sends empty personal data (anonymous user): we must ask for it.
    wire = send(action="confirmar_reclamo", datos_personales={"nombre": None, "email": "", "telefono": None})
    assert wire["pedir_info"] == "datos_personales"
    assert {"texto": "Completar mis datos", "action": "iniciar_creacion_reclamo"} in wire["botones"]

    # Widget form submitted.
    reply = respond(
        MUNI_OPEN,
        ConversationState.from_contexto(ctx),
        Incoming(
            action="confirmar_reclamo",
            datos_personales={"nombre": "Ana López", "email": "Ana@Mail.com", "telefono": None, "dni": "30.123.456"},
        ),
    )
    assert isinstance(reply.effect, CreateComplaint)
    draft = reply.effect.draft
    assert draft.categoria == "Alumbrado público"
    assert draft.descripcion == "La luminaria de la esquina está apagada hace dos semanas"
    assert (draft.latitud, draft.longitud) == (-32.9275, -68.8443)
    assert draft.ubicacion is not None
    assert (draft.nombre, draft.email, draft.telefono, draft.dni) == ("Ana López", "ana@mail.com", None, "30123456")

    done = complaint_created(MUNI_OPEN, reply.state, nro_ticket=123, pin="4567", estado="nuevo", ticket_id=9001)
    wire = done.to_wire()
    assert wire["respuesta"].startswith("¡Listo! Registramos tu reclamo N.º 123")
    assert "4567" in wire["respuesta"] and "Guardá este PIN" in wire["respuesta"]
    # The ticket's id (what the widget joins) and its number (what the citizen reads) are distinct.
    assert wire["ticket_id"] == 9001
    assert done.state.estado == "reclamo_creado"
    assert (done.state.ticket_id, done.state.nro_ticket) == (9001, 123)
    assert wire["contexto_actualizado"]["id_ticket_creado"] == 9001
    assert "iniciar_reclamo" in actions(done)


def test_set_categoria_with_junk_payload_reasks() -> None:
    state = ConversationState(estado="recolectando_info", awaiting="categoria")
    reply = respond(MUNI_OPEN, state, Incoming(action="set_categoria", payload="not a dict", text="???"))
    assert reply.pedir_info == "categoria"
    assert "No encontré" in reply.respuesta


def test_location_without_coordinates_asks_address() -> None:
    state = ConversationState(
        estado="recolectando_info", draft=ComplaintDraft(categoria="Otros", descripcion="Algo roto en la vereda")
    )
    reply = respond(MUNI_OPEN, state, Incoming(action="user_provided_location", latitud=float("nan")))
    assert reply.pedir_info == "ubicacion"
    assert "No pude leer" in reply.respuesta


# --- intake by free text (WhatsApp) --------------------------------------------------------------


def test_full_whatsapp_intake_by_free_text() -> None:
    replies, state = whatsapp_turns(
        MUNI_OPEN,
        [
            "hola",
            "hay un bache enorme en mi cuadra",
            "San Martín 1234, Godoy Cruz",
            "Juan Pérez, juan@x.com, 261 555 1234, DNI 30123456",
            "sí",
        ],
    )
    assert replies[1].pedir_info == "ubicacion"
    assert replies[1].datos_estructura == {
        "categoria": "Baches y calles",
        "descripcion": "hay un bache enorme en mi cuadra",
    }
    assert replies[2].state.estado == "confirmando_reclamo"
    assert "nombre" in replies[2].respuesta
    detected = replies[3].datos_estructura or {}
    assert detected["nombre_usuario_detectado"] == "Juan Pérez"
    assert detected["email_detectado"] == "juan@x.com"
    assert detected["telefono_detectado"] == "2615551234"
    assert "¿Confirmás" in replies[3].respuesta
    effect = replies[4].effect
    assert isinstance(effect, CreateComplaint)
    assert effect.draft == ComplaintDraft(
        categoria="Baches y calles",
        descripcion="hay un bache enorme en mi cuadra",
        ubicacion="San Martín 1234, Godoy Cruz",
        nombre="Juan Pérez",
        email="juan@x.com",
        telefono="2615551234",
        dni="30123456",
    )
    assert state.estado == "confirmando_reclamo"


def test_whatsapp_intake_step_by_step_with_partial_personal_data() -> None:
    replies, _ = whatsapp_turns(
        MUNI_OPEN,
        [
            "quiero hacer un reclamo",
            "3",
            "No pasan a buscar la basura hace una semana en Mitre 550",
            "Soy María González",
            "mi cel es 11 4444-5555",
            "dale",
        ],
    )
    assert [r.pedir_info for r in replies[:3]] == ["categoria", "descripcion", None]
    assert replies[2].state.draft.ubicacion == "Mitre 550"
    assert replies[3].pedir_info == "datos_personales"
    assert "email o teléfono" in replies[3].respuesta
    effect = replies[5].effect
    assert isinstance(effect, CreateComplaint)
    assert effect.draft.categoria == "Residuos y limpieza"
    assert (effect.draft.nombre, effect.draft.telefono, effect.draft.email) == ("María González", "1144445555", None)


def test_whatsapp_category_by_name_and_unknown_category() -> None:
    replies, _ = whatsapp_turns(MUNI_OPEN, ["reclamo", "xyz", "agua", "Sale agua de la vereda sin parar"])
    assert replies[1].pedir_info == "categoria" and "No encontré" in replies[1].respuesta
    assert replies[2].state.draft.categoria == "Agua y cloacas"
    assert replies[3].pedir_info == "ubicacion"


def test_confirming_text_not_understood_repeats_summary() -> None:
    draft = ComplaintDraft(
        categoria="Otros", descripcion="Algo pasa", ubicacion="Mitre 1", nombre="Ana", email="a@b.co"
    )
    state = ConversationState(estado="confirmando_reclamo", draft=draft, awaiting="confirmacion")
    reply = respond(MUNI_OPEN, state, Incoming(text="mmm tal vez"))
    assert reply.respuesta.startswith("No te entendí.")
    assert reply.effect is None
    assert actions(reply) == ["confirmar_reclamo", "cancelar_reclamo"]


@pytest.mark.parametrize(
    ("text", "categoria"),
    [
        ("hay un bache enorme en mi cuadra", "Baches y calles"),
        ("el poste de luz de mi cuadra no anda", "Alumbrado público"),
        ("no pasó la recolección de basura", "Residuos y limpieza"),
        ("se cayó una rama de un árbol en la plaza", "Arbolado y espacios verdes"),
        ("hay una pérdida de agua en un caño", "Agua y cloacas"),
        ("el semáforo de la esquina no funciona", "Tránsito y señalización"),
        ("los vecinos tienen música fuerte toda la noche", "Ruidos molestos"),
        ("hay un perro suelto que muerde", "Animales sueltos"),
        ("hay un caballo suelto en la ruta", "Animales sueltos"),
        ("reclamo por falta de luz en la calle", "Alumbrado público"),
    ],
)
def test_keyword_category_inference_starts_intake(text: str, categoria: str) -> None:
    reply = respond(MUNI_OPEN, ConversationState(), Incoming(text=text))
    assert reply.state.draft.categoria == categoria
    assert reply.state.draft.descripcion == text
    assert reply.accion_backend == "crear_reclamo"
    assert reply.pedir_info == "ubicacion"
    assert (reply.datos_estructura or {})["categoria"] == categoria


def test_address_in_first_message_skips_location_question() -> None:
    reply = respond(MUNI_OPEN, ConversationState(), Incoming(text="Hay un bache gigante en Avenida San Martín 1500"))
    assert reply.state.draft.ubicacion == "Avenida San Martín 1500"
    assert reply.state.estado == "confirmando_reclamo"


def test_custom_categories_are_used() -> None:
    settings = BotSettings("municipio", "X", True, categories=("Luminarias", "Otros"))
    reply = respond(settings, ConversationState(), Incoming(action="iniciar_reclamo"))
    assert [b.texto for b in reply.botones] == ["Luminarias", "Otros", "Cancelar"]
    reply = respond(settings, reply.state, Incoming(text="luminarias"))
    assert reply.state.draft.categoria == "Luminarias"


def test_pyme_intake() -> None:
    menu = respond(PYME, ConversationState(), Incoming(action="iniciar_reclamo"))
    assert [b.texto for b in menu.botones] == ["Consulta", "Pedido", "Reclamo", "Otros", "Cancelar"]
    assert respond(PYME, menu.state, Incoming(text="2")).state.draft.categoria == "Pedido"
    replies, _ = whatsapp_turns(PYME, ["quiero hacer un pedido", "Dos docenas de medialunas para el sábado"])
    assert replies[0].state.draft.categoria == "Pedido"
    assert replies[0].pedir_info == "descripcion"
    assert replies[1].pedir_info == "ubicacion"
    done = complaint_created(PYME, replies[1].state, nro_ticket=5, pin="1111", estado="")
    assert done.respuesta.startswith("¡Listo! Registramos tu solicitud N.º 5.")


# --- confirm / cancel --------------------------------------------------------------------------------


COMPLETE = ComplaintDraft(categoria="Baches y calles", descripcion="Bache grande", ubicacion="Mitre 100")


@pytest.mark.parametrize(
    ("draft", "datos", "pedir_info", "needle"),
    [
        (ComplaintDraft(categoria="Otros"), {"nombre": "Ana", "email": "a@b.co"}, "descripcion", "faltan"),
        (COMPLETE, None, "datos_personales", "tu nombre y un email o teléfono"),
        (COMPLETE, {"nombre": "Ana"}, "datos_personales", "email o teléfono"),
        (COMPLETE, {"email": "a@b.co"}, "datos_personales", "tu nombre"),
        (COMPLETE, {"nombre": "Ana", "email": "no-es-email"}, "datos_personales", "el email"),
        (COMPLETE, {"nombre": "Ana", "telefono": "123"}, "datos_personales", "el teléfono"),
        (COMPLETE, {"nombre": "Ana", "email": "a@b.co", "dni": "12"}, "datos_personales", "el DNI"),
    ],
)
def test_confirm_with_missing_or_invalid_data_asks(
    draft: ComplaintDraft, datos: dict[str, Any] | None, pedir_info: str, needle: str
) -> None:
    state = ConversationState(estado="confirmando_reclamo", draft=ComplaintDraft(**draft.to_dict()))
    reply = respond(MUNI_OPEN, state, Incoming(action="confirmar_reclamo", datos_personales=datos))
    assert reply.effect is None
    assert reply.accion_backend == "crear_reclamo"
    assert reply.pedir_info == pedir_info
    assert needle in reply.respuesta
    if pedir_info == "datos_personales":
        assert "iniciar_creacion_reclamo" in actions(reply)


@pytest.mark.parametrize(
    ("datos", "expected"),
    [
        ({"nombre": "Ana", "email": "ana@mail.com"}, ("Ana", "ana@mail.com", None, None)),
        ({"nombre": "Ana", "telefono": "+54 9 261 555-1234"}, ("Ana", None, "+5492615551234", None)),
        (
            {"nombre": " Ana  Paz ", "telefono": 2615551234, "dni": "30123456"},
            ("Ana Paz", None, "2615551234", "30123456"),
        ),
    ],
)
def test_confirm_complete_creates_complaint(datos: dict[str, Any], expected: tuple[str | None, ...]) -> None:
    state = ConversationState(estado="confirmando_reclamo", draft=ComplaintDraft(**COMPLETE.to_dict()))
    reply = respond(MUNI_OPEN, state, Incoming(action="confirmar_reclamo", datos_personales=datos))
    assert isinstance(reply.effect, CreateComplaint)
    d = reply.effect.draft
    assert (d.nombre, d.email, d.telefono, d.dni) == expected
    assert (d.categoria, d.descripcion, d.ubicacion) == ("Baches y calles", "Bache grande", "Mitre 100")
    assert reply.respuesta
    assert reply.effect.draft is not reply.state.draft


@pytest.mark.parametrize(
    ("state", "incoming"),
    [
        (
            ConversationState(estado="recolectando_info", draft=ComplaintDraft(categoria="Otros")),
            Incoming(action="cancelar_reclamo"),
        ),
        (ConversationState(estado="recolectando_info", awaiting="descripcion"), Incoming(text="Cancelar")),
        (ConversationState(estado="confirmando_reclamo", draft=COMPLETE), Incoming(text="no quiero hacerlo")),
        (ConversationState(estado="confirmando_reclamo", draft=COMPLETE), Incoming(text="2")),
        (ConversationState(estado="confirmando_reclamo", draft=COMPLETE, fixing="?"), Incoming(text="cancelá")),
    ],
)
def test_cancel(state: ConversationState, incoming: Incoming) -> None:
    reply = respond(MUNI_OPEN, state, incoming)
    assert isinstance(reply.effect, CancelComplaint)
    assert reply.respuesta.startswith("Listo, cancelé el reclamo")
    assert reply.state == ConversationState()
    assert "iniciar_reclamo" in actions(reply)


@pytest.mark.parametrize("word", ["si", "Sí", "ok", "confirmo", "dale", "1", "SI!"])
def test_confirm_words_in_text(word: str) -> None:
    draft = ComplaintDraft(**COMPLETE.to_dict())
    draft.nombre, draft.telefono = "Ana", "2615551234"
    state = ConversationState(estado="confirmando_reclamo", draft=draft)
    assert isinstance(respond(MUNI_OPEN, state, Incoming(text=word)).effect, CreateComplaint)


def test_no_while_describing_is_not_a_cancel() -> None:
    state = ConversationState(estado="recolectando_info", draft=ComplaintDraft(categoria="Otros"))
    reply = respond(MUNI_OPEN, state, Incoming(text="no hay luz en toda la cuadra"))
    assert reply.effect is None
    assert reply.state.draft.descripcion == "no hay luz en toda la cuadra"


# --- live chat ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quisiera hablar con un representante", True),
        ("quiero hablar con una persona", True),
        ("quiero hablar con un humano", True),
        ("Quiero hablar con un agente", True),
        ("necesito hablar con un operador", True),
        ("hablar con alguien", True),
        ("QUIERO HABLAR CON UNA PERSONA", True),
        ("quiero comunicarme con un asesor", True),
        ("pasame con un operador", True),
        ("representante", True),
        ("el agente de tránsito me multó", False),
        ("necesito un agente de tránsito en la esquina", False),
        ("hay un bache", False),
        ("hablar", False),
        ("", False),
    ],
)
def test_is_agent_request(text: str, expected: bool) -> None:
    assert is_agent_request(text) is expected


@pytest.mark.parametrize(
    "incoming",
    [Incoming(action="request_agent"), Incoming(text="Quisiera hablar con un representante")],
)
def test_request_agent_effect(incoming: Incoming) -> None:
    state = ConversationState(estado="recolectando_info", draft=ComplaintDraft(categoria="Otros"))
    reply = respond(MUNI_OPEN, state, incoming)
    assert isinstance(reply.effect, RequestAgent)
    assert reply.state.draft.categoria == "Otros"


def test_traffic_agent_complaint_is_not_agent_request() -> None:
    reply = respond(MUNI_OPEN, ConversationState(), Incoming(text="el agente de tránsito me multó"))
    assert not isinstance(reply.effect, RequestAgent)
    assert reply.state.draft.categoria == "Tránsito y señalización"


def test_live_chat_closed() -> None:
    reply = live_chat_closed(MUNI_CLOSED, ConversationState())
    assert "no hay representantes disponibles" in reply.respuesta
    assert "Volvemos el lunes a las 9:00." in reply.respuesta
    assert "iniciar_reclamo" in actions(reply)
    assert "request_agent" not in actions(reply)
    assert live_chat_closed(MUNI_OPEN, ConversationState()).botones.count(REQUEST_AGENT_BUTTON) == 0


@pytest.mark.parametrize(
    ("position", "agent", "needle"),
    [(0, "Laura", "Laura se sumó a la conversación"), (3, None, "Estás en el lugar 3 de la fila"), (0, None, "")],
)
def test_live_chat_requested(position: int, agent: str | None, needle: str) -> None:
    reply = live_chat_requested(MUNI_OPEN, ConversationState(), nro_ticket=77, position=position, agent_name=agent)
    assert reply.respuesta.startswith("Te estamos conectando con una persona del equipo")
    assert needle in reply.respuesta
    assert reply.effect is None


# --- robustness / wire shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contexto",
    [
        None,
        "junk",
        [],
        {},
        {"estado_conversacion": 5, "datos_reclamo": [1, 2], "id_ticket_creado": "abc"},
        {"estado_conversacion": "no_existe", "datos_reclamo": {"categoria": {"x": 1}, "descripcion": ["a"]}},
        {"estado_conversacion": "confirmando_reclamo", "datos_reclamo": None, "historial_conversacion": "x"},
        {
            "estado_conversacion": "recolectando_info",
            "datos_reclamo": {"telefono_ciudadano": 2615551234, "dni_ciudadano": True},
        },
    ],
)
def test_junk_contexto_never_crashes(contexto: Any) -> None:
    state = ConversationState.from_contexto(contexto)
    assert state.estado in {"inicio", "recolectando_info", "confirmando_reclamo"}
    for incoming in (
        Incoming(text="hola"),
        Incoming(text="x" * 100_000),
        Incoming(action="confirmar_reclamo", datos_personales={"nombre": 5, "email": ["x"]}),
        Incoming(action="set_categoria", payload=[1, 2]),
        Incoming(action="no_such_action", payload=object()),
        Incoming(text=None, action=3, latitud="abc", longitud=float("inf")),  # type: ignore[arg-type]
        Incoming(attachment_url="https://cdn.example/foto.jpg"),
        Incoming(datos_personales="junk"),  # type: ignore[arg-type]
    ):
        reply = respond(MUNI_OPEN, state, incoming)
        wire = reply.to_wire()
        json.dumps(wire)
        assert wire["respuesta"]


def test_from_contexto_reads_fields_and_recovers_coordinates() -> None:
    ctx = empty_contexto()
    ctx["estado_conversacion"] = "confirmando_reclamo"
    ctx["id_ticket_creado"] = "12"
    ctx["datos_reclamo"].update(
        categoria="Otros",
        descripcion="desc",
        ubicacion="Ubicación compartida (-32.927500, -68.844300)",
        nombre_ciudadano="Ana",
        telefono_ciudadano="2615551234",
    )
    state = ConversationState.from_contexto(ctx)
    assert state.ticket_id == 12
    assert (state.draft.latitud, state.draft.longitud) == (-32.9275, -68.8443)
    assert state.draft.telefono == "2615551234"
    assert state.awaiting == "confirmacion"
    assert state.to_contexto()["datos_reclamo"]["nombre_ciudadano"] == "Ana"


def test_long_description_is_truncated() -> None:
    state = ConversationState(estado="recolectando_info", draft=ComplaintDraft(categoria="Otros"))
    reply = respond(MUNI_OPEN, state, Incoming(text="a" * 50_000))
    assert reply.state.draft.descripcion is not None
    assert len(reply.state.draft.descripcion) == 4000


def test_to_wire_shapes() -> None:
    reply = respond(MUNI_OPEN, ConversationState(), Incoming(text="hay un bache en mi cuadra"))
    wire = reply.to_wire()
    assert wire["respuesta"] == wire["respuesta_usuario"]
    assert all(isinstance(b, dict) and None not in b.values() for b in wire["botones"])
    assert wire["accion_backend"] == "crear_reclamo"
    assert "categorias" not in wire and "ticket_id" not in wire
    ctx = wire["contexto_actualizado"]
    assert set(ctx) == {"estado_conversacion", "datos_reclamo", "historial_conversacion", "id_ticket_creado"}
    assert ctx["historial_conversacion"] == []
    assert ctx["estado_conversacion"] == "recolectando_info"

    menu = respond(MUNI_OPEN, ConversationState(), Incoming(action="initial_greeting")).to_wire()
    assert set(menu) == {"respuesta", "respuesta_usuario", "botones", "contexto_actualizado"}


def test_button_and_group_to_wire() -> None:
    assert Button("Web", url="https://x.gob.ar").to_wire() == {"texto": "Web", "url": "https://x.gob.ar"}
    assert REQUEST_AGENT_BUTTON.to_wire() == {"texto": "Hablar con un representante", "action": "request_agent"}
    group = ButtonGroup("Servicios", (Button("A", action="a", payload={"k": 1}),))
    assert group.to_wire() == {"titulo": "Servicios", "botones": [{"texto": "A", "action": "a", "payload": {"k": 1}}]}
    reply = BotReply("x", [], [group], ConversationState())
    assert reply.to_wire()["categorias"] == [group.to_wire()]


@pytest.mark.parametrize(
    "state",
    [
        ConversationState(),
        ConversationState(
            estado="confirmando_reclamo",
            draft=ComplaintDraft(
                categoria="Baches y calles",
                descripcion="Pozo «grande» ñandú",
                ubicacion="Mitre 1",
                nombre="José",
                email="j@x.com",
                telefono="+5492615551234",
                dni="30123456",
                latitud=-32.9,
                longitud=-68.8,
                attachment_url="https://cdn/x.jpg",
            ),
            ticket_id=9,
            awaiting="confirmacion",
        ),
    ],
)
def test_state_json_round_trip(state: ConversationState) -> None:
    raw = state.to_json()
    assert ConversationState.from_json(raw) == state
    assert ConversationState.from_json(raw.encode()) == state
    assert ConversationState.from_json(json.loads(raw)) == state


@pytest.mark.parametrize("raw", [None, "", "not json", b"\xff\xfe", "[1,2]", '{"estado": 3, "draft": "x"}', "{}"])
def test_state_from_junk_json(raw: Any) -> None:
    assert ConversationState.from_json(raw) == ConversationState()


def test_respond_does_not_mutate_input_state() -> None:
    state = ConversationState(estado="recolectando_info", draft=ComplaintDraft(categoria="Otros"))
    before = ConversationState.from_json(state.to_json())
    respond(MUNI_OPEN, state, Incoming(text="Se rompió la vereda de enfrente"))
    assert state == before


def test_deterministic() -> None:
    a = respond(MUNI_OPEN, ConversationState(), Incoming(text="hay basura en la plaza")).to_wire()
    b = respond(MUNI_OPEN, ConversationState(), Incoming(text="hay basura en la plaza")).to_wire()
    assert a == b
