"""Uploads from the widget and the panel: stored, served back, refused when unsafe or too large."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import UploadFile
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Message

from tests import samples
from tests.support import Server, login, next_client_address, seed_tenant
from ventanilla.attachments.http import receive_form, receive_upload, uploads_root
from ventanilla.errors import BadRequest, TooLarge
from ventanilla.tickets.models import TicketMessage


async def test_widget_upload_is_served_back(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    headers = {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": str(uuid.uuid4())}
    png = samples.png()
    async with server.client() as client:
        r = await client.post(
            "/archivos/upload/chat_attachment",
            files={"file": ("foto del bache.png", png, "image/png")},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        info = r.json()
        assert info["mimeType"] == "image/png" and info["size"] == len(png) and info["name"] == "foto_del_bache.png"
        path = info["url"].split("://", 1)[1].split("/", 1)[1]
        got = await client.get("/" + path)
        assert got.status_code == 200 and got.content == png and got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert (await client.get("/archivos/" + "0" * 32 + "/foto_del_bache.png")).status_code == 404
        assert (await client.get("/archivos/../../etc/passwd")).status_code == 404


async def test_uploads_are_refused_when_anonymous_unsafe_or_large(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    headers = {"X-Entity-Token": tenant.token}
    async with server.client() as client:
        anonymous = await client.post("/archivos/upload/chat_attachment", files={"file": ("a.png", b"x", "image/png")})
        assert anonymous.status_code == 401 and anonymous.json()["error"]
        svg = await client.post(
            "/archivos/upload/chat_attachment",
            files={"file": ("a.svg", b"<svg onload=alert(1)>", "image/svg+xml")},
            headers=headers,
        )
        assert svg.status_code == 400 and svg.json()["error"]
        exe = await client.post(
            "/archivos/upload/chat_attachment",
            files={"file": ("a.exe", b"MZ" * 10, "application/x-msdownload")},
            headers=headers,
        )
        assert exe.status_code == 400
        empty = await client.post(
            "/archivos/upload/chat_attachment", files={"file": ("a.pdf", b"", "application/pdf")}, headers=headers
        )
        assert empty.status_code == 400
        big = b"0" * (server.settings.max_upload_bytes + 1)
        huge = await client.post(
            "/archivos/upload/chat_attachment", files={"file": ("a.pdf", big, "application/pdf")}, headers=headers
        )
        assert huge.status_code == 413 and huge.json()["error"]
        await login(client, tenant.agents[0]["email"])
        agent_pdf = await client.post(
            "/archivos/upload/chat_attachment", files={"file": ("informe.pdf", samples.pdf(), "application/pdf")}
        )
        assert agent_pdf.status_code == 200 and agent_pdf.json()["mime_type"] == "application/pdf"


async def test_pyme_widget_gets_its_rubro_and_the_catalogue(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, tipo="pyme")
    async with server.client() as client:
        profile = (await client.get("/perfil", headers={"X-Entity-Token": tenant.token})).json()
        assert profile["rubro"] and profile["rubro_clave"]
        catalogue = (await client.get("/rubros/")).json()
        assert isinstance(catalogue, list) and {"id", "nombre", "clave"} <= catalogue[0].keys()


def _path(info: dict[str, str]) -> str:
    return "/" + info["url"].split("://", 1)[1].split("/", 1)[1]


async def _upload(client: httpx.AsyncClient, name: str, content: bytes, declared: str, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/archivos/upload/chat_attachment", files={"file": (name, content, declared)}, headers=headers)


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("x.png", samples.HTML, "image/png,text/html"),
        ("x.png", samples.SVG, "image/png,image/svg+xml"),
        ("x.png", samples.HTML, "image/png,application/xhtml+xml"),
        ("x.png", samples.png(), "image/png,text/html"),
        ("x.png", samples.HTML, "image/png"),
        ("x.png", samples.HTML, "image/png; charset=utf-8"),
        ("x.html", samples.png(), "image/png"),
        ("x.png", samples.png(), "text/html"),
        ("x.txt", samples.HTML, "text/plain"),
    ],
)
async def test_script_never_gets_stored_on_our_origin(server: Server, name: str, content: bytes, declared: str) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        r = await _upload(client, name, content, declared, {"X-Entity-Token": tenant.token})
        assert r.status_code == 400, r.text
        assert r.json()["error"]


async def test_uploads_are_served_typed_by_content_and_sandboxed(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    headers = {"X-Entity-Token": tenant.token}
    async with server.client() as client:
        cases = [
            ("audio-grabado-1.webm", samples.webm(), "audio/webm;codecs=opus", "audio/webm", "inline"),
            ("audio-grabado-2.webm", samples.ogg(), "audio/ogg;codecs=opus", "audio/ogg", "inline"),
            ("informe.pdf", samples.pdf(), "application/pdf", "application/pdf", "attachment"),
            ("vecinos.csv", b"nombre,calle\nAna,Belgrano\n", "text/csv", "text/csv; charset=utf-8", "attachment"),
            ("foto", samples.jpeg(), "application/octet-stream", "image/jpeg", "inline"),
        ]
        for name, content, declared, served, disposition in cases:
            r = await _upload(client, name, content, declared, headers)
            assert r.status_code == 200, (name, r.text)
            got = await client.get(_path(r.json()))
            assert got.status_code == 200 and got.content == content
            assert got.headers["content-type"] == served, name
            assert got.headers["content-disposition"].startswith(disposition), name
            assert got.headers["x-content-type-options"] == "nosniff"
            assert got.headers["content-security-policy"] == "sandbox; default-src 'none'"


async def test_uploads_stored_before_the_content_check_are_served_safely(server: Server) -> None:
    root = uploads_root(server.ctx)
    planted = {
        "a" * 32: ("pagina.png", samples.HTML, "image/png,text/html"),
        "b" * 32: ("dibujo.svg", samples.SVG, "image/svg+xml"),
        "c" * 32: ("foto.png", samples.png(), "text/html"),
    }
    for key, (name, content, recorded) in planted.items():
        (root / key).mkdir(parents=True, exist_ok=True)
        (root / key / name).write_bytes(content)
        (root / key / ".type").write_text(recorded)
    async with server.client() as client:
        for key in ("a" * 32, "b" * 32):
            name = planted[key][0]
            got = await client.get(f"/archivos/{key}/{name}")
            assert got.status_code == 200
            assert got.headers["content-type"] == "application/octet-stream"
            assert got.headers["content-disposition"].startswith("attachment")
            assert got.headers["content-security-policy"] == "sandbox; default-src 'none'"
        photo = await client.get(f"/archivos/{'c' * 32}/foto.png")
        assert photo.headers["content-type"] == "image/png" and photo.headers["content-disposition"].startswith("inline")


async def _announce(server: Server, length: int, token: str | None = None) -> bytes:
    """The status line answered to an upload whose body is announced and never sent."""
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(
            b"POST /archivos/upload/chat_attachment HTTP/1.1\r\nHost: x\r\n"
            + f"X-Forwarded-For: {next_client_address()}\r\n".encode()
            + (f"X-Entity-Token: {token}\r\n".encode() if token else b"")
            + f"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: {length}\r\n\r\n".encode()
        )
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), 5)
    finally:
        writer.close()


async def test_the_token_is_checked_before_the_body_is_read(server: Server) -> None:
    # A 10 MB body announced and never sent: the answer must come without waiting for it.
    status = await _announce(server, 10_000_000)
    assert status.startswith(b"HTTP/1.1 401"), status


async def test_the_size_cap_is_enforced_while_reading(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    cap = server.settings.max_upload_bytes
    boundary = b"capcapcap"

    async def body() -> AsyncIterator[bytes]:
        yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        yield b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        for _ in range(cap // (256 * 1024) + 2):
            yield b"0" * (256 * 1024)
        yield b"\r\n--" + boundary + b"--\r\n"

    async with server.client() as client:
        headers = {"X-Entity-Token": tenant.token, "Content-Type": "multipart/form-data; boundary=capcapcap"}
        chunked = await client.post("/archivos/upload/chat_attachment", content=body(), headers=headers)
        assert chunked.status_code == 413 and chunked.json()["error"]
        assert (await _announce(server, cap + 10**6, tenant.token)).startswith(b"HTTP/1.1 413")
        missing = await client.post(
            "/archivos/upload/chat_attachment", files={"otro": ("a.png", samples.png(), "image/png")}, headers=headers
        )
        assert missing.status_code == 400 and "file" in missing.json()["error"]
    leftovers = list((uploads_root(server.ctx) / ".incoming").iterdir())
    assert leftovers == []


async def test_uploads_are_limited_per_client(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    per_minute = server.settings.upload_rate_limit_per_minute
    headers = {"X-Entity-Token": tenant.token}
    async with server.client() as client, server.client() as neighbour:
        for _ in range(per_minute):
            assert (await _upload(client, "a.png", samples.png(64), "image/png", headers)).status_code == 200
        refused = await _upload(client, "a.png", samples.png(64), "image/png", headers)
        assert refused.status_code == 429 and refused.json()["error"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert (await _upload(neighbour, "a.png", samples.png(64), "image/png", headers)).status_code == 200


async def test_receive_upload_checks_a_file_fastapi_already_parsed(server: Server) -> None:
    good = UploadFile(io.BytesIO(samples.png()), filename="foto.png", headers=Headers({"content-type": "image/png"}))
    stored = await receive_upload(server.ctx, good)
    assert stored.mime_type == "image/png" and stored.name == "foto.png" and stored.size == len(samples.png())
    bad = UploadFile(io.BytesIO(samples.HTML), filename="foto.png", headers=Headers({"content-type": "image/png"}))
    with pytest.raises(BadRequest):
        await receive_upload(server.ctx, bad)
    big = UploadFile(io.BytesIO(b"%PDF" + b"0" * server.settings.max_upload_bytes), filename="a.pdf")
    with pytest.raises(TooLarge):
        await receive_upload(server.ctx, big)


async def test_citizen_links_other_than_web_or_our_uploads_are_dropped(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    headers = {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": str(uuid.uuid4())}
    evil = {"url": "javascript:fetch('/tickets').then(r=>r.text()).then(alert)", "name": "foto.png"}
    fine = {"url": "https://fotos.example.org/bache.jpg", "name": "bache.jpg", "thumbUrl": "data:text/html,x"}
    async with server.client() as citizen, server.client() as agent:
        handoff = await citizen.post("/ask/municipio", json={"pregunta": "", "action": "request_agent"}, headers=headers)
        tid = handoff.json()["ticket_id"]
        asked = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "les mando la foto", "attachment_info": evil, "contexto_previo": {"id_ticket_creado": tid}},
            headers=headers,
        )
        assert asked.status_code == 200, asked.text
        for comentario, info in (("otra foto", evil), ("esta sí", fine)):
            r = await citizen.post(
                f"/tickets/chat/{tid}/responder_ciudadano",
                json={"comentario": comentario, "attachment_info": info},
                headers=headers,
            )
            assert r.status_code == 200, r.text
        await login(agent, tenant.agents[0]["email"])
        messages = {m["comentario"]: m for m in (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]}
        for comentario in ("les mando la foto", "otra foto"):
            assert messages[comentario]["attachment_info"] is None and messages[comentario]["attachments"] == []
        kept = messages["esta sí"]["attachment_info"]
        assert kept["url"] == fine["url"] and kept.get("thumbUrl") in (None, fine["url"])  # never the data: one
    # A link stored before the check is not shown either.
    async with server.ctx.uow() as uow:
        row = await uow.session.get(TicketMessage, messages["esta sí"]["id"])
        assert row is not None
        row.attachment = evil
        await uow.commit()
    async with server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        again = {m["id"]: m for m in (await agent.get(f"/tickets/chat/{tid}/mensajes")).json()["mensajes"]}
        assert again[row.id]["attachment_info"] is None and again[row.id]["attachments"] == []


@pytest.mark.parametrize(
    ("content_type", "payload"),
    [
        ("multipart/form-data; boundary=zz", b"esto no es multipart"),
        ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"),
        ("multipart/form-data; boundary=zz", b"--zz\r\n\x00\x01\x02\r\n\r\n--zz--\r\n"),
        ("multipart/form-data; boundary=" + "b" * 300, b"--x"),
        ("multipart/form-data", b"--zz--\r\n"),
        ("application/json", b'{"file": "x"}'),
        ("image/png", samples.png()),
        ("", b""),
    ],
)
async def test_malformed_upload_bodies_get_a_clear_400(server: Server, content_type: str, payload: bytes) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        r = await client.post(
            "/archivos/upload/chat_attachment",
            content=payload,
            headers={"X-Entity-Token": tenant.token, "Content-Type": content_type},
        )
        assert r.status_code == 400, r.text
        assert r.json()["error"]


async def test_an_upload_cut_halfway_leaves_nothing_behind(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    incoming = uploads_root(server.ctx) / ".incoming"
    host, port = server.url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    head = b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    writer.write(
        b"POST /archivos/upload/chat_attachment HTTP/1.1\r\nHost: x\r\n"
        + f"X-Forwarded-For: {next_client_address()}\r\nX-Entity-Token: {tenant.token}\r\n".encode()
        + b"Content-Type: multipart/form-data; boundary=zz\r\nContent-Length: 5000000\r\n\r\n"
        + head
        + b"%PDF-1.4\n"
        + b"0" * 300_000
    )
    await writer.drain()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not (incoming.exists() and any(incoming.iterdir())):  # the server is writing it
        assert loop.time() < deadline, "the upload never started"
        await asyncio.sleep(0.02)
    writer.close()
    deadline = loop.time() + 10
    while any(incoming.iterdir()):
        assert loop.time() < deadline, f"left behind: {list(incoming.iterdir())}"
        await asyncio.sleep(0.02)
    assert not [p for p in uploads_root(server.ctx).glob("*/a.pdf") if p.stat().st_size < 5_000_000]


def streamed_request(parts: list[bytes], content_type: str) -> Request:
    """A Starlette request whose body arrives in `parts`, as uvicorn hands it over."""
    queue = list(parts)

    async def receive() -> Message:
        chunk = queue.pop(0) if queue else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(queue)}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-type", content_type.encode())]}
    return Request(scope, receive)


async def test_receive_form_streams_the_file_and_keeps_the_text_fields(server: Server) -> None:
    boundary = "frm"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="comentario"\r\n\r\nAcá va la foto del bache\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bache.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + samples.jpeg(100_000) + f"\r\n--{boundary}--\r\n".encode()
    pieces = [body[i : i + 7_000] for i in range(0, len(body), 7_000)]
    form = await receive_form(server.ctx, streamed_request(pieces, f"multipart/form-data; boundary={boundary}"))
    assert form.fields == {"comentario": "Acá va la foto del bache"}
    assert form.stored is not None and form.stored.mime_type == "image/jpeg" and form.stored.size == 100_000
    text_only = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="comentario"\r\n\r\nsin foto\r\n--{boundary}--\r\n'
    ).encode()
    request = streamed_request([text_only], f"multipart/form-data; boundary={boundary}")
    alone = await receive_form(server.ctx, request, require_file=False)
    assert alone.stored is None and alone.fields == {"comentario": "sin foto"}
    with pytest.raises(BadRequest):
        await receive_form(server.ctx, streamed_request([text_only], f"multipart/form-data; boundary={boundary}"))
