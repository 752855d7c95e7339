"""Email notifications through a real server and a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.conftest import base_settings, fresh_database
from tests.support import (
    Clock,
    Server,
    SocketRecorder,
    Tenant,
    free_port,
    login,
    run_cli,
    running_server,
    seed_tenant,
    session_cookie_header,
)
from ventanilla.app import create_app
from ventanilla.chat import keys
from ventanilla.entities import repository as entities_repo
from ventanilla.jobs.runner import Backoff, Runner
from ventanilla.notifications import emails
from ventanilla.notifications import repository as outbox
from ventanilla.notifications.cli import start_mail_in
from ventanilla.notifications.dispatcher import EmailQueue
from ventanilla.notifications.models import EmailOutbox
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets import service as tickets
from ventanilla.users import repository as users_repo

SECRET = "webhook-secret-for-tests"
REPLY_DOMAIN = "ventanilla.test"


class Inbox:
    """What the SMTP server received; addresses listed in `refuse` get a permanent 550."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()
        self.try_later: dict[str, int] = {}
        self.raw: dict[str, bytes] = {}
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if self.try_later.get(address.lower(), 0) > 0:
            self.try_later[address.lower()] -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.raw[str(message["Message-ID"])] = raw
            self.received.append(([a.lower() for a in envelope.rcpt_tos], message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for rcpts, m in self.received if address.lower() in rcpts]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.to(address)) < count:
            if loop.time() > deadline:
                raise AssertionError(f"expected {count} emails to {address}, got {len(self.to(address))}")
            await asyncio.sleep(0.05)
        return self.to(address)


@dataclass
class Smtp:
    """The test SMTP server, which tests may stop and start again on the same port."""

    inbox: Inbox
    port: int
    controller: Controller | None = None

    async def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        await asyncio.to_thread(self.controller.start)

    async def stop(self) -> None:
        if self.controller is not None:
            await asyncio.to_thread(self.controller.stop)
            self.controller = None


@pytest.fixture(scope="module")
async def smtp() -> AsyncIterator[Smtp]:
    server = Smtp(Inbox(), free_port())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def email_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database of its own, so no other test server's dispatcher takes these emails."""
    async with fresh_database(request.param, tmp_path_factory.mktemp("email")) as url:
        yield url


def email_settings(tmp: Path, url: str, smtp_port: int, **extra: object) -> Any:
    return base_settings(
        tmp,
        url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_timeout_seconds=2,
        email_debounce_seconds=0,
        email_webhook_secret=SECRET,
        mail_reply_domain=REPLY_DOMAIN,
        mail_from="Ventanilla <avisos@ventanilla.test>",
        job_retry_base_seconds=0.2,
        **extra,
    )


@pytest.fixture(scope="module")
async def srv(email_db: str, smtp: Smtp, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    settings = email_settings(tmp_path_factory.mktemp("srv"), email_db, smtp.port)
    async with running_server(settings, Clock()) as server:
        yield server


def dispatcher(server: Server) -> Runner[Any]:
    return server.ctx.jobs["email"]


@dataclass
class Opened:
    id: int
    nro: int
    pin: str
    key: str
    email: str


def tag() -> str:
    return uuid.uuid4().hex[:8]


async def open_ticket(
    server: Server, tenant: Tenant, *, email: str | None = None, urgency: dict[str, Any] | None = None
) -> Opened:
    """A complaint with a contact email, created through the service (listeners and all)."""
    email = email or f"vecina-{tag()}@example.org"
    key = str(uuid.uuid4())
    async with server.ctx.uow() as uow:
        entity = await entities_repo.get(uow.session, tenant.id)
        assert entity is not None
        ticket, _ = await tickets.create_ticket(
            uow,
            entity,
            tickets.NewTicket(
                asunto="Luminaria apagada en Av. Mitre 1200",
                descripcion="La luminaria de la esquina no enciende hace una semana.",
                nombre="Ana Gómez",
                email=email,
                chat_session_key=keys.web(key),
                prioridad="urgente" if urgency else "media",
                urgency=urgency,
            ),
        )
        await uow.commit()
    return Opened(ticket.id, ticket.nro_ticket, ticket.pin, key, email)


async def citizen_says(server: Server, tenant: Tenant, opened: Opened, text: str) -> None:
    async with server.client() as client:
        r = await client.post(
            f"/tickets/chat/{opened.id}/responder_ciudadano",
            json={"comentario": text},
            headers={"X-Entity-Token": tenant.token, "X-Chat-Session-Id": opened.key},
        )
        assert r.status_code == 200, r.text


@contextlib.asynccontextmanager
async def agent_client(server: Server, tenant: Tenant, index: int = 0) -> AsyncIterator[httpx.AsyncClient]:
    async with server.client() as client:
        await login(client, tenant.agents[index]["email"])
        yield client


async def rows_of(server: Server, ticket_id: int) -> list[EmailOutbox]:
    async with server.ctx.sessions() as session:
        return list(await outbox.for_ticket(session, ticket_id))


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def settled(server: Server, *ticket_ids: int) -> None:
    """Wait until no outbox row of these tickets is pending or being sent (so every email that will leave, left)."""

    async def done() -> bool:
        rows = [r for t in ticket_ids for r in await rows_of(server, t)]
        return all(r.status not in ("pending", "sending") for r in rows)

    await until(done)


@contextlib.contextmanager
def debounce(server: Server, seconds: int) -> Iterator[None]:
    """Run a block with another debounce window."""
    previous, server.settings.email_debounce_seconds = server.settings.email_debounce_seconds, seconds
    try:
        yield
    finally:
        server.settings.email_debounce_seconds = previous


async def until(predicate: Callable[[], Any], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_citizen_message_emails_the_agent_not_the_citizen(srv: Server, smtp: Smtp) -> None:
    inbox_address = f"reclamos-{tag()}@muni.example.org"
    tenant = await seed_tenant(srv.ctx, inbox_email=inbox_address)
    agent_email = tenant.agents[0]["email"]
    opened = await open_ticket(srv, tenant)
    # Creation: the entity's inbox (nobody assigned yet) and the citizen's confirmation with number and PIN.
    created = (await smtp.inbox.wait_for(inbox_address))[0]
    confirmation = (await smtp.inbox.wait_for(opened.email))[0]
    assert "Nuevo reclamo" in text_of(created)
    assert f"número {opened.nro}, PIN {opened.pin}" in text_of(confirmation)
    async with agent_client(srv, tenant) as agent:
        assert (await agent.post(f"/tickets/municipio/{opened.id}/asignar")).status_code == 200
    await citizen_says(srv, tenant, opened, "Sigue apagada y está muy oscuro de noche.")

    mail = (await smtp.inbox.wait_for(agent_email))[0]
    text = text_of(mail)
    assert mail["Subject"] == f"[Reclamo #{opened.nro}] Luminaria apagada en Av. Mitre 1200"
    assert "Sigue apagada y está muy oscuro de noche." in text.split("ÚLTIMO MENSAJE", 1)[1]
    assert "Estado: En proceso" in text and f"Reclamo N.º {opened.nro}" in text
    assert re.search(r"Ana Gómez - \d\d/\d\d/\d{4} \d\d:\d\d:", text)
    assert "Sigue apagada" in html_of(mail) and '<html lang="es-AR">' in html_of(mail)
    # Threading: a stable id of ours, replying to the ticket's root; replies come back to a signed address.
    assert re.fullmatch(rf"<ticket-{opened.id}\.\d+@{REPLY_DOMAIN}>", mail["Message-ID"])
    assert mail["In-Reply-To"] == mail["References"] == f"<ticket-{opened.id}@{REPLY_DOMAIN}>"
    agent_id = tenant.agents[0]["id"]
    assert re.fullmatch(rf"reply\+{opened.id}\.u{agent_id}\.[0-9a-f]{{20}}@{REPLY_DOMAIN}", mail["Reply-To"])
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert b"\r\nList-Unsubscribe: <http://127.0.0.1/emails/baja/" in smtp.inbox.raw[mail["Message-ID"]]
    # The links work: the agent's link opens the panel's list on this ticket (both panels open the list's first
    # ticket; neither reads one from its URL), through a login too, once (issue 19c).
    panel_link = re.search(r"Abrir el reclamo: (\S+)", text)
    assert panel_link is not None and panel_link.group(1).endswith(f"/panel/tickets/{opened.id}")
    assert f'href="{panel_link.group(1)}"' in html_of(mail)
    async with srv.client() as anyone:
        page = await anyone.get(path_of(mail["List-Unsubscribe"].strip("<>")))
        assert page.status_code == 200 and "Dejar de recibir" in page.text
    # Nothing to the citizen about their own message, and nothing more to the inbox once a person owns it.
    await settled(srv, opened.id)
    rows = await rows_of(srv, opened.id)
    assert not [r for r in rows if r.kind == "message" and r.role == "citizen"]
    assert len(smtp.inbox.to(inbox_address)) == 1 and len(smtp.inbox.to(agent_email)) == 1
    async with srv.client() as browser:  # logged out when the link is followed
        went = await browser.get(path_of(panel_link.group(1)))
        assert went.status_code == 200 and 'content="0;url=http://panel.test/tickets"' in went.text
        await open_ticket(srv, tenant)  # newer activity: the list alone would not start with the linked one
        await login(browser, agent_email)
        listed = (await browser.get("/tickets")).json()["tickets"]
        assert listed[0]["id"] == opened.id and len(listed) > 1
        again = (await browser.get("/tickets")).json()["tickets"]
        assert again[0]["id"] != opened.id  # once: later reloads of the list keep their own order


async def test_agent_reply_emails_the_citizen_not_the_agent(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    agent_email = tenant.agents[0]["email"]
    opened = await open_ticket(srv, tenant)
    await smtp.inbox.wait_for(opened.email)
    async with agent_client(srv, tenant) as agent:
        r = await agent.post(
            f"/tickets/municipio/{opened.id}/responder", json={"comentario": "Mañana pasa la cuadrilla."}
        )
        assert r.status_code == 200, r.text
    mails = await smtp.inbox.wait_for(opened.email, 2)
    reply = mails[1]
    text = text_of(reply)
    assert "Tenés una respuesta" in text and "Mañana pasa la cuadrilla." in text.split("ÚLTIMO MENSAJE", 1)[1]
    assert "Estado: En proceso" in text and reply["Reply-To"].startswith(f"reply+{opened.id}.c.")
    assert reply["Message-ID"] != mails[0]["Message-ID"] and reply["In-Reply-To"] == mails[0]["In-Reply-To"]
    # The citizen's link opens the public lookup (number + PIN) that the frontend's /ticket page calls.
    link = re.search(r"Ver el reclamo: (\S+)", text)
    assert link is not None and link.group(1) == f"http://panel.test/ticket/{opened.nro}?pin={opened.pin}"
    async with srv.client() as anyone:
        found = await anyone.get(f"/tickets/municipio/por_numero/{opened.nro}", params={"pin": opened.pin})
        assert found.status_code == 200 and "Mañana pasa la cuadrilla." in found.text
    await settled(srv, opened.id)
    assert smtp.inbox.to(agent_email) == []
    assert not [r for r in await rows_of(srv, opened.id) if r.recipient == agent_email]
    assert len(smtp.inbox.to(opened.email)) == 2


async def test_a_burst_becomes_one_email(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    agent_email = tenant.agents[0]["email"]
    opened = await open_ticket(srv, tenant)
    async with agent_client(srv, tenant) as agent:
        await agent.post(f"/tickets/municipio/{opened.id}/asignar")
    texts = [f"mensaje {n} de la ráfaga" for n in range(5)]
    # Each post opens a new HTTP client (about 0.2 s on a busy machine): the window must hold all five.
    with debounce(srv, 3):
        for text in texts:
            await citizen_says(srv, tenant, opened, text)
    mail = (await smtp.inbox.wait_for(agent_email))[0]
    body = text_of(mail)
    assert all(text in body for text in texts)
    assert "mensaje 4 de la ráfaga" in body.split("ÚLTIMO MENSAJE", 1)[1].split("MENSAJES ANTERIORES")[0]
    await settled(srv, opened.id)
    assert len(smtp.inbox.to(agent_email)) == 1
    rows = [r for r in await rows_of(srv, opened.id) if r.recipient == agent_email]
    assert len(rows) == 5 and {r.status for r in rows} == {"sent"} and len({r.sent_message_id for r in rows}) == 1


async def test_an_agent_watching_the_panel_gets_no_email(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    agent_email = tenant.agents[0]["email"]
    opened = await open_ticket(srv, tenant)
    async with agent_client(srv, tenant) as agent:
        await agent.post(f"/tickets/municipio/{opened.id}/asignar")
        panel = await SocketRecorder().connect(srv.url, headers=session_cookie_header(agent))
        try:
            await citizen_says(srv, tenant, opened, "¿Me leen en vivo?")
            await panel.wait_for("new_comment", where=lambda d: d["comment"]["comentario"] == "¿Me leen en vivo?")
        finally:
            await panel.close()
    await citizen_says(srv, tenant, opened, "Ahora ya no está conectado.")
    mail = (await smtp.inbox.wait_for(agent_email))[0]
    assert "Ahora ya no está conectado." in text_of(mail)
    rows = [r for r in await rows_of(srv, opened.id) if r.recipient == agent_email]
    assert len(rows) == 1  # the message seen live made no row at all


async def test_reply_by_email_lands_on_the_ticket_and_reaches_the_widget(srv: Server, smtp: Smtp) -> None:
    inbox_address = f"reclamos-{tag()}@muni.example.org"
    tenant = await seed_tenant(srv.ctx, inbox_email=inbox_address)
    opened = await open_ticket(srv, tenant)
    notice = (await smtp.inbox.wait_for(opened.email))[0]
    widget = await SocketRecorder().connect(srv.url, auth={"entityToken": tenant.token})
    try:
        assert (await widget.join(opened.key))["ok"] is True  # the widget's chat session proves the ticket
        assert (await widget.join(f"ticket_municipio_{opened.id}"))["ok"] is True
        reply = EmailMessage()
        reply["From"] = f"Ana Gómez <{opened.email}>"
        reply["To"] = notice["Reply-To"]
        reply["Subject"] = f"Re: {notice['Subject']}"
        reply["Message-ID"] = f"<{uuid.uuid4().hex}@mail.example.org>"
        reply["In-Reply-To"] = notice["Message-ID"]
        reply["References"] = f"{notice['References']} {notice['Message-ID']}"
        reply.set_content(
            "Sigue sin luz, y ahora también la de enfrente.\n\n"
            f"El lun, 2 mar 2026 a las 10:05, Municipio <{notice['Reply-To']}>\nescribió:\n> Recibimos tu reclamo\n"
        )
        async with srv.client() as provider:
            r = await provider.post("/webhooks/email", content=bytes(reply), headers={"X-Webhook-Secret": SECRET})
            assert r.status_code == 200, r.text
            assert r.json()["ticket_id"] == opened.id and r.json()["autor"] == "vecino"
            again = await provider.post("/webhooks/email", content=bytes(reply), headers={"X-Webhook-Secret": SECRET})
            assert again.json()["ignorado"] == "duplicado"
        event = (await widget.wait_for("new_chat_message"))[0]
        assert event["comentario"] == "Sigue sin luz, y ahora también la de enfrente." and event["origen"] == "email"
        # It fans out like any message: the entity side hears about it by email too.
        assert "Sigue sin luz" in text_of((await smtp.inbox.wait_for(inbox_address, 2))[-1])
    finally:
        await widget.close()
    async with srv.ctx.sessions() as session:
        messages = await tickets_repo.messages(session, opened.id)
    assert [m.text for m in messages if m.origen == "email"] == ["Sigue sin luz, y ahora también la de enfrente."]


async def test_agent_reply_by_email_through_mail_in_reaches_the_citizen(srv: Server, smtp: Smtp) -> None:
    inbox_address = f"reclamos-{tag()}@muni.example.org"
    tenant = await seed_tenant(srv.ctx, inbox_email=inbox_address)
    agent_email = tenant.agents[0]["email"]
    opened = await open_ticket(srv, tenant)
    shared_notice = (await smtp.inbox.wait_for(inbox_address))[0]
    await smtp.inbox.wait_for(opened.email)
    async with agent_client(srv, tenant) as agent:
        assert (await agent.post(f"/tickets/municipio/{opened.id}/asignar")).status_code == 200
    await citizen_says(srv, tenant, opened, "¿Hay alguna novedad?")
    notice = (await smtp.inbox.wait_for(agent_email))[0]
    port = free_port()
    mail_in = await start_mail_in(srv.ctx, "127.0.0.1", port)
    try:
        answer = EmailMessage()
        answer["From"] = agent_email
        answer["To"] = notice["Reply-To"]
        answer["Subject"] = f"RE: {notice['Subject']}"
        answer["Message-ID"] = f"<{uuid.uuid4().hex}@muni.example.org>"
        answer.set_content("Hola Ana, ya lo derivamos a Alumbrado.\n-- \nLaura, Atención al vecino")
        await aiosmtplib.send(answer, hostname="127.0.0.1", port=port, timeout=5)
        auto = EmailMessage()
        auto["From"] = opened.email
        auto["To"] = notice["Reply-To"]
        auto["Subject"] = "Respuesta automática: estoy de vacaciones"
        auto["Auto-Submitted"] = "auto-replied"
        auto.set_content("Vuelvo el lunes.")
        await aiosmtplib.send(auto, hostname="127.0.0.1", port=port, timeout=5)
        stranger = EmailMessage()
        stranger["From"] = "otro@example.org"
        stranger["To"] = f"reclamos@{REPLY_DOMAIN}"
        stranger.set_content("hola")
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await aiosmtplib.send(stranger, hostname="127.0.0.1", port=port, timeout=5)
        assert refused.value.code == 550
        # The entity's shared inbox names no person: even from an agent's address, its reply is held, not posted.
        shared = EmailMessage()
        shared["From"] = agent_email
        shared["To"] = shared_notice["Reply-To"]
        shared["Message-ID"] = f"<{uuid.uuid4().hex}@muni.example.org>"
        shared.set_content("Respuesta desde el buzón compartido.")
        errors, reply = await aiosmtplib.send(shared, hostname="127.0.0.1", port=port, timeout=5)
        assert errors == {} and "retenido" in reply
    finally:
        mail_in.close()
        await mail_in.wait_closed()

    async def answered() -> bool:
        return any("Hola Ana, ya lo derivamos a Alumbrado." in text_of(m) for m in smtp.inbox.to(opened.email))

    await until(answered)
    mail = next(m for m in smtp.inbox.to(opened.email) if "Hola Ana, ya lo derivamos" in text_of(m))
    assert "Laura, Atención" not in text_of(mail)
    async with srv.ctx.sessions() as session:
        messages = await tickets_repo.messages(session, opened.id)
        held = await outbox.held_emails(session, tenant.id)
    assert [(m.author_kind, m.text) for m in messages if m.author_kind != "bot"] == [
        ("citizen", "¿Hay alguna novedad?"),
        ("agent", "Hola Ana, ya lo derivamos a Alumbrado."),
    ]
    assert [(h.ticket_id, h.reason, h.text) for h in held] == [
        (opened.id, "buzon_compartido", "Respuesta desde el buzón compartido.")
    ]


async def test_inbound_bad_input_gets_clear_errors(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    notice = (await smtp.inbox.wait_for(opened.email))[0]

    def mail(**headers: str) -> bytes:
        message = EmailMessage()
        message["From"] = headers.pop("From", opened.email)
        message["To"] = headers.pop("To", notice["Reply-To"])
        message["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(headers.get("body", "Texto nuevo"))
        return bytes(message)

    ok = {"X-Webhook-Secret": SECRET}
    async with srv.client() as client:
        assert (await client.post("/webhooks/email", content=mail())).status_code == 401
        assert (
            await client.post("/webhooks/email", content=mail(), headers={"X-Webhook-Secret": "x"})
        ).status_code == 401
        secret, srv.settings.email_webhook_secret = srv.settings.email_webhook_secret, None
        try:
            assert (await client.post("/webhooks/email", content=mail(), headers=ok)).status_code == 403
        finally:
            srv.settings.email_webhook_secret = secret
        not_mime = await client.post("/webhooks/email", content=b"esto no es un email", headers=ok)
        assert not_mime.status_code == 400 and "error" in not_mime.json()
        nowhere = await client.post("/webhooks/email", content=mail(To=f"reclamos@{REPLY_DOMAIN}"), headers=ok)
        assert nowhere.status_code == 404 and "error" in nowhere.json()
        forged = notice["Reply-To"].replace(f"+{opened.id}.c.", f"+{opened.id + 1}.c.")
        assert forged != notice["Reply-To"]
        assert (await client.post("/webhooks/email", content=mail(To=forged), headers=ok)).status_code == 403
        huge = await client.post(
            "/webhooks/email", content=b"X" * (srv.settings.max_inbound_email_bytes + 1), headers=ok
        )
        assert huge.status_code == 413 and "error" in huge.json()
        for headers in ({"Auto_Submitted": "auto-replied"}, {"Subject": "Out of Office"}, {"Precedence": "bulk"}):
            r = await client.post("/webhooks/email", content=mail(**headers), headers=ok)
            assert r.status_code == 200 and r.json()["ignorado"] == "respuesta_automatica", r.text
        bounce = await client.post("/webhooks/email", content=mail(From="MAILER-DAEMON@mx.example.org"), headers=ok)
        assert bounce.json()["ignorado"] == "rebote"
        loop = await client.post("/webhooks/email", content=bytes(notice), headers=ok)
        assert loop.json()["ignorado"] == "bucle"
        only_quote = await client.post("/webhooks/email", content=mail(body="> citado"), headers=ok)
        assert only_quote.status_code in (200, 422)
    async with srv.ctx.sessions() as session:
        assert [m.origen for m in await tickets_repo.messages(session, opened.id)] in ([], ["email"])


async def test_unsubscribe_and_preferences_stop_citizen_emails(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    confirmation = (await smtp.inbox.wait_for(opened.email))[0]
    unsubscribe = path_of(confirmation["List-Unsubscribe"].strip("<>"))
    async with srv.client() as client:
        bad = await client.post(unsubscribe[:-3] + "abc", data={"List-Unsubscribe": "One-Click"})
        assert bad.status_code == 404  # an unknown or broken link
        done = await client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and "ya no va a recibir" in done.text
    async with agent_client(srv, tenant) as agent:
        await agent.post(f"/tickets/municipio/{opened.id}/responder", json={"comentario": "Respuesta sin email"})
    # A logged-in citizen turns email off with PUT /notifications; their next complaint sends them nothing.
    citizen_email = f"vecino-{tag()}@example.org"
    async with srv.client() as citizen:
        r = await citizen.post(
            "/chatuserregisterpanel",
            json={"email": citizen_email, "password": "clave-segura-123", "empresa_token": tenant.token},
        )
        assert r.status_code == 201
        assert (await citizen.put("/notifications", json={"email": False})).json()["email"] is False
    async with srv.ctx.uow() as uow:
        entity = await entities_repo.get(uow.session, tenant.id)
        user = await users_repo.by_entity_email(uow.session, tenant.id, citizen_email)
        assert entity is not None and user is not None
        own, _ = await tickets.create_ticket(uow, entity, tickets.NewTicket(asunto="Poda", citizen=user))
        await uow.commit()
    assert own.email == citizen_email
    async with agent_client(srv, tenant) as agent:
        await agent.post(f"/tickets/municipio/{own.id}/responder", json={"comentario": "Vamos a podar el jueves"})
    await settled(srv, opened.id, own.id)
    assert not [r for r in await rows_of(srv, own.id) if r.role == "citizen"]
    assert len(smtp.inbox.to(opened.email)) == 1
    assert smtp.inbox.to(citizen_email) == []


async def test_urgent_ticket_emails_oncall_at_once(srv: Server, smtp: Smtp) -> None:
    inbox_address = f"reclamos-{tag()}@muni.example.org"
    tenant = await seed_tenant(srv.ctx, inbox_email=inbox_address)
    async with srv.ctx.sessions() as session:
        entity = await entities_repo.get(session, tenant.id)
        assert entity is not None and entity.oncall_email
        oncall = entity.oncall_email
    with debounce(srv, 30):
        opened = await open_ticket(srv, tenant, urgency={"category": "gas", "notify_oncall": True})
        mail = (await smtp.inbox.wait_for(oncall, timeout=3))[0]
        assert "URGENTE" in text_of(mail) and "Urgencia: escape de gas" in text_of(mail)
        assert "fuera de horario" in text_of(mail)
        # The debounce window never holds urgent mail: the inbox and the citizen's acknowledgement leave too.
        inbox_mail = (await smtp.inbox.wait_for(inbox_address, timeout=3))[0]
        assert "URGENTE" in text_of(inbox_mail)
        assert opened.pin in text_of((await smtp.inbox.wait_for(opened.email, timeout=3))[0])
        plain = await open_ticket(srv, tenant)
        assert not [r for r in await rows_of(srv, plain.id) if r.role == "oncall"]
    assert opened.id


async def test_bad_addresses_and_refused_recipients_are_recorded(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    invalid = await open_ticket(srv, tenant, email="ana@sin-dominio")
    refused_address = f"rebota-{tag()}@example.org"
    smtp.inbox.refuse.add(refused_address)
    refused = await open_ticket(srv, tenant, email=refused_address)
    later_address = f"greylist-{tag()}@example.org"
    smtp.inbox.try_later[later_address] = 1
    later = await open_ticket(srv, tenant, email=later_address)
    fine = await open_ticket(srv, tenant)
    await smtp.inbox.wait_for(fine.email)
    await smtp.inbox.wait_for(later_address)
    await settled(srv, later.id)
    later_row = next(r for r in await rows_of(srv, later.id) if r.role == "citizen")
    assert later_row.status == "sent" and later_row.attempts == 2 and "451" in (later_row.last_error or "")

    async def refused_failed() -> bool:
        return any(r.status == "failed" for r in await rows_of(srv, refused.id))

    await until(refused_failed)
    row = next(r for r in await rows_of(srv, refused.id) if r.recipient == refused_address)
    assert row.status == "failed" and row.last_error and "550" in row.last_error and row.attempts == 1
    bad_row = next(r for r in await rows_of(srv, invalid.id) if r.role == "citizen")
    assert bad_row.status == "failed" and bad_row.last_error == "dirección de email inválida"


async def test_smtp_outage_then_recovery_delivers_each_email_once(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    await smtp.stop()
    try:
        opened = [await open_ticket(srv, tenant) for _ in range(3)]

        async def retried() -> bool:
            rows = [r for o in opened for r in await rows_of(srv, o.id)]
            return all(r.attempts >= 2 and r.status == "pending" and r.last_error for r in rows)

        await until(retried, timeout=15)
    finally:
        await smtp.start()
    for o in opened:
        await smtp.inbox.wait_for(o.email, timeout=15)
    await settled(srv, *(o.id for o in opened))
    for o in opened:
        assert len(smtp.inbox.to(o.email)) == 1
        assert {r.status for r in await rows_of(srv, o.id)} == {"sent"}


async def test_a_day_long_outage_keeps_retrying_and_delivers_once(srv: Server, smtp: Smtp) -> None:
    queue = dispatcher(srv).queue
    assert isinstance(queue, EmailQueue)
    policy, queue.backoff = queue.backoff, Backoff(0.1, 0.3, 48 * 3600)
    tenant = await seed_tenant(srv.ctx)
    await smtp.stop()
    try:
        with debounce(srv, 2):
            opened = await open_ticket(srv, tenant)
        async with srv.ctx.sessions() as session:
            for row in await outbox.for_ticket(session, opened.id):
                row.attempts = 300  # about a day of failures at the default cap: far past the old limit of 10
            await session.commit()

        async def retried_past_a_day() -> bool:
            rows = await rows_of(srv, opened.id)
            return all(r.attempts >= 302 and r.status == "pending" and r.last_error for r in rows)

        await until(retried_past_a_day, timeout=20)
        assert queue.backoff.exhausted(302) is False
        backlog = await queue.backlog()
        assert backlog.pending >= 1 and backlog.oldest_seconds > 0
    finally:
        await smtp.start()
        queue.backoff = policy
    await smtp.inbox.wait_for(opened.email, timeout=15)
    await settled(srv, opened.id)
    assert len(smtp.inbox.to(opened.email)) == 1
    assert {r.status for r in await rows_of(srv, opened.id)} == {"sent"}


class CountingMailer:
    """Wraps a dispatcher's mailer to count what it sent."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent: list[str] = []

    async def send(self, message: EmailMessage) -> None:
        await self.inner.send(message)
        self.sent.append(str(message["Message-ID"]))


async def test_two_dispatchers_send_no_duplicates(
    srv: Server, smtp: Smtp, email_db: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = create_app(email_settings(tmp_path_factory.mktemp("other"), email_db, smtp.port, run_workers=False))
    first, second = dispatcher(srv), other.ctx.jobs["email"]
    assert isinstance(first.queue, EmailQueue) and isinstance(second.queue, EmailQueue)
    first_queue, second_queue = first.queue, second.queue
    first_queue.mailer, second_queue.mailer = CountingMailer(first_queue.mailer), CountingMailer(second_queue.mailer)
    first.poll_seconds = second.poll_seconds = 0.02
    task = asyncio.create_task(second.run())
    try:
        inbox_address = f"reclamos-{tag()}@muni.example.org"
        tenant = await seed_tenant(srv.ctx, inbox_email=inbox_address)
        with debounce(srv, 1):  # every row comes due at about the same time, for both dispatchers
            opened = await asyncio.gather(*(open_ticket(srv, tenant) for _ in range(12)))
        await settled(srv, *(o.id for o in opened))
        await smtp.inbox.wait_for(inbox_address, 12)
        ids = [m["Message-ID"] for m in smtp.inbox.to(inbox_address)]
        assert len(ids) == 12 == len(set(ids))
        assert all(len(smtp.inbox.to(o.email)) == 1 for o in opened)
        sent_by = (first_queue.mailer.sent, second_queue.mailer.sent)  # type: ignore[attr-defined]
        assert len(sent_by[0]) + len(sent_by[1]) == 24 and not set(sent_by[0]) & set(sent_by[1])
    finally:
        first_queue.mailer = first_queue.mailer.inner  # type: ignore[attr-defined]
        first.poll_seconds = 0.1
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await other.ctx.engine.dispose()
    print(f"split between dispatchers: {len(sent_by[0])} / {len(sent_by[1])}")


async def test_a_crashed_workers_claim_is_taken_over_after_its_lease(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    await smtp.inbox.wait_for(opened.email)  # the acknowledgement leaves at once
    with debounce(srv, 30):
        async with agent_client(srv, tenant) as agent:
            await agent.post(f"/tickets/municipio/{opened.id}/asignar")
            await smtp.inbox.wait_for(opened.email, 2)  # so does the status notice
            await agent.post(f"/tickets/municipio/{opened.id}/responder", json={"comentario": "Vamos mañana."})
    async with srv.ctx.sessions() as session:
        row = next(r for r in await outbox.for_ticket(session, opened.id) if r.kind == "message")
        # As a worker that died mid-send leaves it: claimed, lease already over.
        row.status, row.claim_token, row.attempts = "sending", "dead-worker", 1
        row.lease_until = row.not_before = row.created_at - dt.timedelta(seconds=5)
        await session.commit()
    await dispatcher(srv).wake()
    assert len(await smtp.inbox.wait_for(opened.email, 3)) == 3
    await settled(srv, opened.id)
    row = next(r for r in await rows_of(srv, opened.id) if r.kind == "message")
    assert row.status == "sent" and row.attempts == 2 and row.claim_token is None


async def test_send_history_emails_the_citizen_once_per_window(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    await citizen_says(srv, tenant, opened, "¿Hay novedades?")
    pin = opened.pin
    async with srv.client() as anyone:
        # Without the PIN (or being its citizen or agent) the ticket does not exist for the caller.
        assert (await anyone.post(f"/tickets/municipio/{opened.id}/send-history")).status_code == 404
        first = await anyone.post(f"/tickets/municipio/{opened.id}/send-history?pin={pin}", json={"reason": "manual"})
        assert first.status_code == 200 and first.json()["enviado"] is True
        for _ in range(100):
            history = [m for m in smtp.inbox.to(opened.email) if "Historial" in text_of(m)]
            if history:
                break
            await asyncio.sleep(0.05)
        (mail,) = history
        assert str(opened.nro) in str(mail["Subject"]) and "¿Hay novedades?" in text_of(mail)
        assert "como pediste" in text_of(mail)  # the citizen asked, with the PIN
        again = await anyone.post(f"/tickets/municipio/{opened.id}/send-history?pin={pin}")
        assert again.status_code == 200 and again.json()["enviado"] is False
        assert (await anyone.post("/tickets/municipio/12345/send-history")).status_code == 404
    async with srv.ctx.uow() as uow:
        entity = await entities_repo.get(uow.session, tenant.id)
        assert entity is not None
        silent, _ = await tickets.create_ticket(uow, entity, tickets.NewTicket(asunto="Sin email"))
        await uow.commit()
    async with srv.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        no_email = await agent.post(f"/tickets/pyme/{silent.id}/send-history")
        assert no_email.status_code == 200 and no_email.json()["enviado"] is False and no_email.json()["motivo"]
    staffed = await open_ticket(srv, tenant)
    async with srv.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        sent = await agent.post(f"/tickets/municipio/{staffed.id}/send-history", json={"reason": "manual"})
        assert sent.status_code == 200 and sent.json()["enviado"] is True
    for _ in range(100):
        history = [m for m in smtp.inbox.to(staffed.email) if "Historial" in text_of(m)]
        if history:
            break
        await asyncio.sleep(0.05)
    (mail,) = history
    assert "como pediste" not in text_of(mail)  # the agent sent it: nobody asked


async def test_a_ticket_that_turns_urgent_outside_hours_emails_oncall(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx, always_open=False)
    async with srv.ctx.sessions() as session:
        entity = await entities_repo.get(session, tenant.id)
        assert entity is not None and entity.oncall_email
        oncall = entity.oncall_email
    srv.clock.now = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)  # Sunday night in Buenos Aires: closed
    try:
        opened = await open_ticket(srv, tenant)
        await citizen_says(srv, tenant, opened, "ahora sale olor a gas muy fuerte del medidor de la vereda")
        mail = (await smtp.inbox.wait_for(oncall, timeout=5))[0]
        assert "URGENTE" in text_of(mail)
    finally:
        srv.clock.now = None


async def test_replies_with_crashing_inputs_are_posted_or_refused_never_a_500(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    notice = (await smtp.inbox.wait_for(opened.email))[0]
    reply_to = str(notice["Reply-To"]).encode()

    def raw_reply(body: bytes, message_id: bytes, charset: bytes = b"utf-8") -> bytes:
        return (
            b"From: Ana <" + opened.email.encode() + b">\r\nTo: " + reply_to + b"\r\nSubject: Re: aviso\r\n"
            b"Message-ID: " + message_id + b"\r\nContent-Type: text/plain; charset=" + charset + b"\r\n\r\n" + body
        )

    replies = [
        raw_reply(b"h", b"<" + uuid.uuid4().hex.encode() + b"@mail.example.org>"),
        raw_reply("Ｈ ℎ Ⓗ".encode(), b"<" + uuid.uuid4().hex.encode() + b"@mail.example.org>"),
        raw_reply(b"sigue\x00 sin luz", b"<\x00" + uuid.uuid4().hex.encode() + b"@mail.example.org>"),
        # Invalid UTF-8 in a header becomes lone surrogates when Python decodes it.
        raw_reply(b"todo igual \xed\xa0\x80", b"<\xff\xfe" + uuid.uuid4().hex.encode() + b"@mail.example.org>"),
        raw_reply(b"charset roto", b"<" + uuid.uuid4().hex.encode() + b"@x>", charset=b"no-such-charset"),
    ]
    async with srv.client() as provider:
        for raw in replies:
            r = await provider.post("/webhooks/email", content=raw, headers={"X-Webhook-Secret": SECRET})
            assert r.status_code == 200 and r.json()["autor"] == "vecino", r.text
    port = free_port()
    mail_in = await start_mail_in(srv.ctx, "127.0.0.1", port)
    try:
        for raw in (
            raw_reply(b"h\x00", b"<\x00" + uuid.uuid4().hex.encode() + b"@m>"),
            raw_reply(b"\xed\xb0\x80 h", b"<\xc3" + uuid.uuid4().hex.encode() + b"@m>"),
        ):
            errors, _ = await aiosmtplib.send(
                raw, sender=opened.email, recipients=[str(notice["Reply-To"])], hostname="127.0.0.1", port=port
            )
            assert errors == {}
    finally:
        mail_in.close()
        await mail_in.wait_closed()
    async with srv.ctx.sessions() as session:
        texts = [m.text for m in await tickets_repo.messages(session, opened.id) if m.origen == "email"]
    assert len(texts) == 7 and all("\x00" not in t for t in texts)
    for text in texts:
        text.encode("utf-8")


async def test_urgent_ticket_inside_hours_emails_the_inbox_and_oncall_at_once(srv: Server, smtp: Smtp) -> None:
    inbox_address = f"reclamos-{tag()}@muni.example.org"
    tenant = await seed_tenant(srv.ctx, inbox_email=inbox_address)
    async with srv.ctx.sessions() as session:
        entity = await entities_repo.get(session, tenant.id)
        assert entity is not None and entity.oncall_email
        oncall = entity.oncall_email
    with debounce(srv, 30):
        opened = await open_ticket(srv, tenant, urgency={"category": "gas", "notify_oncall": False})
        for address in (inbox_address, oncall):
            mail = (await smtp.inbox.wait_for(address, timeout=3))[0]
            text = text_of(mail)
            assert "Reclamo URGENTE" in text and "fuera de horario" not in text and "Urgencia: escape de gas" in text
            assert str(mail["Subject"]).startswith(f"[Reclamo #{opened.nro}]")
        assert opened.pin in text_of((await smtp.inbox.wait_for(opened.email, timeout=3))[0])
        kinds = {(r.role, r.kind) for r in await rows_of(srv, opened.id)}
        assert {("inbox", "urgent"), ("oncall", "urgent"), ("citizen", "ticket_created")} <= kinds


async def test_status_emails_leave_at_once_and_take_pending_messages_along(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    with debounce(srv, 30):
        opened = await open_ticket(srv, tenant)
        (ack,) = await smtp.inbox.wait_for(opened.email, timeout=3)  # the acknowledgement is not held
        assert opened.pin in text_of(ack) and str(opened.nro) in text_of(ack)
        async with agent_client(srv, tenant) as agent:
            await agent.post(f"/tickets/municipio/{opened.id}/responder", json={"comentario": "Mañana vamos."})
            # The reply moved the ticket to en_proceso: that status email leaves now, with the reply in it.
            mails = await smtp.inbox.wait_for(opened.email, 2, timeout=3)
            assert "Mañana vamos." in text_of(mails[1]) and "En proceso" in text_of(mails[1])
            await agent.post(f"/tickets/municipio/{opened.id}/responder", json={"comentario": "Llevamos escalera."})
            await asyncio.sleep(0.5)
            assert len(smtp.inbox.to(opened.email)) == 2  # a message follow-up waits for its debounce window
            await agent.put(f"/tickets/municipio/{opened.id}/estado", json={"estado": "resuelto"})
            mails = await smtp.inbox.wait_for(opened.email, 3, timeout=3)
            assert "Llevamos escalera." in text_of(mails[2]) and "Resuelto" in text_of(mails[2])
        await settled(srv, opened.id)
        rows = [r for r in await rows_of(srv, opened.id) if r.role == "citizen"]
        assert {r.status for r in rows} == {"sent"} and len(smtp.inbox.to(opened.email)) == 3


# --- issue 22: replies are attributed by a signed per-recipient address, and recorded once ---------------------


def reply_mail(to: str, sender: str, body: str, *, message_id: str | None = "", **headers: str) -> bytes:
    """A reply as a mail provider would post it (a fresh Message-ID unless one is given; None: no Message-ID)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: aviso"
    if message_id is not None:
        message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.org>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


async def post_mail(client: httpx.AsyncClient, raw: bytes) -> httpx.Response:
    return await client.post("/webhooks/email", content=raw, headers={"X-Webhook-Secret": SECRET})


async def email_messages(server: Server, ticket_id: int) -> list[tuple[str, int | None, str]]:
    async with server.ctx.sessions() as session:
        found = await tickets_repo.messages(session, ticket_id)
    return [(m.author_kind, m.author_user_id, m.text) for m in found if m.origen == "email"]


async def agent_notice(srv: Server, smtp: Smtp, tenant: Tenant, opened: Opened, index: int = 0) -> EmailMessage:
    """Assign the ticket to agent `index` and return the email a citizen's message then sends them."""
    agent_email = tenant.agents[index]["email"]
    async with agent_client(srv, tenant, index) as agent:
        assert (await agent.post(f"/tickets/municipio/{opened.id}/asignar")).status_code == 200
    before = len(smtp.inbox.to(agent_email))
    await citizen_says(srv, tenant, opened, f"Sigue igual ({tag()}).")
    return (await smtp.inbox.wait_for(agent_email, before + 1))[before]


async def test_forged_replies_are_never_posted_as_staff(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx, agents=2)
    laura, pedro = tenant.agents[0], tenant.agents[1]
    opened = await open_ticket(srv, tenant)
    citizen_notice = (await smtp.inbox.wait_for(opened.email))[0]
    other = await open_ticket(srv, tenant)
    notice = await agent_notice(srv, smtp, tenant, opened)
    laura_address = str(notice["Reply-To"])
    assert f".u{laura['id']}." in laura_address
    before = await email_messages(srv, opened.id)
    async with srv.client() as provider:
        # The old attack: an agent's From and the ticket's threading headers, to no signed address.
        threaded = {"In_Reply_To": str(notice["Message-ID"]), "References": str(notice["References"])}
        for to in (f"reclamos@{REPLY_DOMAIN}", f"reply@{REPLY_DOMAIN}", opened.email):
            r = await post_mail(provider, reply_mail(to, laura["email"], "Cerrado, no insista.", **threaded))
            assert r.status_code in (403, 404) and "error" in r.json(), r.text
        # The citizen's From with the threading headers is no proof either.
        r = await post_mail(provider, reply_mail(f"x@{REPLY_DOMAIN}", opened.email, "Soy la vecina", **threaded))
        assert r.status_code in (403, 404), r.text
        # A MAC changed, or one signed for another ticket, another recipient or another key.
        local, _, domain = laura_address.partition("@")
        ticket_part, recipient, mac = local.split("+", 1)[1].split(".")
        flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
        other_notice = await agent_notice(srv, smtp, tenant, other)
        other_mac = str(other_notice["Reply-To"]).split("@")[0].split(".")[-1]
        for forged in (
            f"reply+{ticket_part}.{recipient}.{flipped}@{domain}",
            f"reply+{ticket_part}.{recipient}.{other_mac}@{domain}",
            f"reply+{ticket_part}.u{pedro['id']}.{mac}@{domain}",
            f"reply+{ticket_part}.{recipient}.{mac[:16]}@{domain}",
        ):
            r = await post_mail(provider, reply_mail(forged, laura["email"], "Cerrado, no insista."))
            assert r.status_code == 403 and "error" in r.json(), (forged, r.text)
        # The address decides, not From: Laura's address with Pedro's From is Laura's reply.
        r = await post_mail(provider, reply_mail(laura_address, pedro["email"], "Lo reviso hoy."))
        assert r.status_code == 200 and r.json()["autor"] == "agente", r.text
        # The citizen's address is the citizen's, whatever From says (even an agent's).
        r = await post_mail(provider, reply_mail(str(citizen_notice["Reply-To"]), laura["email"], "Gracias."))
        assert r.status_code == 200 and r.json()["autor"] == "vecino", r.text
    assert (await email_messages(srv, opened.id))[len(before) :] == [
        ("agent", laura["id"], "Lo reviso hoy."),
        ("citizen", None, "Gracias."),
    ]
    assert not [m for m in await email_messages(srv, other.id) if m[0] == "agent"]


async def test_a_reply_signed_for_someone_who_lost_access_is_refused_or_held(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx, agents=2)
    laura, pedro = tenant.agents[0], tenant.agents[1]
    opened = await open_ticket(srv, tenant)
    laura_address = str((await agent_notice(srv, smtp, tenant, opened))["Reply-To"])
    async with srv.client() as provider:
        # Reassigned: Laura's late reply waits for review instead of taking the conversation back.
        async with agent_client(srv, tenant, 1) as agent:
            assert (await agent.post(f"/tickets/municipio/{opened.id}/asignar")).status_code == 200
        r = await post_mail(provider, reply_mail(laura_address, laura["email"], "Respuesta tardía."))
        assert r.status_code == 200 and r.json()["retenido"] == "agente_no_asignado", r.text
        # No longer staff: refused.
        async with srv.ctx.uow() as uow:
            user = await users_repo.get(uow.session, laura["id"])
            assert user is not None
            user.rol = "vecino"
            await uow.commit()
        r = await post_mail(provider, reply_mail(laura_address, laura["email"], "Ya no trabajo acá."))
        assert r.status_code == 403 and "error" in r.json(), r.text
        # An address of the old per-side format verifies but names nobody: held.
        mac = srv.ctx.signer.short_mac(emails.REPLY_PURPOSE, f"{opened.id}-a")
        legacy = f"reclamo+{opened.id}-a-{mac}@{REPLY_DOMAIN}"
        r = await post_mail(provider, reply_mail(legacy, pedro["email"], "Desde un aviso viejo."))
        assert r.status_code == 200 and r.json()["retenido"] == "direccion_antigua", r.text
    assert [m for m in await email_messages(srv, opened.id) if m[0] == "agent"] == []
    async with srv.ctx.sessions() as session:
        held = await outbox.held_emails(session, tenant.id)
    assert sorted((h.reason, h.text) for h in held) == [
        ("agente_no_asignado", "Respuesta tardía."),
        ("direccion_antigua", "Desde un aviso viejo."),
    ]
    # An operator reviews them with `ventanilla emails held`.
    listed = await asyncio.to_thread(
        run_cli, srv.settings.data_dir, "emails", "held", "--entity", str(tenant.id), db=srv.settings.database_url
    )
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted((r["ticket_id"], r["motivo"], r["texto"]) for r in rows) == [
        (opened.id, "agente_no_asignado", "Respuesta tardía."),
        (opened.id, "direccion_antigua", "Desde un aviso viejo."),
    ]


async def test_encoded_crlf_in_from_is_answered_cleanly_and_injects_nothing(srv: Server, smtp: Smtp) -> None:
    inbox_address = f"reclamos-{tag()}@muni.example.org"
    tenant = await seed_tenant(srv.ctx, inbox_email=inbox_address)
    opened = await open_ticket(srv, tenant)
    notice = (await smtp.inbox.wait_for(opened.email))[0]
    await smtp.inbox.wait_for(inbox_address)
    reply_to = str(notice["Reply-To"]).encode()
    evil = f"evil-{tag()}@evil.org"
    raws = [
        b"From: =?utf-8?q?Bob=0D=0ABcc:_" + evil.encode() + b"?= <" + opened.email.encode() + b">\r\n"
        b"To: " + reply_to + b"\r\nSubject: =?utf-8?q?Re=0D=0ABcc:_" + evil.encode() + b"?=\r\n"
        b"Message-ID: <" + uuid.uuid4().hex.encode() + b"@mail.example.org>\r\n\r\nSigue sin luz.\r\n",
        # Only the encoded name: From proves nothing anyway; the signed address is the citizen's.
        b"From: =?utf-8?q?Bob=0D=0ABcc:_" + evil.encode() + b"?=\r\nTo: " + reply_to + b"\r\n\r\nHola.\r\n",
        # The encoded CR/LF in To's display name: the signed address is still read.
        b"From: " + opened.email.encode() + b"\r\nTo: =?utf-8?q?Muni=0D=0ABcc:_" + evil.encode() + b"?= <"
        + reply_to + b">\r\nMessage-ID: <" + uuid.uuid4().hex.encode() + b"@m.example.org>\r\n\r\nOtra vez.\r\n",
    ]
    async with srv.client() as provider:
        statuses = [(await post_mail(provider, raw)).status_code for raw in raws]
    assert statuses == [200, 200, 200]
    async with srv.ctx.sessions() as session:
        found = await tickets_repo.messages(session, opened.id)
    posted = [m for m in found if m.origen == "email"]
    assert [m.text for m in posted] == ["Sigue sin luz.", "Hola.", "Otra vez."]
    assert all("\r" not in (m.author_name or "") and "\n" not in (m.author_name or "") for m in posted)
    await settled(srv, opened.id)
    assert smtp.inbox.to(evil) == []
    for mail in smtp.inbox.to(inbox_address):
        assert mail["Bcc"] is None and evil not in str(mail["Subject"])


@pytest.mark.parametrize("parallel", [10])
async def test_one_message_id_posts_once_whatever_the_race_case_or_spacing(
    srv: Server, smtp: Smtp, parallel: int
) -> None:
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    reply_to = str((await smtp.inbox.wait_for(opened.email))[0]["Reply-To"])
    message_id = f"<Reply-{uuid.uuid4().hex}@Mail.Example.org>"
    raw = reply_mail(reply_to, opened.email, "Una sola vez.", message_id=message_id)
    async with srv.client() as provider:
        answers = await asyncio.gather(*(post_mail(provider, raw) for _ in range(parallel)))
        assert [a.status_code for a in answers] == [200] * parallel, [a.text for a in answers]
        assert sorted(a.json().get("ignorado") or "posted" for a in answers) == ["duplicado"] * (parallel - 1) + [
            "posted"
        ]
        # The same Message-ID in other case and spacing is the same message.
        for variant in (message_id.lower(), message_id.upper(), f"  < {message_id.strip('<>')} >"):
            again = await post_mail(provider, reply_mail(reply_to, opened.email, "Una sola vez.", message_id=variant))
            assert again.status_code == 200 and again.json()["ignorado"] == "duplicado", (variant, again.text)
    assert [m[2] for m in await email_messages(srv, opened.id)] == ["Una sola vez."]


async def test_an_email_without_message_id_posts_once_on_every_redelivery(srv: Server, smtp: Smtp) -> None:
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    reply_to = str((await smtp.inbox.wait_for(opened.email))[0]["Reply-To"])
    date = {"Date": "Mon, 07 Dec 2026 10:00:00 -0300"}
    raw = reply_mail(reply_to, opened.email, "Sin identificador.", message_id=None, **date)
    async with srv.client() as provider:
        first = await post_mail(provider, raw)
        assert first.status_code == 200 and first.json()["autor"] == "vecino", first.text
        # A redelivery adds trace headers in front; it is still the same email.
        redelivered = b"Received: from mx2.example.org by mx.example.org; Mon, 7 Dec 2026\r\n" + raw
        for again in (raw, redelivered):
            r = await post_mail(provider, again)
            assert r.status_code == 200 and r.json()["ignorado"] == "duplicado", r.text
        newer = reply_mail(reply_to, opened.email, "Otro mensaje.", message_id=None, **date)
        assert (await post_mail(provider, newer)).json()["autor"] == "vecino"
    assert [m[2] for m in await email_messages(srv, opened.id)] == ["Sin identificador.", "Otro mensaje."]


async def test_a_resolved_ticket_emails_the_citizen_once_whatever_the_pages_fire(srv: Server, smtp: Smtp) -> None:
    """Resolving fires send-history from both panels (63f867f1: no body) and both lookup pages (985c1f40: `manual`
    with `?pin=`; 63f867f1: no body, no PIN, after its lookup): one email to the citizen, and no 404 for the pages."""
    tenant = await seed_tenant(srv.ctx)
    opened = await open_ticket(srv, tenant)
    await smtp.inbox.wait_for(opened.email)  # the creation notice
    async with agent_client(srv, tenant) as agent:
        r = await agent.put(f"/tickets/municipio/{opened.id}/estado", json={"estado": "resuelto"})
        assert r.status_code == 200
        fired = await agent.post(f"/tickets/municipio/{opened.id}/send-history")  # DetailsPanel, 63f867f1
        assert fired.status_code == 200 and fired.json()["enviado"] is False, fired.text
    newest_page = {
        "reason": "manual",
        "actor": "user",
        "channels": ["email", "sms"],
        "notify": {"email": True, "sms": True},
    }
    async with srv.client() as page:
        found = await page.get(f"/tickets/municipio/por_numero/{opened.nro}", params={"pin": opened.pin})
        assert found.status_code == 200
        tid = found.json()["id"]
        r = await page.post(
            f"/tickets/municipio/{tid}/send-history",
            params={"pin": opened.pin},
            json=newest_page,
            headers={"X-Anon-Id": "anon-lookup", "Anon-Id": "anon-lookup"},
        )
        assert r.status_code == 200 and r.json()["enviado"] is False, r.text
        # The reference lookup page: no PIN in the call, its lookup cookie instead.
        r = await page.post(f"/tickets/municipio/{tid}/send-history")
        assert r.status_code == 200 and r.json()["enviado"] is False, r.text
    async with srv.client() as stranger:
        r = await stranger.post(f"/tickets/municipio/{opened.id}/send-history")
        assert r.status_code == 404  # without the cookie or the PIN, still nothing to see
    await settled(srv, opened.id)
    mails = smtp.inbox.to(opened.email)
    assert len(mails) == 2, [m["Subject"] for m in mails]  # creation, then the resolution: once
    assert "resuelto" in text_of(mails[1]).lower()
