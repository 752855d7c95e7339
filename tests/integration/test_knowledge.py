"""The knowledge base through a real server and the real command: admin API, CSV import, suggestions, the bot."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.support import Server, Tenant, login, run_cli, seed_tenant, widget_headers
from ventanilla.entities import service as entities
from ventanilla.knowledge.cli import demo_csv
from ventanilla.tickets import service as tickets

CSV = "titulo,respuesta,palabras_clave\n{rows}"


async def admin_headers(client: Any, tenant: Tenant) -> dict[str, str]:
    data = await login(client, tenant.admin["email"])
    return {"Authorization": f"Bearer {data['token']}"}


def csv_file(text: str | bytes) -> dict[str, Any]:
    raw = text.encode() if isinstance(text, str) else text
    return {"archivo": ("kb.csv", raw, "text/csv")}


async def test_admins_manage_entries_and_agents_cannot(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        admin = await admin_headers(client, tenant)
        entry = {
            "titulo": "Cementerio",
            "respuesta": "Abre todos los días de 8 a 18.",
            "palabras_clave": ["cementerio"],
        }
        r = await client.post("/knowledge-base", json=entry, headers=admin)
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["titulo"] == "Cementerio" and created["palabras_clave"] == ["cementerio"]
        assert (await client.post("/knowledge-base", json=entry, headers=admin)).status_code == 409
        changed = {
            **entry,
            "respuesta": "Abre de 7 a 19.",
            "palabras_clave": "cementerio, nichos",
            "enlace": "https://x.gob.ar",
        }
        r = await client.put(f"/knowledge-base/{created['id']}", json=changed, headers=admin)
        assert r.status_code == 200 and r.json()["palabras_clave"] == ["cementerio", "nichos"]
        bad = await client.put(
            f"/knowledge-base/{created['id']}", json={**changed, "enlace": "javascript:x"}, headers=admin
        )
        assert bad.status_code == 400 and "error" in bad.json()
        listed = (await client.get("/knowledge-base", headers=admin)).json()["entradas"]
        assert [e["respuesta"] for e in listed] == ["Abre de 7 a 19."]

        agent = await login(client, tenant.agents[0]["email"])
        agent_headers = {"Authorization": f"Bearer {agent['token']}"}
        refused = await client.post("/knowledge-base", json=entry, headers=agent_headers)
        assert refused.status_code == 403 and "error" in refused.json()
        async with server.client() as anonymous:
            assert (await anonymous.get("/knowledge-base")).status_code == 401

        other = await seed_tenant(server.ctx)
        other_admin = await admin_headers(client, other)
        assert (await client.delete(f"/knowledge-base/{created['id']}", headers=other_admin)).status_code == 404
        assert (await client.delete(f"/knowledge-base/{created['id']}", headers=admin)).status_code == 204
        assert (await client.get("/knowledge-base", headers=admin)).json()["entradas"] == []


async def test_csv_import_replaces_by_title_and_is_all_or_nothing(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        admin = await admin_headers(client, tenant)
        r = await client.post("/knowledge-base/import", files=csv_file(demo_csv()), headers=admin)
        assert r.status_code == 200, r.text
        assert r.json() == {"creadas": 8, "actualizadas": 0}
        again = CSV.format(
            rows='Horarios de atención,"Ahora de 7 a 13.","horario, hora"\nCementerio,Abre a las 8.,cementerio\n'
        )
        r = await client.post("/knowledge-base/import", files=csv_file(again), headers=admin)
        assert r.json() == {"creadas": 1, "actualizadas": 1}
        entries = (await client.get("/knowledge-base", headers=admin)).json()["entradas"]
        assert len(entries) == 9
        assert next(e for e in entries if e["titulo"] == "Horarios de atención")["respuesta"] == "Ahora de 7 a 13."

        for raw, needle in (
            (b"titulo,respuesta\nA,B\n", "Faltan columnas"),
            ("titulo,respuesta,palabras_clave\nPoda,Se poda en mayo,árbol\n".encode("latin-1"), "UTF-8"),
            (CSV.format(rows="Nueva,Una,x\nNueva,Otra,y\n"), "Título repetido"),
        ):
            bad = await client.post("/knowledge-base/import", files=csv_file(raw), headers=admin)
            assert bad.status_code == 400 and needle in bad.json()["error"], bad.text
        after = (await client.get("/knowledge-base", headers=admin)).json()["entradas"]
        assert after == entries  # nothing half-imported


def test_kb_commands(tmp_path: Path) -> None:
    demo = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    entity = str(demo["entity"]["id"])
    listed = run_cli(tmp_path, "kb", "list", "--entity", entity, "--json")
    assert listed.returncode == 0, listed.stderr
    titles = {e["titulo"] for e in json.loads(listed.stdout)}
    assert {"Horarios de atención", "Recolección de residuos", "Licencia de conducir", "Tasas municipales"} <= titles
    assert {"Poda de árboles", "Castraciones de mascotas", "Defensa del consumidor"} <= titles

    good = tmp_path / "kb.csv"
    good.write_text(CSV.format(rows='Horarios de atención,"De 7 a 13.",horario\nCementerio,Abre a las 8.,cementerio\n'))
    done = run_cli(tmp_path, "kb", "import", "--entity", entity, str(good))
    assert done.returncode == 0 and "1 nuevas, 1 reemplazadas" in done.stdout, done.stderr

    for name, raw, needle in (
        ("missing.csv", b"titulo,respuesta\nA,B\n", "Faltan columnas"),
        ("latin1.csv", "titulo,respuesta,palabras_clave\nÁrbol,Sí,poda\n".encode("latin-1"), "UTF-8"),
        ("dupes.csv", CSV.format(rows="Zeta,Una,x\nZeta,Otra,y\n").encode(), "Título repetido"),
    ):
        path = tmp_path / name
        path.write_bytes(raw)
        failed = run_cli(tmp_path, "kb", "import", "--entity", entity, str(path))
        assert failed.returncode == 2 and needle in json.loads(failed.stderr.strip().splitlines()[-1])["error"]
    missing_entity = run_cli(tmp_path, "kb", "list", "--entity", "999999")
    assert missing_entity.returncode == 2 and "No existe la entidad" in missing_entity.stderr
    after = json.loads(run_cli(tmp_path, "kb", "list", "--entity", entity, "--json").stdout)
    assert len(after) == len(titles) + 1 and "Zeta" not in {e["titulo"] for e in after}


async def seeded(server: Server) -> Tenant:
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        admin = await admin_headers(client, tenant)
        assert (
            await client.post("/knowledge-base/import", files=csv_file(demo_csv()), headers=admin)
        ).status_code == 200
    return tenant


async def test_suggestion_routes_for_agents(server: Server) -> None:
    tenant = await seeded(server)
    async with server.ctx.uow() as uow:
        entity = await entities.require(uow.session, tenant.id)
        ticket, _ = await tickets.create_ticket(
            uow,
            entity,
            tickets.NewTicket(asunto="Residuos y limpieza: no pasó el camión", categoria="Residuos y limpieza"),
        )
        await uow.commit()
    token = {"X-Entity-Token": tenant.token}
    query = "¿Qué días pasa el camión de la basura?"
    async with server.client() as client, server.client() as agent:
        await login(agent, tenant.agents[0]["email"])
        for call in (
            client.post("/knowledge-base/suggestions", json={"query": query}, headers=token),
            client.post(
                "/knowledge-base/suggestions",
                content=json.dumps(json.dumps({"query": query})),
                headers={**token, "Content-Type": "application/json"},
            ),
            client.get("/knowledge-base/suggestions", params={"query": query}, headers=token),
            agent.post(
                f"/tickets/{ticket.id}/knowledge-base/suggestions",
                json={"query": query, "language": "es"},
                headers=token,
            ),
            agent.get(f"/tickets/{ticket.id}/knowledge-base/suggestions", params={"query": query}),
            agent.post(f"/tickets/{ticket.id}/knowledge-base/suggestions", json={"query": ""}),
        ):
            r = await call
            assert r.status_code == 200, r.text
            first = r.json()["suggestions"][0]
            assert first["title"] == "Recolección de residuos" and first["source"] == "knowledge_base"
            assert "camión recolector" in first["answer"] and 0 < first["confidence"] <= 1
        empty = await client.post("/knowledge-base/suggestions", json={"query": "¿Cuándo juega Boca?"}, headers=token)
        assert empty.json() == {"suggestions": []}

        other = await seeded(server)
        async with server.client() as other_agent:
            await login(other_agent, other.agents[0]["email"])
            r = await other_agent.post(f"/tickets/{ticket.id}/knowledge-base/suggestions", json={"query": query})
            assert r.status_code == 404 and "error" in r.json()
        # The widget's public token tells nothing about which tickets exist: the same 401 for any id.
        for tid in (ticket.id, ticket.id + 1, 2**53):
            for method in ("GET", "POST"):
                r = await client.request(method, f"/tickets/{tid}/knowledge-base/suggestions", headers=token)
                assert r.status_code == 401 and r.json()["error"], (tid, r.text)
        assert (await client.post("/knowledge-base/suggestions", json={"query": query})).status_code == 401
        for body in (b"[1, 2]", b"{not json", json.dumps({"query": 5}).encode()):
            bad = await client.post(
                "/knowledge-base/suggestions", content=body, headers={**token, "Content-Type": "application/json"}
            )
            assert bad.status_code == 400 and "error" in bad.json(), bad.text


async def test_the_bot_answers_from_its_own_entity_only(server: Server) -> None:
    tenant = await seeded(server)
    bare = await seed_tenant(server.ctx)
    question = {"pregunta": "¿Dónde castro a mi perra?"}
    async with server.client() as client:
        r = (await client.post("/ask/municipio", json=question, headers=widget_headers(tenant))).json()
        assert "Zoonosis" in r["respuesta"]
        r = (await client.post("/ask/municipio", json=question, headers=widget_headers(bare))).json()
        assert r["respuesta"].startswith("No tengo esa información")
        menu = (
            await client.post(
                "/ask/municipio", json={"pregunta": "", "action": "info_tramites"}, headers=widget_headers(tenant)
            )
        ).json()
        assert "Horarios de atención" in [b["texto"] for b in menu["botones"]]
        entry = next(b for b in menu["botones"] if b["texto"] == "Licencia de conducir")
        r = (
            await client.post(
                "/ask/municipio",
                json={"pregunta": "", "action": entry["action"], "payload": entry["payload"]},
                headers=widget_headers(tenant),
            )
        ).json()
        assert "Dirección de Tránsito" in r["respuesta"]


async def test_a_citizen_consults_own_tickets_without_pin_and_others_need_it(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    async with server.client() as client:
        from tests.support import file_complaint

        mine = await file_complaint(client, tenant, key)
        headers = widget_headers(tenant, key)
        r = (
            await client.post("/ask/municipio", json={"pregunta": "", "action": "consultar_reclamo"}, headers=headers)
        ).json()
        # One complaint of one's own is answered with its status at once; several are listed with theirs.
        assert f"N.º {mine['nro_ticket']}" in r["respuesta"] and "«nuevo»" in r["respuesta"]
        r = (
            await client.post(
                "/ask/municipio",
                json={"pregunta": "", "action": "consultar_reclamo", "payload": {"nro_ticket": mine["nro_ticket"]}},
                headers=headers,
            )
        ).json()
        assert f"N.º {mine['nro_ticket']}" in r["respuesta"] and "«nuevo»" in r["respuesta"]

        stranger = widget_headers(tenant)
        r = (
            await client.post("/ask/municipio", json={"pregunta": f"reclamo {mine['nro_ticket']}"}, headers=stranger)
        ).json()
        assert "necesito el PIN" in r["respuesta"]
        r = (await client.post("/ask/municipio", json={"pregunta": "PIN 000000"}, headers=stranger)).json()
        assert "No encontré un reclamo" in r["respuesta"] and "«nuevo»" not in r["respuesta"]
        r = (await client.post("/ask/municipio", json={"pregunta": f"PIN {mine['pin']}"}, headers=stranger)).json()
        assert "«nuevo»" in r["respuesta"] and "DNI" not in r["respuesta"] and "30123456" not in r["respuesta"]


async def test_a_retried_confirmation_answers_the_same_ticket(server: Server) -> None:
    tenant = await seed_tenant(server.ctx)
    key = str(uuid.uuid4())
    headers = widget_headers(tenant, key)
    async with server.client() as client:
        context: dict[str, Any] = {"estado_conversacion": "inicio"}
        for text in ("Hay una luminaria apagada hace una semana", "Av. San Martín 1234"):
            context = (
                await client.post(
                    "/ask/municipio", json={"pregunta": text, "contexto_previo": context}, headers=headers
                )
            ).json()["contexto_actualizado"]
        confirm = {
            "pregunta": "",
            "action": "confirmar_reclamo",
            "contexto_previo": context,
            "datos_personales": {"nombre": "Ana Gómez", "email": "ana@example.org"},
            "idempotency_key": f"k-{key}",
        }
        first = (await client.post("/ask/municipio", json=confirm, headers=headers)).json()
        retried = (await client.post("/ask/municipio", json=confirm, headers=headers)).json()
        assert first["ticket_id"] == retried["ticket_id"] and first["respuesta"] == retried["respuesta"]
        stranger = await client.post("/ask/municipio", json=confirm, headers=widget_headers(tenant))
        assert stranger.status_code == 409 or stranger.json().get("ticket_id") != first["ticket_id"]
