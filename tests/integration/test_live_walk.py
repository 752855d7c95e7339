"""Issue 19, what a browser walk of both frontend versions still showed wrong (round c)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.test_first_hour import VERSIONS, request_agent, shown, wait_shown
from tests.integration.test_widget_side import need_node, open_widget
from tests.support import NodeClient, Server, Tenant, login, seed_tenant, signed, widget_headers
from ventanilla.bot.urgent import QUESTION

ASK = "/ask/municipio"
QUIET_SELF_HARM = "no quiero seguir viviendo"


async def say(
    client: httpx.AsyncClient, tenant: Tenant, key: str, text: str, context: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
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


async def widget_send(node: NodeClient, text: str, **extra: Any) -> dict[str, Any]:
    """The citizen types in the widget and sends: what the widget then shows (its own bubble first)."""
    start = len(node.events)
    assert node.proc.stdin is not None
    node.proc.stdin.write((json.dumps({"send": {"text": text, **extra}}) + "\n").encode())
    await node.proc.stdin.drain()
    sent = await node._read_until(lambda e: e.get("type") in ("sent", "dropped"), 15)
    assert sent["type"] == "sent", f"the widget was still typing and dropped {text!r}"
    return {"events": node.events[start:], "typing": sent["typing"]}


async def typing_ends(node: NodeClient, timeout: float = 5) -> None:
    """The widget's "typing" dots go away (an answer drew something, or its bot socket heard an empty one)."""
    last = [e for e in node.events if e.get("type") == "typing"]
    if last and last[-1]["value"] is False:
        return
    await node._read_until(lambda e: e.get("type") == "typing" and e["value"] is False, timeout)


def drawn(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["via"], e["text"]) for e in events if e.get("type") == "shown"]


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_live_chat_message_draws_only_the_citizens_bubble(server: Server, version: str) -> None:
    need_node()
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        handoff = await request_agent(citizen, tenant, key)
        node = await open_widget(server, tenant, version, key, response=handoff)
        try:
            for text in ("Se inundó la vereda", "y también la esquina"):
                sent = await widget_send(node, text)
                await typing_ends(node)
                await node.drain(0.3)
                shown_now = drawn(node.events[node.events.index(sent["events"][0]) :])
                if version == "985c1f40":
                    assert shown_now == [("self", text)], shown_now  # nothing else: no "✓ Enviado.", no warning
                else:  # the reference clears "typing" only by drawing a bubble: one short acknowledgement
                    assert shown_now == [("self", text), ("send", "✓ Enviado.")], shown_now
            r = await agent.get(f"/tickets/chat/{handoff['ticket_id']}/mensajes")
            texts = [m["texto"] for m in r.json()["mensajes"]]
            assert "Se inundó la vereda" in texts and "y también la esquina" in texts
        finally:
            await node.close()


async def test_the_agent_reads_what_the_citizen_told_the_bot_before_asking_for_a_person(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        await say(citizen, tenant, key, "", action="initial_greeting")
        first = await say(citizen, tenant, key, "Hola, ¿a qué hora abre el registro civil?")
        second = await say(citizen, tenant, key, "Hay un árbol caído que tapa la vereda", first["contexto_actualizado"])
        handoff = await request_agent(citizen, tenant, key)
        tid = handoff["ticket_id"]

        detail = (await agent.get(f"/tickets/municipio/{tid}")).json()
        lines = [(m["es_admin"], m["comentario"]) for m in detail["mensajes"]]
        before = [
            (False, "Hola, ¿a qué hora abre el registro civil?"),
            (True, first["respuesta"]),
            (False, "Hay un árbol caído que tapa la vereda"),
            (True, second["respuesta"]),
        ]
        assert lines[: len(before)] == before, lines  # in order, before anything of the live chat
        assert [m["author"] for m in detail["mensajes"][:2]] == ["user", "agent"]  # the panel's own keys
        chat = (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]
        assert [m["texto"] for m in chat[: len(before)]] == [t for _, t in before]

        # Once only: a second hand-off in the same conversation reuses the ticket and copies nothing again.
        again = await request_agent(citizen, tenant, key)
        assert again["ticket_id"] == tid
        chat_again = (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]
        assert [m["texto"] for m in chat_again].count("Hay un árbol caído que tapa la vereda") == 1


def reference_cards(heatmap: list[dict[str, Any]]) -> dict[str, int]:
    """What the reference statistics page (EstadisticasPage.tsx) counts from the stats' `heatmap`: points with
    numeric lat/lng only, by the words in their estado."""
    cards = {"abiertos": 0, "en_proceso": 0, "resueltos": 0}
    for point in heatmap:
        if not isinstance(point.get("lat"), int | float) or not isinstance(point.get("lng"), int | float):
            continue
        estado = str(point.get("estado") or "abierto").lower()
        key = (
            "resueltos"
            if "resuelto" in estado or "finalizado" in estado
            else "en_proceso"
            if "proceso" in estado
            else "abiertos"
        )
        cards[key] += 1
    return cards


async def test_statistics_count_live_chats_and_every_estado(server: Server) -> None:
    from tests.support import file_complaint

    tenant = await seed_tenant(server.ctx)
    async with server.client() as citizen, server.client() as admin, server.client() as agent:
        await login(admin, tenant.admin["email"])
        await login(agent, tenant.agents[0]["email"])
        filed = [await file_complaint(citizen, tenant, str(uuid.uuid4())) for _ in range(3)]  # no coordinates
        live = await request_agent(citizen, tenant, str(uuid.uuid4()))
        await agent.post(f"/tickets/municipio/{filed[0]['ticket_id']}/responder", json={"comentario": "Vamos."})
        r = await agent.put(f"/tickets/municipio/{filed[1]['ticket_id']}/estado", json={"estado": "resuelto"})
        assert r.status_code == 200, r.text

        stats = (await admin.get("/estadisticas/tickets?tipo=municipio")).json()
        by_estado = {c["title"]: c["data"] for c in stats["charts"]}["Tickets por estado"]
        live_name = "Chat en espera de un representante" if live["estado"] == "esperando_agente_en_vivo" else ""
        assert by_estado == {"En proceso": 1, "Resuelto": 1, "Nuevo": 1, live_name: 1}
        assert reference_cards(stats["heatmap"]) == {"abiertos": 2, "en_proceso": 1, "resueltos": 1}
        assert {p["id"] for p in stats["heatmap"]} == {f["ticket_id"] for f in filed} | {live["ticket_id"]}
        assert all(p["weight"] == 0 for p in stats["heatmap"])  # nothing placed: no heat on the profile's map
        heat = (await admin.get("/estadisticas/mapa_calor/datos?tipo=municipio")).json()
        assert heat == []  # the heat map itself keeps open tickets with a place only


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_urgent_complaint_an_agent_answers_becomes_a_live_chat_in_the_widget(
    server: Server, version: str
) -> None:
    need_node()
    from tests.integration.test_first_hour import GAS

    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        urgent = await say(citizen, tenant, key, GAS)  # nobody online: urgent, filed, not a live chat
        assert urgent["prioridad"] == "urgente" and urgent["estado"] == "nuevo", urgent
        node = await open_widget(server, tenant, version, key, response=urgent)
        try:
            await login(agent, tenant.agents[0]["email"])
            tid = urgent["ticket_id"]
            r = await agent.post(f"/tickets/municipio/{tid}/responder", json={"comentario": "Hola, ¿seguís ahí?"})
            assert r.status_code == 200, r.text
            detail = (await agent.get(f"/tickets/municipio/{tid}")).json()
            assert detail["estado"] == "en_vivo" and detail["assigned_agent_id"] == tenant.agents[0]["id"]
            await wait_shown(node, 2)  # who took it, and the reply
            if version == "985c1f40" and not any(e.get("type") == "room" for e in node.events):
                await node._read_until(lambda e: e.get("type") == "room", 10)  # it joins the room now
            await node.drain(0.3)
            texts = [e["text"] for e in shown(node)]
            assert texts.count(signed(tenant.agents[0], "Hola, ¿seguís ahí?")) == 1 and any(
                "se unió" in t for t in texts
            ), texts
            # From now on it is the live chat of both widgets: the next reply comes in the ticket room, once.
            before = len(shown(node))
            r = await agent.post(
                f"/tickets/municipio/{tid}/responder", json={"comentario": "Ya llamamos a la guardia."}
            )
            assert r.status_code == 200
            await wait_shown(node, before + 1)
            await node.drain(0.3)
            assert [(e["via"], e["text"]) for e in shown(node)[before:]] == [
                ("new_chat_message", signed(tenant.agents[0], "Ya llamamos a la guardia."))
            ]
            sent = await widget_send(node, "Sí, acá estoy, salí de la casa")
            await typing_ends(node)
            assert sent["events"][0]["text"] == "Sí, acá estoy, salí de la casa"
            chat = (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]
            assert chat[-1]["texto"] == "Sí, acá estoy, salí de la casa" and chat[-1]["es_admin"] is False
        finally:
            await node.close()
