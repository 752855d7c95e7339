"""After a complaint (bot/followup.py): the citizen's next messages go onto the ticket and reach both panels live,
a question is answered with the real status, "sigue apagada" about a resolved ticket reopens it, a new problem is
a new complaint; through /ask as each widget version sends it, and through the WhatsApp webhook."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.integration.test_first_hour import VERSIONS
from tests.integration.test_live_panels import newest_panel, reference_panel
from tests.integration.test_newest_frontend import admin_login, png_bytes, slug_of
from tests.support import NodeClient, Server, Tenant, file_complaint, login, node_available, seed_tenant
from tests.whatsapp_support import Env, delivery, new_wa_id, post, text, turn_done, whatsapp_tenant, whatsapp_ticket
from ventanilla.tickets import repository as tickets_repo
from ventanilla.tickets.models import Ticket

pytestmark = pytest.mark.skipif(node_available() is not None, reason=str(node_available()))


class Citizen:
    """One widget of a frontend version after filing: the request body and headers that version sends."""

    def __init__(self, http: httpx.AsyncClient, tenant: Tenant, version: str, key: str, context: dict[str, Any]):
        self.http, self.tenant, self.version, self.key, self.context = http, tenant, version, key, context

    def headers(self) -> dict[str, str]:
        headers = {"X-Entity-Token": self.tenant.token, "X-Chat-Session-Id": self.key}
        if self.version == "985c1f40":
            headers["X-Tenant"] = "municipio"  # the newest widget sends its endpoint as the tenant
        return headers

    async def say(self, pregunta: str = "", **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "pregunta": pregunta,
            "contexto_previo": self.context,
            "tipo_chat": "municipio",
            **extra,
        }
        r = await self.http.post("/ask/municipio", json=body, headers=self.headers())
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        self.context = data.get("contexto_actualizado") or self.context
        return data

    async def photo(self, name: str) -> dict[str, Any]:
        r = await self.http.post(
            "/archivos/upload/chat_attachment", files={"file": (name, png_bytes(), "image/png")}, headers=self.headers()
        )
        assert r.status_code == 200, r.text
        data = r.json()
        info = {"name": data["name"], "url": data["url"], "mimeType": data["mimeType"], "size": data["size"]}
        extra: dict[str, Any] = {"attachment_info": info}
        if self.version == "985c1f40":
            extra |= {"archivo_url": info["url"], "es_foto": True}
        return await self.say("", **extra)


async def citizen_lines(server: Server, ticket_id: int) -> list[Any]:
    async with server.ctx.sessions() as session:
        return [m for m in await tickets_repo.messages(session, ticket_id) if m.author_kind == "citizen"]


async def estado_of(server: Server, ticket_id: int) -> str:
    async with server.ctx.sessions() as session:
        ticket = await tickets_repo.get(session, ticket_id)
        assert ticket is not None
        return ticket.estado


async def tickets_of(server: Server, tenant: Tenant) -> int:
    async with server.ctx.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Ticket).where(Ticket.entity_id == tenant.id)))


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_citizens_next_messages_reach_the_ticket_and_both_panels(server: Server, version: str) -> None:
    tenant = await seed_tenant(server.ctx, agents=2)
    slug = await slug_of(server, tenant)
    key = str(uuid.uuid4())
    async with server.client() as newest_http, server.client() as ref_http, server.client() as http:
        token = (await admin_login(newest_http, tenant.agents[0]["email"], slug))["token"]
        await login(ref_http, tenant.agents[1]["email"])
        filed = await file_complaint(http, tenant, key)
        ticket_id, nro = filed["ticket_id"], filed["nro_ticket"]
        citizen = Citizen(http, tenant, version, key, filed["contexto_actualizado"])
        newest = await NodeClient.start(newest_panel(server, token, newest_http, slug, f"ticket-municipio-{ticket_id}"))
        reference = await NodeClient.start(reference_panel(server, ref_http))
        try:
            # More about the problem: onto the ticket, both panels hear it in the shape each reads.
            said = await citizen.say("además el poste está torcido y la lámpara titila")
            assert f"Lo sumé a tu reclamo N.º {nro}" in said["respuesta"], said
            (live,) = await newest.wait_for("new_comment")
            assert live["ticket_id"] == ticket_id and "estado" not in live
            assert live["comment"]["comentario"] == "además el poste está torcido y la lámpara titila"
            assert live["comment"]["es_admin"] is False
            (ref_live,) = await reference.wait_for("new_comment")
            assert ref_live["ticketId"] == ticket_id and ref_live["estado"] == "nuevo"

            # A question: the real status, and the question reaches the agent too.
            said = await citizen.say("¿y cuándo vienen?")
            assert f"N.º {nro}" in said["respuesta"] and "«nuevo»" in said["respuesta"], said
            assert (await newest.wait_for("new_comment", 2))[1]["comment"]["comentario"] == "¿y cuándo vienen?"

            # A photo joins the ticket with its name and type.
            said = await citizen.photo("poste.png")
            assert "Sumé la foto" in said["respuesta"], said
            photo_event = (await newest.wait_for("new_comment", 3))[2]
            assert photo_event["comment"]["attachments"][0]["filename"] == "poste.png"
            lines = await citizen_lines(server, ticket_id)
            assert [m.text for m in lines][-3:-1] == [
                "además el poste está torcido y la lámpara titila",
                "¿y cuándo vienen?",
            ]
            assert lines[-1].attachment and lines[-1].attachment["name"] == "poste.png"

            # A new, different problem is a new complaint, not a message on this one.
            before = len(lines)
            said = await citizen.say("hay un pozo enorme en Mitre 500")
            assert "Lo sumé" not in said["respuesta"]
            assert said.get("accion_backend") == "crear_reclamo" or "resumen" in said["respuesta"].lower(), said
            assert len(await citizen_lines(server, ticket_id)) == before
            await citizen.say("cancelar")
            # Another category without another place (the entity has no categories of its own: the defaults).
            said = await citizen.say("el pozo de la cuadra está cada vez más grande")
            assert "Lo sumé" not in said["respuesta"], said
            assert len(await citizen_lines(server, ticket_id)) == before
            await citizen.say("cancelar")

            # Resolved by the agent; "sigue apagada" reopens it and both panels hear the status and the message.
            r = await ref_http.put(f"/tickets/municipio/{ticket_id}/estado", json={"estado": "resuelto"})
            assert r.status_code == 200, r.text
            resolved = len(await newest.wait_for("new_comment", 5))  # the status and the citizen's notice
            said = await citizen.say("sigue apagada")
            assert f"Reabrí tu reclamo N.º {nro}" in said["respuesta"], said
            assert await estado_of(server, ticket_id) == "nuevo"  # the status it had before it was resolved
            status, message = (await newest.wait_for("new_comment", resolved + 2))[resolved:]
            assert status["estado"] == "nuevo" and status["comment"]["comentario"] == "Estado: Nuevo"
            assert message["comment"]["comentario"] == "sigue apagada" and "estado" not in message
            ref_events = await reference.wait_for("new_comment", resolved + 2)
            assert ref_events[-2]["estado"] == "nuevo" and ref_events[-1]["comment"]["comentario"] == "sigue apagada"
            total = await tickets_of(server, tenant)

            # A reloaded widget keeps the ticket: "sigue igual" about the open ticket joins it.
            await http.post(
                "/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers=citizen.headers()
            )
            citizen.context = {"estado_conversacion": "inicio"}
            said = await citizen.say("sigue igual")
            assert f"reclamo N.º {nro}" in said["respuesta"] and "continúa" in said["respuesta"], said
            assert (await citizen_lines(server, ticket_id))[-1].text == "sigue igual"
            assert await tickets_of(server, tenant) == total

            # Thanks and a question for the desk are the bot's, never the ticket's.
            count = len(await citizen_lines(server, ticket_id))
            await citizen.say("muchas gracias!")
            assert len(await citizen_lines(server, ticket_id)) == count
        finally:
            await newest.close()
            await reference.close()


async def test_sigue_igual_with_two_recent_resolved_complaints_asks_which(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=1)
    key = str(uuid.uuid4())
    async with server.client() as agent, server.client() as http:
        await login(agent, tenant.agents[0]["email"])
        first = await file_complaint(http, tenant, key)
        second = await file_complaint(http, tenant, key)
        for filed in (first, second):
            r = await agent.put(f"/tickets/municipio/{filed['ticket_id']}/estado", json={"estado": "resuelto"})
            assert r.status_code == 200, r.text
        await http.post(
            "/ask/municipio",
            json={"pregunta": "", "action": "initial_greeting"},
            headers={"X-Entity-Token": tenant.token, "X-Chat-Session-Id": key},
        )
        citizen = Citizen(http, tenant, "63f867f1", key, {"estado_conversacion": "inicio"})
        said = await citizen.say("volvió a pasar")
        actions = [(b.get("action"), b.get("payload")) for b in said["botones"]]
        assert ("seguir_reclamo", {"ticket_id": first["ticket_id"]}) in actions, said
        assert ("seguir_reclamo", {"ticket_id": second["ticket_id"]}) in actions
        assert await estado_of(server, first["ticket_id"]) == "resuelto"
        said = await citizen.say("", action="seguir_reclamo", payload={"ticket_id": first["ticket_id"]})
        assert f"Reabrí tu reclamo N.º {first['nro_ticket']}" in said["respuesta"], said
        assert await estado_of(server, first["ticket_id"]) != "resuelto"
        assert await estado_of(server, second["ticket_id"]) == "resuelto"


async def test_whatsapp_follow_ups_reach_the_ticket_and_reopen_it(env: Env) -> None:
    line = await whatsapp_tenant(env, agents=1)
    wa_id = new_wa_id()
    ticket = await whatsapp_ticket(env, line, wa_id)

    async def say(body: str) -> str:
        message = text(wa_id, body)
        before = len(env.graph.accepted(wa_id))
        async with env.server.client() as client:
            r = await post(client, delivery(line.phone_number_id, [message]))
            assert r.status_code == 200, r.text
        await turn_done(env, message["id"], wa_id)
        return " ".join(r.text or "" for r in env.graph.accepted(wa_id)[before:])

    answer = await say("¿y cuándo vienen a limpiar?")
    assert f"N.º {ticket.nro_ticket}" in answer and "«nuevo»" in answer, answer
    lines = await citizen_lines(env.server, ticket.id)
    assert lines[-1].text == "¿y cuándo vienen a limpiar?" and lines[-1].origen == "whatsapp"

    async with env.server.client() as agent:
        await login(agent, line.tenant.agents[0]["email"])
        r = await agent.put(f"/tickets/municipio/{ticket.id}/estado", json={"estado": "resuelto"})
        assert r.status_code == 200, r.text
    answer = await say("sigue igual, está lleno de basura otra vez")
    assert f"Reabrí tu reclamo N.º {ticket.nro_ticket}" in answer, answer
    assert await estado_of(env.server, ticket.id) == "nuevo"
    assert (await citizen_lines(env.server, ticket.id))[-1].text == "sigue igual, está lleno de basura otra vez"
