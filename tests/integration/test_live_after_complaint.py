"""A person asked for after filing a complaint in the same conversation joins that complaint (no second ticket), and
the citizen reads who took the chat once, in the answer: driven as each widget version and each panel version drive
the backend (the widget's own requests and sockets through tests/js/widget.mjs, both panels' sockets and reads)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.test_after_complaint import citizen_lines, estado_of, tickets_of
from tests.integration.test_first_hour import VERSIONS, shown, start_widget, widget
from tests.integration.test_live_panels import newest_panel, reference_panel
from tests.integration.test_newest_frontend import admin_login, slug_of
from tests.integration.test_panel_conversation import conversation
from tests.integration.test_widget_side import open_widget
from tests.support import (
    NodeClient,
    Server,
    Tenant,
    agent_online,
    file_complaint,
    login,
    node_available,
    seed_tenant,
    signed,
)

pytestmark = pytest.mark.skipif(node_available() is not None, reason=str(node_available()))

ASKS_FOR_A_PERSON = "puedo hablar con alguien? quiero saber cuando lo arreglan"
BUTTON = {"text": "Quisiera hablar con un representante", "action": "request_agent"}


async def types(node: NodeClient, text: str, **extra: Any) -> dict[str, Any]:
    """The citizen types in the widget and sends (handleSend): its /ask answer, once the widget stopped typing."""
    assert node.proc.stdin is not None
    node.proc.stdin.write((json.dumps({"send": {"text": text, **extra}}) + "\n").encode())
    await node.proc.stdin.drain()
    await node._read_until(lambda e: e.get("type") == "sent" and e.get("text") == text, 10)
    answer = [e for e in node.events if e.get("type") == "answer"][-1]
    assert answer["status"] == 200, answer
    body: dict[str, Any] = answer["body"]
    return body


async def panels(
    server: Server, tenant: Tenant, newest_http: httpx.AsyncClient, ref_http: httpx.AsyncClient, ticket_id: int
) -> tuple[NodeClient, NodeClient]:
    """Both panels of the one agent, the newest with the complaint's conversation open; the agent is online."""
    slug = await slug_of(server, tenant)
    token = (await admin_login(newest_http, tenant.agents[0]["email"], slug))["token"]
    await login(ref_http, tenant.agents[0]["email"])
    newest = await NodeClient.start(newest_panel(server, token, newest_http, slug, f"ticket-municipio-{ticket_id}"))
    reference = await NodeClient.start(reference_panel(server, ref_http))
    await agent_online(server, tenant)
    return newest, reference


def joins(texts: list[str]) -> list[str]:
    return [t for t in texts if "se unió" in t or "se sumó" in t]


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_person_asked_for_after_a_complaint_joins_it_in_the_widget_and_both_panels(
    server: Server, version: str
) -> None:
    tenant = await seed_tenant(server.ctx)
    agent = tenant.agents[0]
    key = str(uuid.uuid4())
    async with server.client() as http, server.client() as newest_http, server.client() as ref_http:
        filed = await file_complaint(http, tenant, key)
        ticket_id, nro = filed["ticket_id"], filed["nro_ticket"]
        newest, reference = await panels(server, tenant, newest_http, ref_http, ticket_id)
        node = await start_widget(server, tenant, version, key, filed)
        try:
            # 63f867f1 listens to the complaint's room since it was filed; 985c1f40 only to a live chat's.
            assert any(e.get("type") == "room" for e in node.events) is (version == "63f867f1")
            before = len(shown(node))
            answer = await types(node, ASKS_FOR_A_PERSON)
            assert answer["ticket_id"] == ticket_id and answer["nro_ticket"] == nro, answer
            assert answer["estado"] == "en_vivo" and await tickets_of(server, tenant) == 1
            assert answer["respuesta"] == (
                f"Te estamos conectando con una persona del equipo por tu reclamo N.º {nro}. "
                f"{agent['name']} se sumó a la conversación."
            )
            if version == "985c1f40":  # it joins the room of the live chat the answer names: the complaint's
                room = await node._read_until(lambda e: e.get("type") == "room", 10)
                assert room["room"] == f"ticket_municipio_{ticket_id}" and room["ack"]["ok"] is True

            # The agent sees the request in the complaint, live, in the shape each panel reads.
            (request,) = await _comment(newest, ASKS_FOR_A_PERSON)
            assert request["ticket_id"] == ticket_id and request["comment"]["es_admin"] is False
            assert "estado" not in request  # a message never redraws the newest panel's conversation
            (ref_request,) = await _comment(reference, ASKS_FOR_A_PERSON)
            assert ref_request["ticketId"] == ticket_id

            # The agent answers in the complaint; the widget shows it once, under the agent's name.
            reply = await ref_http.post(
                f"/tickets/municipio/{ticket_id}/responder", json={"comentario": "Hola Ana, mañana va la cuadrilla."}
            )
            assert reply.status_code == 200, reply.text
            while signed(agent, "Hola Ana, mañana va la cuadrilla.") not in [e["text"] for e in shown(node)]:
                await node._read_until(lambda e: e.get("type") == "shown", 10)

            # The citizen's reply lands in the same complaint and reaches both panels' open conversation.
            said = await types(node, "Gracias! mañana estoy en casa todo el día")
            assert said.get("ticket_id") == ticket_id, said
            (mine,) = await _comment(newest, "Gracias! mañana estoy en casa todo el día")
            assert mine["ticket_id"] == ticket_id and mine["comment"]["es_admin"] is False and "estado" not in mine
            (ref_mine,) = await _comment(reference, "Gracias! mañana estoy en casa todo el día")
            assert ref_mine["ticketId"] == ticket_id
            lines = [m.text for m in await citizen_lines(server, ticket_id)]
            assert lines[-2:] == [ASKS_FOR_A_PERSON, "Gracias! mañana estoy en casa todo el día"]
            assert await tickets_of(server, tenant) == 1

            # One join notice in the widget, in the answer after "Te estamos conectando…".
            await node.drain(0.3)
            texts = [e["text"] for e in shown(node)[before:]]
            assert joins(texts) == [answer["respuesta"]], texts
            assert texts.index(answer["respuesta"]) < texts.index(signed(agent, "Hola Ana, mañana va la cuadrilla."))

            # Both panels read the whole conversation of the one ticket: the complaint's words, the request, the
            # agent taking it, the reply, the citizen's answer.
            said_there = [m["content"] for m in await conversation(ref_http, {}, ticket_id)]
            assert said_there[1:] == [
                ASKS_FOR_A_PERSON,
                f"{agent['name']} se unió a la conversación.",
                answer["respuesta"],  # the hand-off answer, kept for the panels and a reload (branch live2)
                "Hola Ana, mañana va la cuadrilla.",
                "Gracias! mañana estoy en casa todo el día",
            ], said_there
            # …and both panels heard the join too (the panels are told; only the citizen's widget is not).
            for panel in (newest, reference):
                assert await _comment(panel, f"{agent['name']} se unió a la conversación.")
        finally:
            for client in (node, newest, reference):
                await client.close()


async def _comment(panel: NodeClient, text: str) -> list[dict[str, Any]]:
    """The `new_comment` events of a panel that carry a message with this text (waiting for the first)."""
    while not (found := [e for e in panel.named("new_comment") if e["comment"].get("comentario") == text]):
        await panel._read_until(lambda e: e.get("name") == "new_comment", 10)
    return found


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_button_joins_the_latest_complaint_and_a_resolved_one_gets_a_new_chat(
    server: Server, version: str
) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as http, server.client() as agent_http:
        await login(agent_http, tenant.agents[0]["email"])
        first = await file_complaint(http, tenant, key)
        second = await file_complaint(http, tenant, key)
        node = await start_widget(server, tenant, version, key, second)
        try:
            # Two complaints filed: the button's live chat is the latest one, nobody online, so it waits first.
            answer = await types(node, **BUTTON)
            assert answer["ticket_id"] == second["ticket_id"], answer
            assert answer["estado"] == "esperando_agente_en_vivo" and "por tu reclamo N.º" in answer["respuesta"]
            assert await estado_of(server, first["ticket_id"]) == "nuevo"
            assert await tickets_of(server, tenant) == 2
            # The button's canned words are no line of the citizen's: nothing added to the complaint.
            assert await citizen_lines(server, second["ticket_id"]) == []
            if version == "985c1f40":
                room = await node._read_until(lambda e: e.get("type") == "room", 10)
                assert room["room"] == f"ticket_municipio_{second['ticket_id']}"
            said = await types(node, "hola? sigo acá")
            assert said.get("ticket_id") == second["ticket_id"], said
            assert [m.text for m in await citizen_lines(server, second["ticket_id"])] == ["hola? sigo acá"]
        finally:
            await node.close()

        # The agent resolves it (the chat ends); a person asked for again is a new live chat, not a reopening.
        closed = await agent_http.put(f"/tickets/municipio/{second['ticket_id']}/estado", json={"estado": "resuelto"})
        assert closed.status_code == 200, closed.text
        again = await http.post(
            "/ask/municipio", json={"pregunta": "quiero hablar con una persona"}, headers=widget(tenant, key)
        )
        assert again.status_code == 200, again.text
        body = again.json()
        assert body["ticket_id"] not in (first["ticket_id"], second["ticket_id"]), body
        assert "(atención N.º" in body["respuesta"] and await estado_of(server, second["ticket_id"]) == "resuelto"
        assert await tickets_of(server, tenant) == 3


async def test_a_person_asked_for_about_another_matter_is_a_new_chat(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as http:
        filed = await file_complaint(http, tenant, key)
        r = await http.post(
            "/ask/municipio", json={"pregunta": "quiero hablar con alguien por otro tema"}, headers=widget(tenant, key)
        )
        assert r.status_code == 200, r.text
        assert r.json()["ticket_id"] != filed["ticket_id"] and await estado_of(server, filed["ticket_id"]) == "nuevo"


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_chat_taken_at_once_shows_one_join_notice_after_the_connecting_line(
    server: Server, version: str
) -> None:
    tenant = await seed_tenant(server.ctx)
    agent = tenant.agents[0]
    key = str(uuid.uuid4())
    async with server.client() as newest_http, server.client() as ref_http:
        slug = await slug_of(server, tenant)
        token = (await admin_login(newest_http, agent["email"], slug))["token"]
        await login(ref_http, agent["email"])
        newest = await NodeClient.start(newest_panel(server, token, newest_http, slug, None))
        await agent_online(server, tenant)
        node = await open_widget(server, tenant, version, key)  # a page load: greeting, no ticket yet
        try:
            before = len(shown(node))
            answer = await types(node, "quiero hablar con una persona")
            assert answer["estado"] == "en_vivo", answer
            await node._read_until(lambda e: e.get("type") == "room", 10)  # both versions join a live chat's room
            reply = await ref_http.post(
                f"/tickets/municipio/{answer['ticket_id']}/responder", json={"comentario": "Hola, te leo."}
            )
            assert reply.status_code == 200, reply.text
            while signed(agent, "Hola, te leo.") not in [e["text"] for e in shown(node)]:
                await node._read_until(lambda e: e.get("type") == "shown", 10)
            await node.drain(0.3)
            texts = [e["text"] for e in shown(node)[before:]]
            # Was: "… se unió a la conversación." from the socket, then "Te estamos conectando … se sumó …".
            assert texts == [
                "quiero hablar con una persona",
                f"Te estamos conectando con una persona del equipo (atención N.º {answer['nro_ticket']}). "
                f"{agent['name']} se sumó a la conversación.",
                signed(agent, "Hola, te leo."),
            ], texts
            # The panel still hears who took it.
            assert await _comment(newest, f"{agent['name']} se unió a la conversación.")
        finally:
            await node.close()
            await newest.close()


async def test_the_joined_complaint_gets_the_turns_since_it_was_filed_not_the_intake(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as http, server.client() as agent_http:
        filed = await file_complaint(http, tenant, key)
        ticket_id = filed["ticket_id"]
        aside = await http.post(
            "/ask/municipio", json={"pregunta": "¿qué horario tienen?"}, headers=widget(tenant, key)
        )
        assert aside.status_code == 200 and not aside.json().get("ticket_id"), aside.text
        joined = await http.post(
            "/ask/municipio",
            json={"pregunta": BUTTON["text"], "action": "request_agent"},
            headers=widget(tenant, key),
        )
        assert joined.json()["ticket_id"] == ticket_id, joined.text
        await login(agent_http, tenant.agents[0]["email"])
        said = [(m["author"], m["content"]) for m in await conversation(agent_http, {}, ticket_id)]
        # The complaint's words (its description), then the aside and the bot's answer; no intake turn again.
        assert said[1:] == [
            ("user", "¿qué horario tienen?"),
            ("agent", aside.json()["respuesta"]),
            ("agent", joined.json()["respuesta"]),  # the hand-off answer, kept for the panels (branch live2)
        ], said
        assert not any("Av. San Martín" in text for _, text in said[1:])
