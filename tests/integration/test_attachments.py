"""Uploads from the widget and the panel: stored, served back, refused when unsafe or too large."""

from __future__ import annotations

import uuid

from tests.support import Server, login, seed_tenant


async def test_widget_upload_is_served_back(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    headers = {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": str(uuid.uuid4())}
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 2048
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
            "/archivos/upload/chat_attachment", files={"file": ("informe.pdf", b"%PDF-1.4 ...", "application/pdf")}
        )
        assert agent_pdf.status_code == 200 and agent_pdf.json()["mime_type"] == "application/pdf"


async def test_pyme_widget_gets_its_rubro_and_the_catalogue(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, tipo="pyme")
    async with server.client() as client:
        profile = (await client.get("/perfil", headers={"X-Entity-Token": tenant.token})).json()
        assert profile["rubro"] and profile["rubro_clave"]
        catalogue = (await client.get("/rubros/")).json()
        assert isinstance(catalogue, list) and {"id", "nombre", "clave"} <= catalogue[0].keys()
