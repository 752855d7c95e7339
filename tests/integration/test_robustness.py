"""No input gets a 500 (SQLite and PostgreSQL): odd text, odd numbers, odd tokens; a 500 keeps the connection."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import pytest

from tests.support import PASSWORD, Server, file_complaint, login, seed_tenant, widget_headers
from ventanilla.entities import http as entities_http
from ventanilla.users import service as users

JSON = {"Content-Type": "application/json"}


def assert_client_error(response: Any, *statuses: int) -> None:
    assert response.status_code in (statuses or range(400, 500)), (
        response.request.method,
        response.request.url,
        response.status_code,
        response.text,
    )
    assert isinstance(response.json().get("error"), str) and response.json()["error"]


async def test_odd_text_and_numbers_get_clear_answers(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent, server.client() as anonymous:
        created = await file_complaint(citizen, tenant, session_key)
        tid = created["ticket_id"]
        await login(agent, tenant.agents[0]["email"])
        widget = widget_headers(tenant, session_key)

        # A non-ASCII PIN is a wrong PIN, not a crash.
        # (One try per route: a few wrong PINs lock the ticket's PIN.)
        assert_client_error(await anonymous.get(f"/tickets/municipio/{tid}", params={"pin": "ñ"}), 403)
        assert_client_error(await anonymous.get(f"/tickets/municipio/{tid}/timeline", params={"pin": "١٢٣٤٥٦"}), 403)
        assert_client_error(await anonymous.get(f"/tickets/chat/{tid}/mensajes", params={"pin": "😀"}), 403)
        assert_client_error(
            await anonymous.get(f"/tickets/municipio/por_numero/{created['nro_ticket']}", params={"pin": "ñ"}), 404
        )
        # A non-ASCII chat session id (header bytes are read as Latin-1) is no session id at all: refused.
        odd_session: dict[str, Any] = {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": "sesión-ñ".encode()}
        r = await anonymous.get(f"/tickets/chat/{tid}/mensajes", headers=odd_session)
        assert_client_error(r, 400)
        r = await anonymous.post(
            f"/tickets/chat/{tid}/responder_ciudadano", json={"comentario": "hola"}, headers=odd_session
        )
        assert_client_error(r, 400)

        # Integers beyond 64 bits anywhere in a JSON body.
        for body in (
            {"pregunta": "hola", "contexto_previo": {"id_ticket_creado": 2**64}},
            {"pregunta": "hola", "contexto_previo": {"datos_reclamo": {"telefono_ciudadano": -(2**70)}}},
            {"pregunta": "hola", "payload": {"x": [10**40]}},
        ):
            assert_client_error(await citizen.post("/ask/municipio", json=body, headers=widget), 400)
        # 64-bit ones that no ticket has are just unknown.
        r = await citizen.post(
            "/ask/municipio", json={"pregunta": "hola", "contexto_previo": {"id_ticket_creado": 2**63 - 1}}, headers=widget
        )
        assert r.status_code == 200, r.text
        # Message ids are 32-bit: a bigger cursor is refused before the database sees it.
        r = await citizen.get(f"/tickets/chat/{tid}/mensajes?ultimo_mensaje_id={2**31}", headers=widget)
        assert_client_error(r, 422)
        r = await citizen.get(f"/tickets/chat/{tid}/mensajes?ultimo_mensaje_id={2**31 - 1}", headers=widget)
        assert r.status_code == 200 and r.json()["mensajes"] == []

        # Control characters are refused at the edge, never removed (what the client sent is not changed):
        # JSON escapes in bodies, %00 in query strings. Lone surrogates (an emoji cut in half) become U+FFFD.
        raw = '{"comentario": "sin\\u0000luz en la esquina"}'
        r = await citizen.post(
            f"/tickets/chat/{tid}/responder_ciudadano",
            content=raw.encode(),
            headers={**widget, "Content-Type": "application/json"},
        )
        assert_client_error(r, 400)
        r = await citizen.post(
            f"/tickets/chat/{tid}/responder_ciudadano",
            content=b'{"comentario": "sin luz \\ud800 en la esquina\\n(desde ayer)"}',
            headers={**widget, "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        r = await agent.post(
            f"/tickets/municipio/{tid}/responder",
            content=b'{"comentario": "vamos\\u0007 \\udc00"}',
            headers={"Content-Type": "application/json"},
        )
        assert_client_error(r, 400)
        r = await agent.post(
            f"/tickets/municipio/{tid}/responder",
            content=b'{"comentario": "vamos\\t \\udc00"}',
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        texts = [m["comentario"] for m in (await agent.get(f"/tickets/municipio/{tid}")).json()["mensajes"]]
        assert "sin luz \ufffd en la esquina\n(desde ayer)" in texts and "vamos\t \ufffd" in texts
        assert not any("sinluz" in text or "\x07" in text for text in texts)
        r = await citizen.post(
            "/ask/municipio",
            content=b'{"pregunta": "h", "contexto_previo": {"datos_reclamo": {"telefono_ciudadano": "261\\u0000555"}}}',
            headers={**widget, "Content-Type": "application/json"},
        )
        assert_client_error(r, 400)
        r = await citizen.post(
            "/ask/municipio",
            content=b'{"pregunta": "h", "idempotency_key": "k\\ud83d"}',
            headers={**widget, "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        assert_client_error(await anonymous.get("/perfil?token=%00"), 400)
        assert_client_error(await anonymous.get(f"/perfil?token={tenant.token}%00"), 400)
        assert (await anonymous.get(f"/perfil?token={tenant.token}")).status_code == 200
        assert_client_error(await agent.get("/tickets?estado=nue%00vo"), 400)
        assert_client_error(await anonymous.get("/archivos/%00/x.png"), 400)
        assert_client_error(await anonymous.get("/archivos/%1b/x.png"), 400)
        r = await anonymous.get("/emails/baja/1.abc.%C3%B1")
        assert r.status_code == 404 and "inválido" in r.text
        # A NUL inside the email does not log in as the account without it.
        email = tenant.agents[0]["email"]
        with_nul = email[:3] + "\\u0000" + email[3:]
        body = f'{{"email": "{with_nul}", "password": "{PASSWORD}"}}'
        r = await anonymous.post("/login", content=body.encode(), headers=JSON)
        assert_client_error(r, 400)
        r = await anonymous.post("/login", content=b'{"email": "a@b.org", "password": "x\\ud800"}', headers=JSON)
        assert_client_error(r, 401)
        register = (
            '{"email": "v' + uuid.uuid4().hex[:6] + '@example.org", "password": "una-clave-larga",'
            ' "telefono": "261", "nombre": "Ana%s", "empresa_token": "' + tenant.token + '"}'
        )
        r = await anonymous.post("/chatuserregisterpanel", content=(register % "\\u0000").encode(), headers=JSON)
        assert_client_error(r, 400)
        r = await anonymous.post("/chatuserregisterpanel", content=(register % "\\udfff").encode(), headers=JSON)
        assert r.status_code == 201, r.text
        assert r.json()["name"] == "Ana\ufffd"


@pytest.mark.parametrize(
    "payload",
    [{"uid": 2**40, "v": 0}, {"uid": "1", "v": 0}, {"uid": 1, "v": "x"}, {"uid": 1, "v": [1]}, {"uid": True}, [1, 2], 7],
)
async def test_tokens_with_odd_payloads_are_just_invalid(server: Server, payload: Any) -> None:
    token = server.ctx.signer.sign(users.AUTH_PURPOSE, payload)
    async with server.client() as client:
        assert_client_error(await client.get("/me", headers={"Authorization": f"Bearer {token}"}), 401)
        client.cookies.set(server.settings.session_cookie_name, token)
        assert_client_error(await client.get("/notifications"), 401)


async def _raw_exchange(server: Server, requests: list[bytes]) -> list[bytes]:
    """Send requests one after another on ONE kept-alive TCP connection; the status line of each answer."""
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    answers: list[bytes] = []
    try:
        for request in requests:
            writer.write(request)
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), 10)
            answers.append(status)
            if not status:
                break
            length = 0
            while (line := await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            await reader.readexactly(length)
    finally:
        writer.close()
    return answers


async def test_a_500_is_answered_once_and_keeps_the_connection(
    server: Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> list[dict[str, Any]]:
        raise RuntimeError("boom for the test")

    monkeypatch.setattr(entities_http.entities, "rubros", broken)
    request = b"GET /rubros HTTP/1.1\r\nHost: x\r\n\r\n"
    with caplog.at_level(logging.ERROR):
        answers = await _raw_exchange(server, [request, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"])
    assert answers[0].startswith(b"HTTP/1.1 500"), answers
    assert len(answers) == 2 and answers[1].startswith(b"HTTP/1.1 200"), answers
    tracebacks = [r for r in caplog.records if r.exc_info and "boom for the test" in str(r.exc_info[1])]
    assert len(tracebacks) == 1, [r.getMessage() for r in caplog.records]
