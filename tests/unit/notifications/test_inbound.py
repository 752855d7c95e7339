"""Replies by email: quote stripping, auto-reply / bounce / loop detection, parsing."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from ventanilla.errors import BadRequest
from ventanilla.notifications import inbound
from ventanilla.notifications.inbound import body_text, drop_reason, html_to_text, parse, strip_quoted

DOMAIN = "ventanilla.test"

STRIP_CASES = [
    (
        "Gracias, ya está.\n\nEl lun, 3 feb 2025 a las 10:05, Municipio <a@b.c> escribió:\n> texto viejo",
        "Gracias, ya está.",
    ),
    (
        "Sigue igual.\n\nEl lun, 3 feb 2025 a las 10:05, Municipio de Demo (<reclamo+1@x.y>)\nescribió:\n> viejo",
        "Sigue igual.",
    ),
    ("Still broken.\n\nOn Mon, Feb 3, 2025 at 10:05 AM Town <a@b.c> wrote:\n> old", "Still broken."),
    ("Respuesta\n> citado\n>> más citado\nfin", "Respuesta\nfin"),
    ("Listo, gracias\n-- \nAna Gómez\nTel 261 555", "Listo, gracias"),
    ("Listo\n--\nFirma", "Listo"),
    ("Ok\n\nEnviado desde mi iPhone", "Ok"),
    ("Arriba\n\n-----Mensaje original-----\nDe: Municipio\nEnviado: lunes\nPara: ana", "Arriba"),
    ("Arriba\n\nDe: Municipio <a@b.c>\nEnviado: lunes, 3 de febrero\nPara: Ana\nAsunto: [Reclamo #3]", "Arriba"),
    ("Arriba\r\n\r\nOn Tue, Bob wrote:\r\n> x", "Arriba"),
    ("Sin nada citado.\nDos líneas.", "Sin nada citado.\nDos líneas."),
    ("> todo citado\n> nada nuevo", ""),
    ("El vecino de enfrente también se queja.\nGracias", "El vecino de enfrente también se queja.\nGracias"),
]


@pytest.mark.parametrize(("text", "expected"), STRIP_CASES)
def test_strip_quoted(text: str, expected: str) -> None:
    assert strip_quoted(text) == expected


def test_html_reply_drops_quote_containers() -> None:
    html = (
        "<div dir='ltr'>Ya <b>funciona</b>, gracias &amp; saludos<br>Ana</div>"
        "<div class='gmail_quote'>El lun escribió:<blockquote>viejo</blockquote></div>"
    )
    assert html_to_text(html).strip() == "Ya funciona, gracias & saludos\nAna"
    assert "viejo" not in html_to_text("<p>Nuevo</p><blockquote><p>viejo</p><blockquote>más</blockquote></blockquote>")


def _mail(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ana <ana@example.org>")
    message["To"] = "reclamo+1-c-abc@ventanilla.test"
    message["Subject"] = headers.pop("Subject", "Re: [Reclamo #7] Luminaria")
    message["Message-ID"] = headers.pop("Message_ID", "<abc@example.org>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Hola")
    return message


AUTO_CASES = [
    ({}, None),
    ({"Auto_Submitted": "no"}, None),
    ({"Auto_Submitted": "auto-replied"}, "respuesta_automatica"),
    ({"Auto_Submitted": "auto-generated"}, "respuesta_automatica"),
    ({"X_Autoreply": "yes"}, "respuesta_automatica"),
    ({"Precedence": "bulk"}, "respuesta_automatica"),
    ({"Precedence": "auto_reply"}, "respuesta_automatica"),
    ({"Subject": "Respuesta automática: [Reclamo #7] Luminaria"}, "respuesta_automatica"),
    ({"Subject": "Automatic reply: [Reclamo #7]"}, "respuesta_automatica"),
    ({"Subject": "Out of Office: vuelvo el lunes"}, "respuesta_automatica"),
    ({"Subject": "Fuera de la oficina"}, "respuesta_automatica"),
    ({"From": "MAILER-DAEMON@mx.example.org"}, "rebote"),
    ({"From": "postmaster@example.org"}, "rebote"),
    ({"Return_Path": "<>"}, "rebote"),
    ({"X_Ventanilla_Ticket": "12"}, "bucle"),
    ({"Message_ID": "<ticket-12.3@ventanilla.test>"}, "bucle"),
]


@pytest.mark.parametrize(("headers", "expected"), AUTO_CASES)
def test_drop_reason(headers: dict[str, str], expected: str | None) -> None:
    assert drop_reason(_mail(**headers), DOMAIN) == expected


def test_empty_envelope_sender_and_reports_are_bounces() -> None:
    assert drop_reason(_mail(), DOMAIN, envelope_from="") == "rebote"
    report = _mail()
    report.make_mixed()
    report.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; boundary="b"')
    assert drop_reason(report, DOMAIN) == "rebote"


def test_parse_refuses_what_is_not_an_email() -> None:
    for raw in (b"", b"   ", b"hola, esto no es un email", b'{"json": true}'):
        with pytest.raises(BadRequest):
            parse(raw)
    message = parse(bytes(_mail()))
    assert body_text(message).strip() == "Hola"


def test_body_prefers_plain_and_falls_back_to_html() -> None:
    both = _mail()
    both.add_alternative("<p>HTML</p>", subtype="html")
    assert body_text(both).strip() == "Hola"
    html_only = EmailMessage()
    html_only["From"] = "ana@example.org"
    html_only.set_content("<p>Solo <i>HTML</i></p><blockquote>viejo</blockquote>", subtype="html")
    assert body_text(parse(bytes(html_only))).strip() == "Solo HTML"


def _raw(headers: bytes, body: bytes = b"Hola") -> EmailMessage:
    return inbound.parse(headers + b"\r\n\r\n" + body)


def test_headers_with_encoded_crlf_are_read_on_one_line() -> None:
    message = _raw(
        b"From: =?utf-8?q?Bob=0D=0ABcc:_x@evil.org?= <bob@example.org>\r\n"
        b"Subject: =?utf-8?q?Re=0D=0ABcc:_x@evil.org?=\r\nTo: reply+1.c.00@ventanilla.test"
    )
    assert inbound.header(message, "From") == "Bob Bcc: x@evil.org <bob@example.org>"
    assert inbound.header(message, "Subject") == "Re Bcc: x@evil.org"
    assert inbound.header(message, "X-Missing") == "" and inbound.header_values(message, "To") == [
        "reply+1.c.00@ventanilla.test"
    ]


def test_dedup_key_ignores_case_spacing_and_trace_headers() -> None:
    base = b"From: ana@example.org\r\nTo: reply+1.c.00@ventanilla.test\r\nSubject: Re: aviso"
    one = inbound.dedup_key(_raw(base + b"\r\nMessage-ID: <Abc.1@Mail.Example.org>"))
    assert one == "email:abc.1@mail.example.org"
    assert inbound.dedup_key(_raw(base + b"\r\nMessage-ID:  < abc.1@MAIL.example.org >")) == one
    without = inbound.dedup_key(_raw(base + b"\r\nDate: Mon, 07 Dec 2026 10:00:00 -0300"))
    assert without.startswith("email:content:")
    traced = _raw(b"Received: from mx2 by mx1\r\n" + base + b"\r\nDate: Mon, 07 Dec 2026 10:00:00 -0300")
    assert inbound.dedup_key(traced) == without
    assert inbound.dedup_key(_raw(base + b"\r\nDate: Mon, 07 Dec 2026 10:00:00 -0300", b"Otro")) != without
    assert len(inbound.dedup_key(_raw(base + b"\r\nMessage-ID: <" + b"x" * 300 + b"@m>"))) <= 200
