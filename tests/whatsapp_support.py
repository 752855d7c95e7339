"""WhatsApp helpers for the integration tests: signed webhook payloads, a configured number, polling reads."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.conftest import base_settings
from tests.fake_graph import FakeGraph
from tests.support import (
    Server,
    Tenant,
    seed_tenant,
    widget_headers,
    widget_update,
)
from ventanilla.chat import keys
from ventanilla.entities import service as entities
from ventanilla.knowledge import service as knowledge
from ventanilla.knowledge.cli import demo_csv
from ventanilla.settings import Settings
from ventanilla.tickets import service as tickets
from ventanilla.tickets.models import Ticket
from ventanilla.whatsapp import service as wa_service
from ventanilla.whatsapp.models import InboundEvent, OutboundMessage
from ventanilla.whatsapp.schemas import sign

APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"


def wa_settings(tmp: Path, url: str, graph: FakeGraph, **extra: Any) -> Settings:
    return base_settings(
        tmp,
        url,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_api_base=graph.base,
        whatsapp_timeout_seconds=0.5,
        job_retry_base_seconds=0.05,
        job_poll_seconds=0.2,
        **extra,
    )


def tune(server: Server) -> None:
    """Fast retries for the tests."""
    runtime = wa_service.runtime_of(server.ctx)
    runtime.status_defer_seconds = 0.1


@dataclass
class Env:
    server: Server
    graph: FakeGraph
    kind: str
    tmp: Path


@dataclass
class Line:
    """A tenant's WhatsApp number."""

    tenant: Tenant
    phone_number_id: str
    token: str


async def whatsapp_tenant(env: Env, *, template: str | None = None, **seed: Any) -> Line:
    tenant = await seed_tenant(env.server.ctx, **seed)
    phone_number_id = str(10**14 + secrets.randbelow(10**14))
    token = f"EAAG{secrets.token_hex(16)}"
    async with env.server.ctx.uow() as uow:
        entity = await entities.require(uow.session, tenant.id)
        await wa_service.configure_account(
            uow, entity, phone_number_id=phone_number_id, access_token=token, template_name=template
        )
        await uow.commit()
    env.graph.tokens[phone_number_id] = token
    return Line(tenant, phone_number_id, token)


def new_wa_id() -> str:
    return "549261" + str(secrets.randbelow(10**7)).zfill(7)


def message(wa_id: str, kind: str, part: Any, wamid: str | None = None) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": wamid or f"wamid.IN{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: part,
    }


def text(wa_id: str, body: str, wamid: str | None = None) -> dict[str, Any]:
    return message(wa_id, "text", {"body": body}, wamid)


def button(wa_id: str, option_id: str, title: str = "Opción") -> dict[str, Any]:
    return message(wa_id, "interactive", {"type": "button_reply", "button_reply": {"id": option_id, "title": title}})


def delivery(
    phone_number_id: str, messages: list[Any] | None = None, statuses: list[Any] | None = None, name: str = "Ana Gómez"
) -> dict[str, Any]:
    wa_ids = {m["from"] for m in messages or []}
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5492610000000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": name}, "wa_id": w} for w in wa_ids],
    }
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }


def status(wamid: str, state: str, wa_id: str, errors: list[Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": wamid, "status": state, "timestamp": str(int(time.time())), "recipient_id": wa_id}
    if errors:
        item["errors"] = errors
    return item


async def post(client: httpx.AsyncClient, data: Any, *, signature: str | None = "good") -> httpx.Response:
    raw = json.dumps(data).encode() if not isinstance(data, bytes) else data
    headers = {"Content-Type": "application/json"}
    if signature == "good":
        headers["X-Hub-Signature-256"] = sign(APP_SECRET, raw)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return await client.post("/webhooks/whatsapp", content=raw, headers=headers)


async def say(env: Env, line: Line, *messages: dict[str, Any], replies: int = 1) -> list[Any]:
    """Post messages through the webhook and wait for the bot's `replies` more answers."""
    wa_id = messages[0]["from"]
    before = len(env.graph.accepted(wa_id))
    async with env.server.client() as client:
        r = await post(client, delivery(line.phone_number_id, list(messages)))
        assert r.status_code == 200, r.text
    return (await env.graph.wait_for(before + replies, to=wa_id))[before:]


async def eventually(check: Callable[[], Any], timeout: float = 10) -> Any:
    """Poll an async check until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def scalar(server: Server, stmt: Any) -> Any:
    """One value or detached object, read in its own session."""
    async with server.ctx.sessions() as session:
        value = (await session.execute(stmt)).scalar_one_or_none()
        session.expunge_all()
        return value


async def rows(server: Server, stmt: Any) -> list[Any]:
    """Detached objects, read in their own session."""
    async with server.ctx.sessions() as session:
        found = list((await session.execute(stmt)).scalars().all())
        session.expunge_all()
        return found


async def ticket_of(server: Server, line: Line, wa_id: str) -> Ticket:
    stmt = (
        select(Ticket)
        .where(Ticket.entity_id == line.tenant.id, Ticket.chat_session_key == keys.whatsapp(wa_id))
        .order_by(Ticket.created_at.desc())
        .limit(1)
    )
    ticket = await eventually(lambda: scalar(server, stmt))
    assert isinstance(ticket, Ticket)
    return ticket


async def inbox_count(server: Server, wamid: str) -> int:
    return int(await scalar(server, select(func.count()).select_from(InboundEvent).where(InboundEvent.wamid == wamid)))


async def seed_knowledge(server: Server, tenant_id: int) -> None:
    """The demo municipio's knowledge base, for one tenant."""
    async with server.ctx.uow() as uow:
        await knowledge.import_entries(uow.session, tenant_id, knowledge.parse_csv(demo_csv()))
        await uow.commit()


async def turn_done(wa_env: Env, wamid: str, wa_id: str, timeout: float = 45) -> None:
    """The inbound message was processed and every reply it queued has left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with wa_env.server.ctx.sessions() as session:
            processed = await session.scalar(select(InboundEvent.processed_at).where(InboundEvent.wamid == wamid))
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.wa_id == wa_id, OutboundMessage.status.in_(("draft", "pending", "sending")))
            )
        if processed is not None and not waiting:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"turn {wamid} not done in {timeout}s")


class Widget:
    """One widget conversation: a chat session id and the context the widget echoes."""

    def __init__(self, wa_env: Env, line: Line) -> None:
        self.env, self.line = wa_env, line
        self.key = str(uuid.uuid4())  # the widget's X-Chat-Session-Id
        self.stored = keys.web(self.key)  # the conversation as the server keeps it
        self.context: dict[str, Any] = {"estado_conversacion": "inicio", "datos_reclamo": {}, "id_ticket_creado": None}

    async def ask(self, pregunta: str = "", **extra: Any) -> dict[str, Any]:
        async with self.env.server.client() as client:
            r = await client.post(
                "/ask/municipio",
                json={"pregunta": pregunta, "contexto_previo": self.context, **extra},
                headers=widget_headers(self.line.tenant, self.key),
            )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        self.context = widget_update(self.context, data)
        return data


async def existing(wa_env: Env, line: Line, **fields: Any) -> Ticket:
    """A complaint somebody else filed earlier."""
    async with wa_env.server.ctx.uow() as uow:
        entity = await entities.require(uow.session, line.tenant.id)
        ticket, _ = await tickets.create_ticket(
            uow,
            entity,
            tickets.NewTicket(
                asunto=f"{fields['categoria']}: {fields['descripcion']}",
                chat_session_key=f"someone-else-{uuid.uuid4().hex}",
                nombre="Teresa Ruiz",
                telefono="2614001100",
                **fields,
            ),
        )
        await uow.commit()
        return ticket


async def whatsapp_ticket(wa_env: Env, line: Line, wa_id: str) -> Ticket:
    """A complaint filed from a WhatsApp chat (its session is the number's)."""
    async with wa_env.server.ctx.uow() as uow:
        entity = await entities.require(uow.session, line.tenant.id)
        ticket, _ = await tickets.create_ticket(
            uow,
            entity,
            tickets.NewTicket(
                asunto="Residuos y limpieza: basural",
                descripcion="Basural en el baldío",
                categoria="Residuos y limpieza",
                direccion="Lavalle 2300",
                channel="whatsapp",
                nombre="Verónica Luna",
                telefono=wa_id,
                chat_session_key=keys.whatsapp(wa_id),
            ),
        )
        await uow.commit()
        return ticket
