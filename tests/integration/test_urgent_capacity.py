"""Issue 19, seen on screen: with the demo's admin watching the panel, an urgent chat went to the admin (who takes no
chats in the docs, but whose capacity was the setting's) and waited there. An admin created as `ventanilla demo` and
`users create --rol admin` do it (no capacity of their own) is alerted and never handed a chat. And the chat's
conversation opened on "Agente se unió a la conversación.", before the citizen's own words."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.test_live_panels import newest_panel, reference_panel
from tests.integration.test_newest_frontend import admin_login, slug_of
from tests.support import SELF_HARM, NodeClient, Server, login, node_available, seed_tenant, widget_headers

pytestmark = pytest.mark.skipif(node_available() is not None, reason=str(node_available()))


async def test_an_urgent_chat_goes_to_the_agent_at_capacity_not_to_the_admin_watching(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1, capacity=1, admin_capacity=None)
    slug = await slug_of(server, tenant)
    async with server.client() as agent_http, server.client() as admin_http, server.client() as citizen:
        token = (await admin_login(agent_http, tenant.agents[0]["email"], slug))["token"]
        await login(admin_http, tenant.admin["email"])
        agent_panel = await NodeClient.start(newest_panel(server, token, agent_http, slug, None))
        admin_panel = await NodeClient.start(reference_panel(server, admin_http))
        try:
            calm = await citizen.post(
                "/ask/municipio",
                json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
                headers=widget_headers(tenant, str(uuid.uuid4())),
            )
            assert calm.json()["estado"] == "en_vivo", calm.text  # the only agent is now at capacity
            urgent = (
                await citizen.post(
                    "/ask/municipio", json={"pregunta": SELF_HARM}, headers=widget_headers(tenant, str(uuid.uuid4()))
                )
            ).json()
            assert urgent["estado"] == "en_vivo" and tenant.agents[0]["name"].split()[0] in urgent["respuesta"]
            detail = (await agent_http.get(f"/tickets/municipio/{urgent['ticket_id']}")).json()
            assert detail["assigned_agent_id"] == tenant.agents[0]["id"]
            # The conversation both panels and a reloaded widget show starts with what the citizen wrote.
            said = (await agent_http.get(f"/tickets/chat/{urgent['ticket_id']}/mensajes")).json()["mensajes"]
            assert [m["comentario"] for m in said][:2] == [
                SELF_HARM,
                f"{tenant.agents[0]['name']} se unió a la conversación.",
            ]
            assert said[0]["es_admin"] is False and "135" in said[2]["comentario"]
            alert = (await admin_panel.wait_for("urgent_ticket"))[0]  # the admin is still alerted
            assert alert["ticket_id"] == urgent["ticket_id"]
        finally:
            await agent_panel.close()
            await admin_panel.close()
