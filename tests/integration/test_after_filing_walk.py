"""What the browser walk of main found between a citizen and an agent (E2E-05 and E2E-06), driven as each frontend
version drives the backend: an agent's note on a resolved or closed ticket reaches the citizen and changes nothing
else; the citizen's answer to an agent in the widget goes onto the ticket, not to the bot; the hand-off answer is a
message of the live chat (panels and a reloaded widget read it; the widget that asked draws it once)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.integration.test_after_complaint import citizen_lines, estado_of
from tests.integration.test_first_hour import VERSIONS, shown, start_widget, wait_shown
from tests.integration.test_live_panels import newest_panel, reference_panel
from tests.integration.test_newest_frontend import admin_login, slug_of
from tests.integration.test_widget_side import open_widget, wait_replayed
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
from ventanilla.notifications.models import EmailOutbox
from ventanilla.tickets import repository as tickets_repo

pytestmark = pytest.mark.skipif(node_available() is not None, reason=str(node_available()))


class Panel:
    """One panel version's HTTP calls: the reference one with the login cookie, the newest with its Bearer token."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str], node: NodeClient) -> None:
        self.http, self.headers, self.node = http, headers, node

    @classmethod
    async def open(
        cls, server: Server, tenant: Tenant, version: str, http: httpx.AsyncClient, room: str | None
    ) -> Panel:
        if version == "63f867f1":
            await login(http, tenant.agents[0]["email"])
            return cls(http, {}, await NodeClient.start(reference_panel(server, http)))
        slug = await slug_of(server, tenant)
        token = (await admin_login(http, tenant.agents[0]["email"], slug))["token"]
        node = await NodeClient.start(newest_panel(server, token, http, slug, room))
        return cls(http, {"Authorization": f"Bearer {token}"}, node)

    async def status(self, ticket_id: int, estado: str) -> None:
        r = await self.http.put(f"/tickets/municipio/{ticket_id}/estado", json={"estado": estado}, headers=self.headers)
        assert r.status_code == 200, r.text

    async def reply(self, ticket_id: int, text: str) -> dict[str, Any]:
        r = await self.http.post(
            f"/tickets/municipio/{ticket_id}/responder", json={"comentario": text}, headers=self.headers
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def conversation(self, ticket_id: int) -> list[dict[str, Any]]:
        """What ConversationPanel draws (`getTicketMessages` of both versions)."""
        r = await self.http.get(f"/tickets/chat/{ticket_id}/mensajes", headers=self.headers)
        assert r.status_code == 200, r.text
        return [{"es_admin": m["es_admin"], "content": m["content"]} for m in r.json()["mensajes"]]


async def citizen_emails(server: Server, ticket_id: int, message_id: int) -> list[EmailOutbox]:
    async with server.ctx.sessions() as session:
        found = await session.scalars(
            select(EmailOutbox).where(EmailOutbox.ticket_id == ticket_id, EmailOutbox.message_id == message_id)
        )
        return [row for row in found if row.role == "citizen"]


async def say(widget: NodeClient, text: str) -> dict[str, Any]:
    """The citizen types in the widget and sends; the /ask answer as the widget got it."""
    assert widget.proc.stdin is not None
    widget.proc.stdin.write((json.dumps({"send": {"text": text}}) + "\n").encode())
    await widget.proc.stdin.drain()
    answer = await widget._read_until(lambda e: e.get("type") == "answer", 15)
    assert answer["status"] == 200, answer
    await widget._read_until(lambda e: e.get("type") == "sent", 15)
    return dict(answer["body"])


async def wait_text(widget: NodeClient, text: str) -> None:
    """Until the widget draws `text` (from its sockets or an answer)."""
    while text not in [e["text"] for e in shown(widget)]:
        await widget._read_until(lambda e: e.get("type") == "shown", 10)


def comments(panel: Panel, ticket_id: int) -> list[str]:
    return [
        e["data"]["comment"]["comentario"]
        for e in panel.node.events
        if e.get("type") == "event" and e.get("name") == "new_comment" and e["data"].get("ticket_id") == ticket_id
    ]


async def wait_comment(panel: Panel, ticket_id: int, text: str) -> None:
    while text not in comments(panel, ticket_id):
        await panel.node._read_until(lambda e: e.get("type") == "event" and e.get("name") == "new_comment", 10)


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_closing_note_after_resolving_reaches_the_citizen_and_keeps_the_status(
    server: Server, version: str
) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as http:
        filed = await file_complaint(citizen, tenant, key)
        tid = filed["ticket_id"]
        widget = await start_widget(server, tenant, version, key, filed)
        panel = await Panel.open(server, tenant, version, http, f"ticket-municipio-{tid}")
        try:
            await panel.status(tid, "en_proceso")
            await panel.reply(tid, "Hola Ana, ya mandamos la orden.")
            await panel.status(tid, "resuelto")
            before = len(await wait_shown(widget, 3))

            # E2E-06 step 4: was 409 "El reclamo está cerrado; reabrilo para responder.", and the text was lost.
            note = await panel.reply(tid, "Quedó reparada. Cualquier cosa nos escribís.")
            assert note["estado"] == "resuelto" and note["mensaje"]["content"].startswith("Quedó reparada")
            drawn = (await wait_shown(widget, before + 1))[before:]
            assert [e["text"] for e in drawn] == [
                signed(tenant.agents[0], "Quedó reparada. Cualquier cosa nos escribís.")
            ]
            assert await estado_of(server, tid) == "resuelto"  # no reopen, no "en proceso"
            assert await citizen_emails(server, tid, note["mensaje"]["id"]), "the citizen's e-mail about the note"

            # After closing too; the conversation keeps both notes, the status stays.
            await panel.status(tid, "cerrado")
            late = await panel.reply(tid, "Te dejamos el número de la cuadrilla: 4449-1234.")
            assert late["estado"] == "cerrado" and await estado_of(server, tid) == "cerrado"
            said = [m["content"] for m in await panel.conversation(tid) if m["es_admin"]]
            assert "Quedó reparada. Cualquier cosa nos escribís." in said
            assert said[-1] == "Te dejamos el número de la cuadrilla: 4449-1234."
            await widget.drain(0.5)
            texts = [e["text"] for e in shown(widget)]
            assert texts.count(signed(tenant.agents[0], "Te dejamos el número de la cuadrilla: 4449-1234.")) == 1
        finally:
            await widget.close()
            await panel.node.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_citizens_answer_to_the_agent_goes_onto_the_ticket(server: Server, version: str) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as http:
        filed = await file_complaint(citizen, tenant, key)
        tid, nro = filed["ticket_id"], filed["nro_ticket"]
        widget = await start_widget(server, tenant, version, key, filed)
        panel = await Panel.open(server, tenant, version, http, f"ticket-municipio-{tid}")
        try:
            # Before any agent wrote, thanks are the bot's (unchanged).
            await say(widget, "gracias")
            assert not [m for m in await citizen_lines(server, tid) if m.text == "gracias"]

            await panel.status(tid, "en_proceso")
            await panel.reply(tid, "Hola Ana, ya mandamos la orden a la cuadrilla.")
            await wait_text(widget, signed(tenant.agents[0], "Hola Ana, ya mandamos la orden a la cuadrilla."))

            # E2E-06 step 3: was the bot's "¡De nada!…" and its menu; the agent never saw it.
            answer = await say(widget, "Buenísimo, gracias")
            agent = tenant.agents[0]["name"]
            assert answer["respuesta"] == f"Listo, se lo pasé a {agent}, que sigue con tu reclamo N.º {nro}.", answer
            assert not answer["botones"] and answer["ticket_id"] == tid
            assert (await citizen_lines(server, tid))[-1].text == "Buenísimo, gracias"
            await wait_comment(panel, tid, "Buenísimo, gracias")
            assert await estado_of(server, tid) == "en_proceso"

            # A question for the agent goes there too.
            answer = await say(widget, "¿Hace falta que firme algo?")
            assert (await citizen_lines(server, tid))[-1].text == "¿Hace falta que firme algo?", answer

            # A genuinely new problem is still a new complaint.
            count = len(await citizen_lines(server, tid))
            answer = await say(widget, "hay un pozo enorme en Mitre 500")
            assert "se lo pasé" not in answer["respuesta"] and len(await citizen_lines(server, tid)) == count
            await say(widget, "cancelar")

            # Resolved: thanks stay the bot's; "sigue apagada" reopens (unchanged).
            await panel.status(tid, "resuelto")
            await say(widget, "ok gracias")
            assert len(await citizen_lines(server, tid)) == count and await estado_of(server, tid) == "resuelto"
            answer = await say(widget, "sigue apagada!!!")
            assert f"Reabrí tu reclamo N.º {nro}" in answer["respuesta"], answer
            assert await estado_of(server, tid) == "en_proceso"
        finally:
            await widget.close()
            await panel.node.close()


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_hand_off_answer_is_a_message_of_the_live_chat(server: Server, version: str) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as http:
        panel = await Panel.open(server, tenant, version, http, None)
        await agent_online(server, tenant)
        widget = await open_widget(server, tenant, version, key)
        try:
            greeted = len(shown(widget))
            # E2E-05 step 1: the request typed in the widget; the answer names the agent who took it.
            answer = await say(widget, "quiero hablar con alguien")
            handoff, tid = answer["respuesta"], answer["ticket_id"]
            assert handoff.startswith("Te estamos conectando con una persona del equipo"), answer
            await wait_comment(panel, tid, handoff)  # the panel hears it live
            said = await panel.conversation(tid)
            assert [m["content"] for m in said].count(handoff) == 1 and {"es_admin": True, "content": handoff} in said
            # The widget that asked drew it once, from the answer: no socket copy.
            await widget.drain(1.0)
            assert [e["text"] for e in shown(widget)[greeted:]].count(handoff) == 1, shown(widget)
            async with server.ctx.sessions() as session:
                kept = [m for m in await tickets_repo.messages(session, tid) if m.text == handoff]
                assert [m.author_kind for m in kept] == ["bot"]
        finally:
            await widget.close()  # E2E-05 step 4: the citizen reloads the page

        reloaded = await open_widget(server, tenant, version, key)
        try:
            await panel.reply(tid, "Hola, soy Laura. ¿Me pasás la dirección?")
            history = await wait_replayed(
                reloaded, signed(tenant.agents[0], "Hola, soy Laura. ¿Me pasás la dirección?")
            )
            assert [t for _, t in history].count(handoff) == 1 and (True, handoff) in history, history
        finally:
            await reloaded.close()
            await panel.node.close()
