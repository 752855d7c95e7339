"""Urgent citizen messages through /ask: immediate safety answer, urgent ticket, panel event, path to a human."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid

from tests.support import Server, SocketRecorder, Tenant, login, seed_tenant, session_cookie_header

ASK = "/ask/municipio"
GAS = "hay olor a gas muy fuerte en la cocina, tengo miedo"
FIRE = "hay un incendio en la casa de al lado, sale humo negro"


def headers(tenant: Tenant, key: str) -> dict[str, str]:
    """Widget headers."""
    return {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": key}


async def test_urgent_message_inside_hours_offers_an_agent(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1)
    async with server.client() as citizen, server.client() as admin:
        await login(admin, tenant.admin["email"])
        panel = await SocketRecorder().connect(server.url, headers=session_cookie_header(admin))
        try:
            key = str(uuid.uuid4())
            r = await citizen.post(
                ASK,
                json={"pregunta": GAS, "contexto_previo": {"estado_conversacion": "inicio"}},
                headers=headers(tenant, key),
            )
            answer = r.json()
            assert r.status_code == 200 and answer["prioridad"] == "urgente" and answer["urgente"] is True
            assert "911" in answer["respuesta"] or "100" in answer["respuesta"]
            assert {"texto": "Hablar con un representante", "action": "request_agent"} in answer["botones"]
            (event,) = await panel.wait_for("new_ticket")
            assert event["id"] == answer["ticket_id"] and event["prioridad"] == "urgente"
            timeline = (await admin.get(f"/tickets/municipio/{answer['ticket_id']}/timeline")).json()["timeline"]
            escalation = [item for item in timeline if item["tipo"] == "urgencia"]
            assert escalation and escalation[0]["valor"] == "gas" and escalation[0]["detalle"]
            handoff = (
                await citizen.post(ASK, json={"pregunta": "", "action": "request_agent"}, headers=headers(tenant, key))
            ).json()
            assert handoff["ticket_id"] == answer["ticket_id"] and handoff["estado"] == "esperando_agente_en_vivo"
        finally:
            await panel.close()


async def test_urgent_chat_jumps_the_queue_when_the_entity_opens_live_chat_directly(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1, capacity=1, config={"auto_open_live_chat": True})
    async with server.client() as calm, server.client() as urgent, server.client() as agent:
        waiting = (
            await calm.post(
                ASK, json={"pregunta": "", "action": "request_agent"}, headers=headers(tenant, str(uuid.uuid4()))
            )
        ).json()
        answer = (await urgent.post(ASK, json={"pregunta": FIRE}, headers=headers(tenant, str(uuid.uuid4())))).json()
        assert answer["estado"] == "esperando_agente_en_vivo" and answer["prioridad"] == "urgente"
        await login(agent, tenant.agents[0]["email"])
        socket = await SocketRecorder().connect(server.url, headers=session_cookie_header(agent))
        try:
            for _ in range(50):
                first = (await agent.get(f"/tickets/municipio/{answer['ticket_id']}")).json()
                if first["estado"] == "en_vivo":
                    break
                await asyncio.sleep(0.05)
            assert first["estado"] == "en_vivo" and first["assigned_agent_id"] == tenant.agents[0]["id"]
            other = (await agent.get(f"/tickets/municipio/{waiting['ticket_id']}")).json()
            assert other["estado"] == "esperando_agente_en_vivo"
        finally:
            await socket.close()


async def test_urgent_message_outside_hours_files_an_urgent_ticket_and_says_so(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1, always_open=False)  # default hours: Mon-Fri 9-17
    server.clock.now = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)  # Sunday, midnight in Buenos Aires
    try:
        async with server.client() as citizen, server.client() as admin:
            answer = (
                await citizen.post(ASK, json={"pregunta": GAS}, headers=headers(tenant, str(uuid.uuid4())))
            ).json()
            assert answer["prioridad"] == "urgente" and ("911" in answer["respuesta"] or "100" in answer["respuesta"])
            assert not any(b.get("action") == "request_agent" for b in answer["botones"])
            await login(admin, tenant.admin["email"])
            ticket = (await admin.get(f"/tickets/municipio/{answer['ticket_id']}")).json()
            assert ticket["prioridad"] == "urgente" and ticket["urgencia"]["notify_oncall"] is True
            assert ticket["estado"] == "nuevo"
    finally:
        server.clock.now = None


async def test_calm_messages_never_get_the_alarm(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as citizen:
        for text in (
            "quiero reclamar por un bache en mi cuadra",
            "¿cuándo vence la factura del gas?",
            "hola, buen día",
        ):
            answer = (
                await citizen.post(ASK, json={"pregunta": text}, headers=headers(tenant, str(uuid.uuid4())))
            ).json()
            assert "ticket_id" not in answer and answer.get("prioridad") != "urgente", (text, answer)
            # A word of its own: the entity's name is random hex and may hold the digits.
            assert not re.search(r"\b911\b", answer["respuesta"]), answer["respuesta"]


async def test_urgent_message_in_the_middle_of_an_intake_is_not_swallowed(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen:
        first = (
            await citizen.post(ASK, json={"pregunta": "quiero hacer un reclamo"}, headers=headers(tenant, key))
        ).json()
        context = first["contexto_actualizado"]
        assert context["estado_conversacion"] == "recolectando_info"
        urgent = (
            await citizen.post(ASK, json={"pregunta": FIRE, "contexto_previo": context}, headers=headers(tenant, key))
        ).json()
        assert urgent["prioridad"] == "urgente" and urgent["ticket_id"]
        assert "100" in urgent["respuesta"] or "911" in urgent["respuesta"]


async def test_the_dialogue_shortcuts_never_let_a_danger_pass_as_calm(server: Server) -> None:
    """Found on the outside set r21 through the bot: a question for the numbers that also tells an emergency, an
    emergency in English the classifier reads, and a long message that opens like a greeting, were answered calm."""
    tenant = await seed_tenant(server.ctx)
    cases = (
        "perdón, ¿cuál es el número de la policía? hay dos tipos intentando abrir la puerta de mi casa con una "
        "barreta, estoy sola con mi hija",
        "Hi, a man is following me and my daughter since the bus terminal, now he is outside our hostel door "
        "knocking and shouting, we are scared",
        "Hola buenas noches, disculpe la hora, gracias por atender. Mi vecino de 80 años vive solo y hace tres días "
        "que no lo vemos, tiene la luz prendida y no abre",
    )
    async with server.client() as citizen:
        for text in cases:
            answer = (
                await citizen.post(ASK, json={"pregunta": text}, headers=headers(tenant, str(uuid.uuid4())))
            ).json()
            escalated = answer.get("prioridad") == "urgente" or "ticket_id" in answer
            asked = "peligro ahora mismo" in answer["respuesta"]
            assert escalated or asked, (text, answer["respuesta"])
    # A plain question for the numbers is still just answered.
    async with server.client() as citizen:
        answer = (
            await citizen.post(
                ASK,
                json={"pregunta": "¿cuál es el número de los bomberos?"},
                headers=headers(tenant, str(uuid.uuid4())),
            )
        ).json()
        assert "ticket_id" not in answer and "100" in answer["respuesta"]
