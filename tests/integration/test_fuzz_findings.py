"""What the schemathesis run (`make fuzz`, issue 22) found, replayed against a real server on both databases:
two 500s, and requests valid by the OpenAPI document that were refused (or that it did not describe)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.support import Server, file_complaint, login, seed_tenant, widget_headers
from ventanilla.entities import repository as entities_repo
from ventanilla.tickets import repository

JSON = {"Content-Type": "application/json"}


def error_of(response: Any, status: int) -> str:
    assert response.status_code == status, (response.request.url, response.status_code, response.text)
    message = response.json()["error"]
    assert isinstance(message, str) and message
    return message


async def test_a_superscript_digit_in_a_ticket_number_is_not_found(server: Server) -> None:
    async with server.client() as anyone:
        # "¹".isdigit() is True but int("¹") raises: it was a 500.
        for nro in ("¹", "1²", "٣"):
            r = await anyone.get(f"/tickets/municipio/por_numero/{nro}", params={"pin": "1234"})
            error_of(r, 404)


async def test_a_ticket_with_half_a_point_takes_a_new_address(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        r = await agent.post(
            "/app/tickets",
            json={"descripcion": "Pozo en la calle", "lat": -32.9, "lng": None},
            headers={"X-Entity-Token": tenant.token},
        )
        assert r.status_code == 201, r.text
        ticket_id = r.json()["id"]
        # The portal keeps no half point; an old ticket with one no longer breaks the location change (a 500).
        async with server.ctx.uow() as uow:
            ticket = await repository.get(uow.session, ticket_id)
            assert ticket is not None and ticket.latitud is None
            ticket.latitud = -32.9
            await uow.commit()
        moved = await agent.put(f"/tickets/municipio/{ticket_id}/ubicacion", json={"direccion": "Mitre 100", "lon": 19})
        assert moved.status_code == 200, moved.text


async def test_assign_takes_the_ids_its_schema_describes(server: Server) -> None:
    tenant = await seed_tenant(server.ctx, agents=2)
    session_key = str(uuid.uuid4())
    async with server.client() as citizen, server.client() as agent:
        created = await file_complaint(citizen, tenant, session_key)
        tid = created["ticket_id"]
        me = await login(agent, tenant.agents[0]["email"])
        other = tenant.agents[1]["id"]
        # Empty strings and nulls name nobody; the first name that carries an id wins; digits may be padded.
        for body, expected in (
            ({"user_id": "", "assigned_user_id": f" {other} "}, other),
            ({"user_id": None, "assigned_to": str(me["id"])}, me["id"]),
            ({"assigned_user_id": other}, other),
        ):
            r = await agent.post(f"/tickets/municipio/{tid}/asignar", json=body)
            assert r.status_code == 200, (body, r.text)
            assert r.json()["assigned_agent_id"] == expected
        # Anything else the schema does not allow (text that is no id) is refused, not taken as someone.
        for body in ({"user_id": "z"}, {"assigned_user_id": "12a"}, {"assigned_to": "١٢"}, {"assigned_user_id": True}):
            r = await agent.post(f"/tickets/municipio/{tid}/asignar", json=body)
            assert r.status_code in (400, 422), (body, r.text)
            assert r.json()["error"]


async def test_an_inverted_date_range_is_empty_not_an_error(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        today = dt.date.today()
        params = {"fecha_inicio": today.isoformat(), "fecha_fin": (today - dt.timedelta(days=3)).isoformat()}
        r = await agent.get("/estadisticas/tickets", params=params)
        assert r.status_code == 200, r.text
        error_of(await agent.get("/estadisticas/tickets", params={"fecha_fin": "0" * 39}), 400)


async def test_the_widget_may_name_its_ticket_with_any_json_number(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as citizen:
        r = await citizen.post(
            "/ask/municipio",
            json={"pregunta": "hola", "ticket_id": -294.0},
            headers=widget_headers(tenant, str(uuid.uuid4())),
        )
        assert r.status_code == 200, r.text


async def test_the_reply_schemas_say_what_a_reply_needs(server: Server) -> None:
    async with server.client() as anyone:
        document = (await anyone.get("/openapi.json")).json()
    reply = document["components"]["schemas"]["ReplyIn"]
    assert {tuple(branch["required"]) for branch in reply["anyOf"]} == {("comentario",), ("attachment_info",)}
    form = document["paths"]["/tickets/{tipo}/{ticket_id}/responder"]["post"]["requestBody"]["content"][
        "multipart/form-data"
    ]["schema"]
    assert form["properties"]["archivos"]["maxItems"] == 5
    assert "visible `comentario`, or files" in form["description"]
    # The models nested in the JSON shapes are where their references point (they were unresolvable).
    assert {"_Interactive", "_InteractiveBody", "_ReplyButton"} <= document["components"]["schemas"].keys()
    assign = document["components"]["schemas"]["AssignIn"]["properties"]["user_id"]["anyOf"]
    assert {"type": "string", "pattern": "^ *[0-9]{0,11} *$"} in assign


async def test_an_undeclared_method_is_a_405_naming_every_method_of_the_path(server: Server) -> None:
    async with server.client() as anyone:
        document = (await anyone.get("/openapi.json")).json()
        cases = {
            "/knowledge-base/7": ("PATCH", "/knowledge-base/{entry_id}"),
            "/archivos/upload/chat_attachment": ("PUT", "/archivos/upload/chat_attachment"),
            "/emails/baja/x": ("DELETE", "/emails/baja/{token}"),
            "/knowledge-base/suggestions": ("DELETE", "/knowledge-base/suggestions"),
        }
        for url, (method, template) in cases.items():
            # Before authentication: an anonymous caller gets the 405 (a PUT answered 401 once), not a 401.
            r = await anyone.request(method, url)
            error_of(r, 405)
            declared = {m.upper() for m in document["paths"][template]}
            assert set(r.headers["allow"].split(", ")) == declared, (url, r.headers["allow"], declared)


async def test_the_unsubscribe_pages_are_html_as_documented(server: Server) -> None:
    async with server.client() as anyone:
        document = (await anyone.get("/openapi.json")).json()
        for method in ("get", "post"):
            responses = document["paths"]["/emails/baja/{token}"][method]["responses"]
            assert set(responses["200"]["content"]) == set(responses["404"]["content"]) == {"text/html"}
            r = await anyone.request(method.upper(), "/emails/baja/1.abc.def")
            assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), r.text


async def test_every_operation_has_its_own_id(server: Server) -> None:
    async with server.client() as anyone:
        document = (await anyone.get("/openapi.json")).json()
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values() if isinstance(op, dict)]
    # A GET and a POST of one function shared an id (FastAPI's `api_route` with two methods).
    assert len(ids) == len(set(ids))


async def test_numbers_beyond_64_bit_integers_are_refused_as_documented(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as anyone:
        number = (await anyone.get("/openapi.json")).json()["components"]["schemas"]["TextJSON"]["anyOf"][1]
        assert number == {"type": "number", "minimum": -(2**63), "maximum": 2**63 - 1}
        register = {"email": f"v{uuid.uuid4().hex[:8]}@example.org", "password": "una-clave-larga", "nombre": "Ana"}
        headers = {"X-Entity-Token": tenant.token}
        # 1e30 is an integer to JSON Schema, beyond what the document allows: it was accepted as a float.
        for extra in (1e30, -1e300, 2.0**63, [1, {"x": 9.3e18}]):
            r = await anyone.post("/chatuserregisterpanel", json={**register, "extra": extra}, headers=headers)
            error_of(r, 400)
        r = await anyone.post("/chatuserregisterpanel", json={**register, "extra": [1.5, -9.2e18]}, headers=headers)
        assert r.status_code == 201, r.text


async def test_a_token_and_a_slug_of_two_entities_conflict(server: Server) -> None:
    mine, other = await seed_tenant(server.ctx), await seed_tenant(server.ctx)
    async with server.ctx.sessions() as session:
        other_entity = await entities_repo.get(session, other.id)
        assert other_entity is not None
        slug = other_entity.slug
    token = {"X-Entity-Token": mine.token}
    async with server.client() as widget:
        # Each is valid alone, so the request is valid by the document: together they are a 409, not a 400.
        error_of(await widget.get(f"/public/tenants/{slug}/widget-config", headers=token), 409)
        error_of(await widget.get("/pwa/tenant-info", params={"tenant_slug": slug}, headers=token), 409)
        assert (await widget.get(f"/public/tenants/{slug}/widget-config")).status_code == 200
        document = (await widget.get("/openapi.json")).json()
        assert "409" in document["paths"]["/public/tenants/{slug}/widget-config"]["get"]["responses"]
        assert "409" in document["paths"]["/pwa/tenant-info"]["get"]["responses"]


async def test_a_text_where_a_reply_takes_files_is_refused(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as citizen, server.client() as agent:
        created = await file_complaint(citizen, tenant, str(uuid.uuid4()))
        await login(agent, tenant.agents[0]["email"])
        url = f"/tickets/municipio/{created['ticket_id']}/responder"
        # A part without a file name under `archivos[]` was silently dropped and the reply posted (ST201).
        for name in ("archivos", "archivos[]"):
            r = await agent.post(url, data={"comentario": "Vamos mañana", name: "no soy un archivo"})
            error_of(r, 400)
        sent = await agent.post(url, data={"comentario": "Vamos mañana"})
        assert sent.status_code == 200, sent.text
