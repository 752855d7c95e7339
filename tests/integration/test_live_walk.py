"""Issue 19, what a browser walk of both frontend versions still showed wrong (round c)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support import Server, Tenant, seed_tenant, widget_headers
from ventanilla.bot.urgent import QUESTION

ASK = "/ask/municipio"
QUIET_SELF_HARM = "no quiero seguir viviendo"


async def say(client: httpx.AsyncClient, tenant: Tenant, key: str, text: str, context: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"pregunta": text, "tipo_chat": "municipio", **extra}
    if context is not None:
        body["contexto_previo"] = context
    r = await client.post(ASK, json=body, headers=widget_headers(tenant, key))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def start_complaint(client: httpx.AsyncClient, tenant: Tenant, key: str) -> dict[str, Any]:
    """The widget's greeting, then a complaint the bot asks the address of."""
    await say(client, tenant, key, "", action="initial_greeting")
    asked = await say(client, tenant, key, "Hay un bache enorme en la calle")
    assert asked["contexto_actualizado"]["estado_conversacion"] == "recolectando_info"
    assert "dirección" in asked["respuesta"]
    return asked


async def test_quiet_self_harm_at_the_address_step_is_screened(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1)
    async with server.client() as citizen:
        key = str(uuid.uuid4())
        asked = await start_complaint(citizen, tenant, key)
        answer = await say(citizen, tenant, key, QUIET_SELF_HARM, asked["contexto_actualizado"])
        assert answer.get("prioridad") == "urgente" and isinstance(answer.get("ticket_id"), int), answer
        assert "135" in answer["respuesta"] or "0800" in answer["respuesta"], answer["respuesta"]

        key = str(uuid.uuid4())  # said so quietly that it could be a cancel: the bot asks instead of cancelling
        asked = await start_complaint(citizen, tenant, key)
        answer = await say(citizen, tenant, key, "no quiero seguir", asked["contexto_actualizado"])
        assert answer["respuesta"] == QUESTION and "ticket_id" not in answer

        key = str(uuid.uuid4())  # a street named after a danger is still an address
        asked = await start_complaint(citizen, tenant, key)
        answer = await say(citizen, tenant, key, "Av. Incendio 55", asked["contexto_actualizado"])
        assert answer.get("prioridad") != "urgente" and answer["respuesta"] != QUESTION
