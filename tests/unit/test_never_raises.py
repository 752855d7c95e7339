"""Properties: the classifier, the text normalisation and the bot engine never raise, whatever the citizen sends."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ventanilla import text as shared_text
from ventanilla.bot import engine, intake, model
from ventanilla.text import MAX_MESSAGE_CHARS
from ventanilla.urgency import classifier, classify

# Bounded so the whole file runs in a few seconds; the edge cases below are always tried first.
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NASTY = [
    "h",
    "ℎ",
    "Ⓗ",
    "Ｈ",
    "una h",
    "H H H",
    "\x00",
    "ayuda\x00fuego",
    "\ud800",
    "se prende \udfff fuego",
    "\U0001f525" * 50,
    "a" * MAX_MESSAGE_CHARS,
    "h " * (MAX_MESSAGE_CHARS // 2),
    ("ayudaaaa " * 500)[:MAX_MESSAGE_CHARS],
    "\u0301" * 300,
    "ﬁﬂ" * 100,
    "İ" * 100,
    "ß" * 100,
    "\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    "'; DROP TABLE tickets; --",
]

# Every code point class (surrogates included: Python strings can hold them when decoded from JSON escapes).
ANY_TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec=None), max_size=200),
    st.text(st.sampled_from("hHℎⒽＨ \x00\ud800aáe.,!?¿"), max_size=60),
    st.text(st.characters(codec=None), min_size=3000, max_size=MAX_MESSAGE_CHARS),
)

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    ANY_TEXT,
)
JSON = st.recursive(
    JSON_LEAF,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=12,
)
CONTEXT_KEYS = st.sampled_from(
    ["estado_conversacion", "datos_reclamo", "id_ticket_creado", "historial_conversacion", "categoria", "x"]
)
DRAFT_KEYS = st.sampled_from(
    [
        "categoria",
        "descripcion",
        "ubicacion",
        "nombre_ciudadano",
        "email_ciudadano",
        "telefono_ciudadano",
        "dni_ciudadano",
        "latitud",
        "longitud",
        "attachment_url",
    ]
)
CONTEXTO = st.one_of(
    st.none(),
    JSON,
    st.dictionaries(
        CONTEXT_KEYS,
        st.one_of(
            JSON,
            st.sampled_from(sorted(model.ESTADOS)),
            st.dictionaries(DRAFT_KEYS, JSON, max_size=10),
        ),
        max_size=6,
    ),
)
ACTIONS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "initial_greeting",
            "cancelar_reclamo",
            "request_agent",
            "menu",
            "consultar_reclamo",
            "info_tramites",
            "iniciar_reclamo",
            "set_categoria",
            "user_provided_location",
            "confirmar_reclamo",
            "iniciar_creacion_reclamo",
        ]
    ),
)


@FAST
@given(ANY_TEXT)
def test_classify_never_raises(text: str) -> None:
    verdict = classify(text)
    assert verdict.level in ("urgent", "unsure", "calm")
    verdict.to_dict()


@FAST
@given(ANY_TEXT)
def test_text_normalisation_never_raises(text: str) -> None:
    assert isinstance(shared_text.fold(text), str)
    assert isinstance(shared_text.one_line(text), str)
    cleaned = shared_text.clean(text)
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogate left
    assert shared_text.clean(cleaned) == cleaned
    assert isinstance(classifier.normalize(text), str)
    assert isinstance(classifier.clauses(text), list)
    assert isinstance(intake.normalize(text), str)
    assert len(intake.clean_text(text)) <= intake.MAX_INPUT_CHARS
    intake.extract_address(text)
    intake.extract_personal(text, allow_bare_name=True)
    intake.infer_category(intake.normalize(text), ("Baches", "Alumbrado", "h"))
    intake.match_category(text, ("Baches", "Alumbrado", "h"))


@FAST
@example(text="h", action=None, payload=None, contexto={"id_ticket_creado": 2**64}, datos=None, tipo="pyme", live=True)
@given(
    text=ANY_TEXT,
    action=ACTIONS,
    payload=JSON,
    contexto=CONTEXTO,
    datos=st.one_of(st.none(), st.dictionaries(st.sampled_from(["nombre", "email", "telefono", "dni", "x"]), JSON)),
    tipo=st.sampled_from(["municipio", "pyme"]),
    live=st.booleans(),
)
def test_bot_engine_never_raises(
    text: str, action: str | None, payload: Any, contexto: Any, datos: Any, tipo: Any, live: bool
) -> None:
    bot_settings = model.BotSettings(
        tipo_chat=tipo, entity_name="Municipio", live_chat_open=live, categories=("Baches", "Alumbrado")
    )
    state = model.ConversationState.from_contexto(contexto)
    assert state.ticket_id is None or 0 < state.ticket_id < 2**63  # ids are 64-bit columns
    incoming = model.Incoming(text=text, action=action, payload=payload, datos_personales=datos)
    reply = engine.respond(bot_settings, state, incoming)
    again = model.ConversationState.from_json(reply.state.to_json())
    engine.respond(bot_settings, again, model.Incoming(text=text))
    model.ConversationState.from_json(text)
