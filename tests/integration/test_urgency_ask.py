"""Issue 12 through /ask: ask when unsure ("Sí" escalates, "No" goes on with the message), self-harm answers,
and the urgent ticket opening on the citizen's words followed by the bot's safety answer."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.support import SELF_HARM, UNSURE, Server, Tenant, expected_reply, login, seed_tenant
from ventanilla.bot.urgent import QUESTION
from ventanilla.urgency import classify

ASK = "/ask/municipio"
def headers(tenant: Tenant, key: str) -> dict[str, str]:
    return {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": key}


def test_the_examples_are_what_the_tests_assume() -> None:
    assert classify(UNSURE).level == "unsure", "no candidate is 'unsure' for the shipped model: add one"
    assert classify(SELF_HARM).level == "urgent" and classify(SELF_HARM).category == "self_harm"


async def test_unsure_message_asks_and_yes_escalates_it(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as admin:
        asked = (await citizen.post(ASK, json={"pregunta": UNSURE}, headers=headers(tenant, key))).json()
        assert asked["respuesta"] == QUESTION and "ticket_id" not in asked
        assert [b["texto"] for b in asked["botones"]] == ["Sí", "No"]
        yes = next(b for b in asked["botones"] if b["texto"] == "Sí")
        answer = (
            await citizen.post(
                ASK,
                json={"pregunta": "Sí", "action": yes["action"], "payload": yes.get("payload")},
                headers=headers(tenant, key),
            )
        ).json()
        assert answer["prioridad"] == "urgente" and answer["urgente"] is True and "911" in answer["respuesta"]
        await login(admin, tenant.admin["email"])
        ticket = (await admin.get(f"/tickets/municipio/{answer['ticket_id']}")).json()
        assert ticket["prioridad"] == "urgente" and ticket["mensajes"][0]["comentario"] == UNSURE


async def test_unsure_message_no_goes_on_with_what_the_citizen_wrote(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen:
        asked = (await citizen.post(ASK, json={"pregunta": UNSURE}, headers=headers(tenant, key))).json()
        no = next(b for b in asked["botones"] if b["texto"] == "No")
        answer = (
            await citizen.post(
                ASK,
                json={
                    "pregunta": "No",
                    "action": no["action"],
                    "payload": no.get("payload"),
                    "contexto_previo": asked["contexto_actualizado"],
                },
                headers=headers(tenant, key),
            )
        ).json()
        assert answer["respuesta"] != QUESTION and answer.get("prioridad") != "urgente"
        assert answer["respuesta"] == (await expected_reply(server, tenant, UNSURE)).respuesta


async def test_typed_yes_answers_the_question_without_a_payload(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen:
        asked = (await citizen.post(ASK, json={"pregunta": UNSURE}, headers=headers(tenant, key))).json()
        assert asked["respuesta"] == QUESTION
        answer = (await citizen.post(ASK, json={"pregunta": "si"}, headers=headers(tenant, key))).json()
        assert answer["prioridad"] == "urgente"


async def test_self_harm_inside_hours_with_nobody_online_is_told_at_once(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1)
    async with server.client() as citizen:
        answer = (
            await citizen.post(ASK, json={"pregunta": SELF_HARM}, headers=headers(tenant, str(uuid.uuid4())))
        ).json()
        text = answer["respuesta"]
        assert "135" in text and "0800\u2011345\u20111435" in text and "911" in text
        # No agent is online: no "Quedate acá" promise, the truth and the lines at once.
        assert "no hay personas del equipo conectadas" in text and "Quedate acá" not in text
        assert "reclamo" not in text.lower()
        assert answer["estado"] == "esperando_agente_en_vivo" and answer["prioridad"] == "urgente"


async def test_self_harm_outside_hours_says_where_to_call_now(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1, always_open=False)
    server.clock.now = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)  # Sunday, midnight in Buenos Aires
    try:
        async with server.client() as citizen:
            answer = (
                await citizen.post(
                    ASK, json={"pregunta": "me quiero matar"}, headers=headers(tenant, str(uuid.uuid4()))
                )
            ).json()
            text = answer["respuesta"]
            assert "llamá ya al 135" in text and "0800\u2011345\u20111435" in text and "911" in text
            assert "no hay personas del equipo conectadas" in text
            assert not any(b.get("action") == "request_agent" for b in answer["botones"])
    finally:
        server.clock.now = None


async def test_an_urgent_ticket_opens_on_the_citizens_message_then_the_safety_answer(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    text = "mi marido me esta pegando, estoy encerrada en el baño"
    async with server.client() as citizen, server.client() as agent:
        answer = (await citizen.post(ASK, json={"pregunta": text}, headers=headers(tenant, str(uuid.uuid4())))).json()
        assert answer["categoria_urgencia"] == "gender_violence" and "144" in answer["respuesta"]
        await login(agent, tenant.agents[0]["email"])
        ticket = (await agent.get(f"/tickets/municipio/{answer['ticket_id']}")).json()
        first, second = ticket["mensajes"][:2]
        assert first["comentario"] == text and first["es_admin"] is False
        assert second["es_admin"] is True and "144" in second["comentario"]
        assert second["comentario"] == answer["respuesta"]
