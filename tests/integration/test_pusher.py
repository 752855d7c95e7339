"""Pusher publication against a local HTTP endpoint standing in for the Pusher REST API."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.conftest import base_settings
from tests.support import Clock, free_port, login, running_server, seed_tenant


async def test_agent_and_citizen_messages_are_published_to_pusher(tmp_root: Path) -> None:
    received: list[dict[str, Any]] = []

    async def events(request: web.Request) -> web.Response:
        assert request.match_info["app_id"] == "4242"
        assert request.query.get("auth_key") == "pk" and request.query.get("auth_signature")
        received.append(json.loads(await request.text()))
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/apps/{app_id}/events", events)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    settings = base_settings(
        tmp_root / f"pusher-{uuid.uuid4().hex[:6]}",
        f"sqlite+aiosqlite:///{tmp_root / f'pusher-{uuid.uuid4().hex[:6]}.db'}",
        pusher_app_id="4242",
        pusher_key="pk",
        pusher_secret="ps",
        pusher_host="127.0.0.1",
        pusher_port=port,
        pusher_ssl=False,
    )
    try:
        async with running_server(settings, Clock()) as server:
            tenant = await seed_tenant(server.ctx, agents=1)
            key = str(uuid.uuid4())
            headers = {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": key}
            async with server.client() as citizen, server.client() as agent:
                await login(agent, tenant.agents[0]["email"])
                handoff = (
                    await citizen.post(
                        "/ask/municipio", json={"pregunta": "", "action": "request_agent"}, headers=headers
                    )
                ).json()
                tid = handoff["ticket_id"]
                await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Hola, soy el agente"})
                await citizen.post(
                    f"/tickets/chat/{tid}/responder_ciudadano", json={"comentario": "Hola agente"}, headers=headers
                )
                for _ in range(100):
                    if len(received) >= 3:
                        break
                    await asyncio.sleep(0.05)
        by_content = {json.loads(e["data"])["content"]: e for e in received}
        agent_event = by_content["Hola, soy el agente"]
        assert agent_event["name"] == "nuevo-mensaje" and agent_event["channels"] == [f"ticket-municipio-{tid}"]
        data = json.loads(agent_event["data"])
        assert data["author"] == "agent" and data["id"] and data["timestamp"]
        assert json.loads(by_content["Hola agente"]["data"])["author"] == "user"
    finally:
        await runner.cleanup()
