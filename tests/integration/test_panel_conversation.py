"""Issue 19, what the agent reads in both panels and what the citizen's widget shows of the agent, driven as each
frontend version drives the backend: a filed complaint opens on the citizen's own words, a hand-off typed as the
first message is in the conversation, and the widget names the agent and hears every status change."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.integration.test_first_hour import VERSIONS, request_agent, start_widget, wait_shown, widget
from tests.integration.test_newest_frontend import admin_login, slug_of
from tests.support import Server, Tenant, file_complaint, login, node_available, seed_tenant
from ventanilla.tickets.schemas import AGENT_SIGNATURE


async def panel_clients(
    server: Server, tenant: Tenant, ref_http: httpx.AsyncClient, newest_http: httpx.AsyncClient
) -> list[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The reference panel calls with the login cookie; the newest with `Authorization: Bearer` (its admin login)."""
    await login(ref_http, tenant.agents[0]["email"])
    token = (await admin_login(newest_http, tenant.agents[0]["email"], await slug_of(server, tenant)))["token"]
    return [(ref_http, {}), (newest_http, {"Authorization": f"Bearer {token}"})]


def as_panel_reads(raw: dict[str, Any]) -> dict[str, Any]:
    """`getTicketMessages` of both versions: author from `es_admin`, text from `content`, id kept."""
    return {"id": raw["id"], "author": "agent" if raw["es_admin"] else "user", "content": raw["content"]}


async def conversation(http: httpx.AsyncClient, headers: dict[str, str], ticket_id: int) -> list[dict[str, Any]]:
    """What ConversationPanel draws: `/tickets/chat/{id}/mensajes`, as both versions read it."""
    answer = await http.get(f"/tickets/chat/{ticket_id}/mensajes", headers=headers)
    assert answer.status_code == 200, answer.text
    return [as_panel_reads(m) for m in answer.json()["mensajes"]]


async def test_a_filed_complaint_opens_on_the_citizens_words_in_both_panels(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as ref_http, server.client() as newest_http:
        ticket_id = (await file_complaint(citizen, tenant, key))["ticket_id"]
        panels = await panel_clients(server, tenant, ref_http, newest_http)
        http, headers = panels[0]
        detail = (await http.get(f"/tickets/municipio/{ticket_id}", headers=headers)).json()
        words = detail["descripcion"]
        assert "luminaria apagada" in words
        for http, headers in panels:
            said = await conversation(http, headers, ticket_id)
            # Was "No hay mensajes" and "0 del vecino": the complaint's words are the citizen's first message.
            assert said == [{"id": f"descripcion-{ticket_id}", "author": "user", "content": words}]

        # The detail the panels may store in the selected ticket carries it too, first.
        assert detail["mensajes"][0]["es_descripcion"] is True and detail["mensajes"][0]["es_admin"] is False

        http, headers = panels[1]
        reply = await http.post(
            f"/tickets/municipio/{ticket_id}/responder",
            json={"comentario": "Mañana pasa la cuadrilla."},
            headers=headers,
        )
        assert reply.status_code == 200, reply.text
        for http, headers in panels:
            said = await conversation(http, headers, ticket_id)
            assert said[0]["content"] == words and said[-1] == {
                "id": reply.json()["mensaje"]["id"],
                "author": "agent",
                "content": "Mañana pasa la cuadrilla.",
            }
            assert [m["author"] for m in said].count("user") == 1  # the newest panel's "1 del vecino"
            assert len({m["id"] for m in said}) == len(said)

        # A cursor read (a reconnecting client) and the citizen's own reads never get it.
        first = reply.json()["mensaje"]["id"]
        again = await ref_http.post(f"/tickets/municipio/{ticket_id}/responder", json={"comentario": "Ya salió."})
        assert again.status_code == 200, again.text
        later = await ref_http.get(f"/tickets/chat/{ticket_id}/mensajes", params={"ultimo_mensaje_id": first})
        assert [m["id"] for m in later.json()["mensajes"]] == [again.json()["mensaje"]["id"]]
        own = await citizen.get(f"/tickets/chat/{ticket_id}/mensajes", headers=widget(tenant, key))
        assert own.status_code == 200, own.text
        assert all(not m.get("es_descripcion") for m in own.json()["mensajes"])


async def test_a_hand_off_typed_as_the_first_message_is_in_the_agents_conversation(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    line = "HOLA NESESITO HABLAR CON UNA PERSONA NO CON UNA MAQUINA"
    async with server.client() as citizen, server.client() as ref_http, server.client() as newest_http:
        ask = f"/ask/{tenant.tipo}"
        greeted = await citizen.post(
            ask, json={"pregunta": "", "action": "initial_greeting"}, headers=widget(tenant, key)
        )
        assert greeted.status_code == 200, greeted.text
        answer = (await citizen.post(ask, json={"pregunta": line}, headers=widget(tenant, key))).json()
        if not answer.get("ticket_id"):  # the bot may offer the button first: the widget then sends its action
            answer = await request_agent(citizen, tenant, key)
        ticket_id = answer["ticket_id"]
        for http, headers in await panel_clients(server, tenant, ref_http, newest_http):
            said = await conversation(http, headers, ticket_id)
            assert [m["content"] for m in said if m["author"] == "user"] == [line]

        # A second "Hablar con un representante" reuses the chat and copies nothing again.
        again = await request_agent(citizen, tenant, key)
        assert again["ticket_id"] == ticket_id
        said = await conversation(ref_http, {}, ticket_id)
        assert [m["content"] for m in said if m["author"] == "user"] == [line]


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_widget_names_the_agent_and_hears_each_status_change(server: Server, version: str) -> None:
    if reason := node_available():
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_http:
        filed = await file_complaint(citizen, tenant, key)
        ticket_id, nro = filed["ticket_id"], filed["nro_ticket"]
        # 63f867f1 joins ticket_municipio_{id} for the filed complaint (news as `new_chat_message`); 985c1f40 only
        # keeps its bot socket (news as `message` in the chat-session room).
        node = await start_widget(server, tenant, version, key, filed)
        try:
            await login(agent_http, tenant.agents[0]["email"])
            before = len([e for e in node.events if e.get("type") == "shown"])
            status = await agent_http.put(f"/tickets/municipio/{ticket_id}/estado", json={"estado": "en_proceso"})
            assert status.status_code == 200, status.text
            reply = await agent_http.post(
                f"/tickets/municipio/{ticket_id}/responder", json={"comentario": "Hola Ana, ya mandamos la orden."}
            )
            assert reply.status_code == 200, reply.text
            resolved = await agent_http.put(f"/tickets/municipio/{ticket_id}/estado", json={"estado": "resuelto"})
            assert resolved.status_code == 200, resolved.text
            drawn = (await wait_shown(node, before + 3))[before:]
            signature = AGENT_SIGNATURE.format(name=tenant.agents[0]["name"])
            assert [(e["text"], e["es_admin"]) for e in drawn] == [
                (f"Tu reclamo N.º {nro} está en proceso: ya lo estamos atendiendo.", True),
                (f"{signature}\nHola Ana, ya mandamos la orden.", True),
                (f"¡Buenas noticias! Tu reclamo N.º {nro} quedó resuelto. Gracias por avisarnos.", True),
            ]
            assert {e["via"] for e in drawn} == {"new_chat_message" if version == "63f867f1" else "message"}
        finally:
            await node.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_live_chat_shows_the_agents_name_in_the_widget(server: Server, version: str) -> None:
    if reason := node_available():
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent_http:
        handoff = await request_agent(citizen, tenant, key)
        node = await start_widget(server, tenant, version, key, handoff)
        try:
            await login(agent_http, tenant.agents[0]["email"])
            before = len([e for e in node.events if e.get("type") == "shown"])
            reply = await agent_http.post(
                f"/tickets/municipio/{handoff['ticket_id']}/responder", json={"comentario": "Buen día, soy yo."}
            )
            assert reply.status_code == 200, reply.text
            drawn = (await wait_shown(node, before + 2))[before:]
            signature = AGENT_SIGNATURE.format(name=tenant.agents[0]["name"])
            # The agent joins (a system line), then the reply under the agent's name, both in the ticket room.
            assert drawn[-1]["text"] == f"{signature}\nBuen día, soy yo." and drawn[-1]["via"] == "new_chat_message"
            assert all(not e["text"].startswith(signature) for e in drawn[:-1])
        finally:
            await node.close()
