"""The frontend's own Socket.IO library (socket.io-client v4 on Node) against a real server."""

from __future__ import annotations

import uuid

import pytest

from tests.support import (
    NodeClient,
    Server,
    file_complaint,
    login,
    node_available,
    seed_tenant,
    session_cookie_header,
    signed,
)


async def test_panel_widget_and_room_sockets_like_the_frontend(server: Server) -> None:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    tenant = await seed_tenant(server.ctx)
    stranger = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as agent_c, server.client() as other_c, server.client() as citizen:
        await login(agent_c, tenant.agents[0]["email"])
        await login(other_c, stranger.agents[0]["email"])
        panel = await NodeClient.start({"url": server.url, "headers": session_cookie_header(agent_c)})
        other_panel = await NodeClient.start({"url": server.url, "headers": session_cookie_header(other_c)})
        anonymous = await NodeClient.start({"url": server.url, "transports": ["polling", "websocket"]})
        widget = await NodeClient.start({"url": server.url, "auth": {"entityToken": tenant.token}, "join": session_key})
        clients = [panel, other_panel, anonymous, widget]
        try:
            created = await file_complaint(citizen, tenant, session_key)
            (event,) = await panel.wait_for("new_ticket")
            assert event["id"] == created["ticket_id"] and event["nro_ticket"] == created["nro_ticket"]
            assert event["asunto"] and event["estado"] == "nuevo" and event["tipo"] == "municipio"
            room = await NodeClient.start(
                {
                    "url": server.url,
                    "join": f"ticket_municipio_{created['ticket_id']}",
                    "transports": ["polling", "websocket"],
                }
            )
            clients.append(room)
            assert room.events[-1]["ack"]["ok"] is True
            await agent_c.post(f"/tickets/municipio/{created['ticket_id']}/responder", json={"comentario": "Recibido"})
            # Every agent reply reaches the ticket room; the bot socket of the same browser, already there, is skipped.
            (chat,) = await room.wait_for("new_chat_message")
            assert (
                chat["comentario"] == signed(tenant.agents[0], "Recibido") and chat["ticket_id"] == created["ticket_id"]
            )
            assert chat["estado"] == "en_proceso" and chat["origen"] == "chat" and chat["es_admin"] is True
            status, comment = await panel.wait_for("new_comment", 2)
            assert status["estado"] == "en_proceso" and status["comment"]["comentario"] == "Estado: En proceso"
            assert comment["ticketId"] == created["ticket_id"] and comment["estado"] == "en_proceso"
            assert comment["comment"]["comentario"] == "Recibido" and comment["comment"]["autor"]
            for silent in (other_panel, anonymous, widget, room):
                await silent.drain(0.3)
                names = {e.get("name") for e in silent.events if e.get("type") == "event"}
                assert not names & {"new_ticket", "new_comment"}, silent.events
                assert silent is room or "new_chat_message" not in names, silent.events
            assert not widget.named("message")
        finally:
            for client in clients:
                await client.close()
