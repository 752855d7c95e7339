"""Bot texts as the widget renders them: its "simple" bullets and its phone-number links (both versions)."""

from __future__ import annotations

import re

import pytest

from ventanilla.bot import texts
from ventanilla.chat.service import status_notice
from ventanilla.tickets.models import Ticket

# src/lib/simplify.ts and src/utils/sanitizeMessageHtml.ts, same at 63f867f1 and 985c1f40.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LONG_SPLIT = re.compile(r",|;|\sy\s", re.IGNORECASE)
_PHONE = re.compile(r"(?<!https://wa\.me/)(?<!\d)(?:\+?\d{1,3}[-.\s]?)?(?:\(?\d{2,4}\)?[-.\s]?){2,}\d{3,4}(?!\d)")


def bullets(text: str) -> list[str]:
    """The widget's simplify(): a bullet per sentence; sentences over 140 characters cut at , ; and " y "."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    chunks = [c for p in parts for c in (_LONG_SPLIT.split(p) if len(p) > 140 else [p])]
    return [c.strip() for c in chunks]


def whatsapp_links(text: str) -> list[str]:
    """Digit runs the widget turns into wa.me links (nine digits or more)."""
    return [m.group(0) for m in _PHONE.finditer(text) if len(re.sub(r"\D", "", m.group(0))) >= 9]


def summary(**overrides: object) -> str:
    values: dict[str, object] = {
        "categoria": "Alumbrado público",
        "descripcion": "La luminaria de la esquina no enciende hace una semana, y la cuadra queda a oscuras",
        "ubicacion": "Ubicación compartida (-32.946800, -60.639300)",
        "has_attachment": True,
        "nombre": "Ana Gómez",
        "contacto": "ana@example.org / 2615551234",
    }
    values.update(overrides)
    return texts.summary("municipio", **values)  # type: ignore[arg-type]


def test_each_summary_line_is_one_bullet_and_coordinates_stay_together() -> None:
    got = bullets(summary())
    assert got[0] == "Este es el resumen de tu reclamo."
    assert [b.split(":")[0] for b in got[1:]] == [
        "Categoría",
        "Descripción",
        "Ubicación",
        "Adjunto",
        "Nombre",
        "Contacto",
    ]
    # The widget's simple view writes "• " before each: no dash of ours after it.
    assert not any(b.startswith(("-", "•")) for b in got)
    assert "(-32.946800, -60.639300)" in got[3]


def test_abbreviations_and_long_descriptions_stay_in_their_bullet() -> None:
    long = "No anda la luz. " + "Hace días que la cuadra está a oscuras, y nadie vino, y tenemos miedo " * 4
    got = bullets(summary(ubicacion="Av. San Martín 1234", descripcion=long))
    assert len(got) == 7 and got[3].replace("\u2060", "") == "Ubicación: Av. San Martín 1234."
    assert all(len(b) <= texts.WIDGET_SENTENCE_CHARS for b in got)


@pytest.mark.parametrize("contacto", ["2615551234", "+54 9 261 555-1234", "ana@example.org / (0261) 555 1234"])
def test_the_citizens_own_phone_is_not_turned_into_a_link(contacto: str) -> None:
    text = summary(contacto=contacto)
    assert whatsapp_links(text) == []
    assert contacto in text.replace("\u2060", "")  # shown as they wrote it


def _every_text() -> list[str]:
    out = [
        texts.welcome("municipio", "Municipalidad de Junín"),
        texts.welcome("pyme", "Panadería La Espiga"),
        texts.fallback(True),
        texts.ask_personal_inline("municipio"),
        texts.ask_personal(["nombre", "email_o_telefono"], "pyme"),
        texts.invalid_fields(["email", "telefono", "dni"]),
        texts.created("municipio", 1234, "257382", "nuevo"),
        texts.live_chat_closed("municipio", "Atendemos de lunes a viernes de 8 a 14."),
        texts.live_chat_requested(12, 3, None),
        texts.info("municipio", "Municipalidad de Junín", True),
        texts.cancelled("municipio"),
        *(texts.ask_field(f, t) for f in ("categoria", "descripcion", "ubicacion") for t in ("municipio", "pyme")),
    ]
    out += [v for v in vars(texts).values() if isinstance(v, str) and len(v) > 3]
    for tipo in ("municipio", "pyme"):
        for estado in ("en_proceso", "resuelto", "cerrado"):
            notice = status_notice(Ticket(tipo=tipo, nro_ticket=98765, estado=estado))
            assert notice is not None
            out.append(notice)
    return out


@pytest.mark.parametrize("text", _every_text())
def test_bot_sentences_render_as_written(text: str) -> None:
    assert whatsapp_links(text) == [], "no example phone numbers or digit runs the widget links"
    for sentence in _SENTENCE_END.split(text):
        assert len(sentence) <= texts.WIDGET_SENTENCE_CHARS, f"would be cut at its commas: {sentence!r}"
