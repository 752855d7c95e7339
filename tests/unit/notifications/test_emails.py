"""Email building: subject, threading and reply headers, tokens, templates (text + HTML, es-AR)."""

from __future__ import annotations

import datetime as dt
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from ventanilla.adapters.smtp import envelope_of, wire_bytes
from ventanilla.notifications import emails, service
from ventanilla.notifications.cli import example_messages, render_examples
from ventanilla.security import TokenSigner
from ventanilla.settings import Settings
from ventanilla.tickets.models import Ticket, TicketMessage

SETTINGS = Settings(
    panel_url="https://panel.test/",
    public_url="https://api.test",
    mail_reply_domain="ventanilla.test",
    mail_from="Ventanilla <avisos@ventanilla.test>",
    email_debounce_seconds=120,
)
SIGNER = TokenSigner("unit-secret")
T0 = dt.datetime(2026, 3, 2, 13, 5, tzinfo=dt.UTC)


def ticket(**changes: object) -> Ticket:
    data: dict[str, object] = {
        "id": 1_234_567_890_123,
        "entity_id": 9,
        "nro_ticket": 57,
        "pin": "004211",
        "tipo": "municipio",
        "asunto": "Bache en calle Mitre",
        "estado": "en_proceso",
        "prioridad": "media",
        "nombre_usuario": "Ana <script>",
        "email": "ana@example.org",
        "created_at": T0,
        "updated_at": T0,
    }
    data.update(changes)
    return Ticket(**data)


def messages(count: int) -> list[TicketMessage]:
    kinds = ["citizen", "agent"]
    return [
        TicketMessage(
            id=i,
            ticket_id=1_234_567_890_123,
            author_kind=kinds[i % 2],
            author_name="Laura" if kinds[i % 2] == "agent" else "Ana",
            text=f"mensaje {i} <b>",
            origen="chat",
            created_at=T0 + dt.timedelta(minutes=i),
        )
        for i in range(1, count + 1)
    ]


def test_subject_is_stable_and_single_line() -> None:
    assert emails.subject_of(57, "Bache en calle Mitre") == "[Reclamo #57] Bache en calle Mitre"
    assert emails.subject_of(57, "dos\nlíneas\r\n  aquí") == "[Reclamo #57] dos líneas aquí"
    assert len(emails.subject_of(1, "x" * 500)) < 160


def test_local_time_is_buenos_aires() -> None:
    assert emails.local_time(dt.datetime(2026, 3, 2, 13, 5, tzinfo=dt.UTC)) == "02/03/2026 10:05"
    assert emails.local_time(dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)) == "31/12/2025 23:00"


def test_reply_address_round_trip_and_forgery() -> None:
    address = emails.reply_address(SETTINGS, SIGNER, 1_234_567_890_123, "citizen")
    assert re.fullmatch(r"reply\+1234567890123\.c\.[0-9a-f]{20}@ventanilla\.test", address)  # 80-bit MAC
    citizen = emails.ReplyRoute(1_234_567_890_123, "c")
    assert emails.parse_reply_address(SETTINGS, SIGNER, f"Ana <{address}>") == citizen
    assert emails.parse_reply_address(SETTINGS, SIGNER, address.upper()) == citizen
    inbox = emails.reply_address(SETTINGS, SIGNER, 5, "inbox")
    assert emails.parse_reply_address(SETTINGS, SIGNER, inbox) == emails.ReplyRoute(5, "i")
    agent = emails.reply_address(SETTINGS, SIGNER, 5, "agent", user_id=42)
    assert emails.parse_reply_address(SETTINGS, SIGNER, agent) == emails.ReplyRoute(5, "u42")
    assert emails.ReplyRoute(5, "u42").user_id == 42 and emails.ReplyRoute(5, "c").user_id is None
    # Another ticket, another recipient, another key, another domain: not ours.
    assert emails.parse_reply_address(SETTINGS, SIGNER, address.replace("1234567890123.", "1234567890124.")) is None
    assert emails.parse_reply_address(SETTINGS, SIGNER, agent.replace(".u42.", ".u43.")) is None
    assert emails.parse_reply_address(SETTINGS, SIGNER, agent.replace(".u42.", ".c.")) is None
    assert emails.parse_reply_address(SETTINGS, TokenSigner("other"), address) is None
    assert emails.parse_reply_address(SETTINGS, SIGNER, address.replace("ventanilla.test", "evil.test")) is None
    assert emails.parse_reply_address(SETTINGS, SIGNER, "reclamos@ventanilla.test") is None
    mac = address.split(".")[2].split("@")[0]
    assert emails.parse_reply_address(SETTINGS, SIGNER, address.replace(mac, mac[:16])) is None


def test_old_per_side_addresses_still_verify_but_name_nobody() -> None:
    mac = SIGNER.short_mac(emails.REPLY_PURPOSE, "7-a")
    route = emails.parse_reply_address(SETTINGS, SIGNER, f"reclamo+7-a-{mac}@ventanilla.test")
    assert route == emails.ReplyRoute(7, "a", legacy=True)
    assert emails.parse_reply_address(SETTINGS, SIGNER, f"reclamo+8-a-{mac}@ventanilla.test") is None


def test_threading_ids() -> None:
    assert emails.root_id(SETTINGS, 42) == "<ticket-42@ventanilla.test>"
    assert emails.message_id(SETTINGS, 42, 7) == "<ticket-42.7@ventanilla.test>"
    refs = ["<foo@gmail.com> <ticket-42.7@ventanilla.test>"]
    assert emails.ticket_of_message_ids(SETTINGS, refs) == 42
    assert emails.ticket_of_message_ids(SETTINGS, ["<ticket-42@ventanilla.test>"]) == 42
    assert emails.ticket_of_message_ids(SETTINGS, ["<ticket-42@other.test>", "<x@y>"]) is None


def test_unsubscribe_token() -> None:
    token = emails.unsubscribe_token(SIGNER, 9, "ana@example.org")
    assert emails.read_unsubscribe_token(SIGNER, token) == (9, "ana@example.org")
    assert emails.read_unsubscribe_token(SIGNER, token[:-2] + "xx") is None
    assert emails.read_unsubscribe_token(TokenSigner("other"), token) is None


def build(role: str, new_ids: set[int], history: list[TicketMessage], **ticket_changes: object) -> EmailMessage:
    t = ticket(**ticket_changes)
    view = emails.build_view(
        SETTINGS,
        SIGNER,
        t,
        emails.Addressee("Municipalidad de Prueba", 9, role, "dest@example.org", t.nombre_usuario),
        emails.News({"message"}, new_ids, history),
    )
    return emails.build_message(
        SETTINGS,
        emails.render(view),
        emails.Envelope(
            entity_name="Municipalidad de Prueba",
            ticket_id=t.id,
            to="dest@example.org",
            msg_id=emails.message_id(SETTINGS, t.id, 3),
            reply_to=emails.reply_address(SETTINGS, SIGNER, t.id, role),
            unsubscribe=view.unsubscribe_url,
            date=T0,
        ),
    )


def test_headers_of_a_ticket_email() -> None:
    raw = wire_bytes(build("citizen", {4}, messages(4)))
    # Long URL header left whole (a folded or encoded List-Unsubscribe is unreadable to mail clients).
    assert re.search(rb"\r\nList-Unsubscribe: <https://api\.test/emails/baja/9\.[A-Za-z0-9_.-]+>\r\n", raw)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["Subject"] == "[Reclamo #57] Bache en calle Mitre"
    assert message["Message-ID"] == "<ticket-1234567890123.3@ventanilla.test>"
    assert message["In-Reply-To"] == message["References"] == "<ticket-1234567890123@ventanilla.test>"
    assert message["Reply-To"].startswith("reply+1234567890123.c.")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"].startswith("<https://api.test/emails/baja/9.")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["X-Ventanilla-Ticket"] == "1234567890123"
    assert "Municipalidad de Prueba" in message["From"] and "avisos@ventanilla.test" in message["From"]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert envelope_of(message) == ("avisos@ventanilla.test", ["dest@example.org"])


def test_citizen_email_content() -> None:
    message = build("citizen", {3, 4}, messages(4))
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Reclamo N.º 57" in text and "Estado: En proceso" in text
    assert "ÚLTIMO MENSAJE\nAna - 02/03/2026 10:09:\nmensaje 4 <b>\n" in text
    assert "https://panel.test/ticket/57?pin=004211" in text and "PIN 004211" in text
    assert "- Laura - 02/03/2026 10:08 (nuevo):\n  mensaje 3 <b>" in text
    assert "- Laura - 02/03/2026 10:06:\n  mensaje 1 <b>" in text
    assert "Municipalidad de Prueba" in text and "Dejar de recibir" in text
    assert '<html lang="es-AR">' in html and "mensaje 4 &lt;b&gt;" in html and "Ana &lt;script&gt;" in html
    assert "<script>" not in html
    assert 'href="https://panel.test/ticket/57?pin=004211"' in html


def test_agent_email_links_to_the_panel_opened_on_the_ticket() -> None:
    message = build("agent", {3}, messages(3))
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    # Neither panel opens a ticket from `/tickets?ticket=`: the backend's link remembers it and sends to the panel.
    assert "Abrir el reclamo: https://api.test/panel/tickets/1234567890123" in text
    assert "/tickets?" not in text and "/tickets?" not in html and "pin=" not in text
    assert 'href="https://api.test/panel/tickets/1234567890123"' in html
    assert "Nuevo mensaje del vecino" in text and "Vecino: Ana <script>, ana@example.org" in text


def test_context_is_the_last_few_plus_every_new_message() -> None:
    history = messages(20)
    view = emails.build_view(
        SETTINGS,
        SIGNER,
        ticket(),
        emails.Addressee("M", 9, "agent", "a@b.co"),
        emails.News({"message"}, {15, 17, 19}, history),
    )
    assert view.last is not None and view.last.text == "mensaje 19 <b>"
    shown = [m.text.split()[1] for m in view.earlier]
    assert shown == ["12", "13", "14", "15", "17"]
    assert [m.is_new for m in view.earlier] == [False, False, False, True, True]


def test_urgent_oncall_template() -> None:
    message = build(
        "oncall",
        set(),
        [],
        prioridad="urgente",
        urgency={"category": "gas", "notify_oncall": True},
        descripcion="Olor a gas fuerte",
        estado="nuevo",
    )
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "URGENTE" in text and "Urgencia: escape de gas" in text and "Olor a gas fuerte" in text


def test_examples_render_every_template(tmp_path: Path) -> None:
    written = render_examples(tmp_path)
    assert {p.name for p in written} == {f"{n}.{ext}" for n in example_messages() for ext in ("eml", "html")}
    again = {name: bytes(m) for name, m in example_messages().items()}
    for name, data in again.items():
        assert (tmp_path / f"{name}.eml").read_bytes() == data  # deterministic, so docs/emails diffs are real


@pytest.mark.parametrize(
    ("author_kind", "sides"), [("citizen", ("agent",)), ("agent", ("citizen",)), ("bot", ()), ("system", ())]
)
def test_never_the_author(author_kind: str, sides: tuple[str, ...]) -> None:
    assert service.message_sides(author_kind) == sides


@pytest.mark.parametrize(
    ("old", "new", "notify"),
    [
        ("nuevo", "en_proceso", True),
        ("en_proceso", "resuelto", True),
        ("en_vivo", "cerrado", True),
        ("resuelto", "nuevo", True),
        ("nuevo", "esperando_agente_en_vivo", False),
        ("esperando_agente_en_vivo", "en_vivo", False),
    ],
)
def test_status_changes_the_citizen_hears_about(old: str, new: str, notify: bool) -> None:
    assert service.status_notifies_citizen(old, new) is notify


def test_debounce_and_addresses() -> None:
    assert service.not_before(SETTINGS, "oncall", T0) == T0
    assert service.not_before(SETTINGS, "citizen", T0) == T0 + dt.timedelta(seconds=120)
    assert emails.normalize_address("Ana <Ana@Example.ORG>") == "ana@example.org"
    for bad in ("", "ana", "ana@", "@x.org", "ana@localhost", "a b@x.org", "ana@x..org"):
        assert emails.normalize_address(bad) is None, bad


def test_a_followers_email_has_the_status_and_nothing_of_the_owner() -> None:
    history = messages(4)
    t = ticket(descripcion="Pozo grande", direccion="Mitre 700", telefono="2614001122")
    view = emails.build_view(
        SETTINGS,
        SIGNER,
        t,
        emails.Addressee("Municipalidad de Prueba", 9, "follower", "vecino@example.org", t.nombre_usuario),
        emails.News({"status"}, set(), history),
    )
    rendered = emails.render(view)
    for body in (rendered.text, rendered.html):
        assert "al que te sumaste" in body and "En proceso" in body and "Mitre 700" in body
        for private in ("004211", "Ana", "ana@example.org", "2614001122", "mensaje 3", "pin="):
            assert private not in body
    # A reply goes to the agents' inbox (held for review), never into the owner's conversation as the citizen.
    parsed = emails.parse_reply_address(SETTINGS, SIGNER, emails.reply_address(SETTINGS, SIGNER, t.id, "follower"))
    assert parsed is not None and (parsed.ticket_id, parsed.recipient) == (t.id, "i")


def test_every_urgency_kind_has_a_spanish_label_for_staff() -> None:
    """The on-call and agent emails name the kind of emergency in Spanish ("self harm" reached a staff inbox)."""
    from typing import get_args

    from ventanilla.urgency.lexicon import Category

    missing = [c for c in get_args(Category) if c != "none" and c not in emails._URGENCY_LABELS]
    assert missing == []


def test_the_oncall_email_opens_the_panel_not_the_citizens_lookup() -> None:
    message = build(
        "oncall",
        set(),
        [],
        prioridad="urgente",
        urgency={"category": "self_harm", "notify_oncall": True},
        descripcion="No doy más",
        estado="nuevo",
    )
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Urgencia: riesgo de autolesión o suicidio" in text
    assert "/panel/tickets/" in text and "pin=" not in text
