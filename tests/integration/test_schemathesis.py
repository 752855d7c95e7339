"""Schemathesis over every operation of /openapi.json, as each kind of caller, on the real server: no 5xx."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from tests.support import Server, file_complaint, login, seed_tenant, widget_headers

# Every operation, four roles, two databases: about a minute of requests.
pytestmark = pytest.mark.slow

# Bounded: a few examples per operation and role keep the run to seconds (raise it locally to dig deeper).
EXAMPLES = int(os.environ.get("VENTANILLA_SCHEMATHESIS_EXAMPLES", "3"))
ROLES = ("anonymous", "citizen", "agent", "admin")
# Logging out would turn the rest of an authenticated run anonymous.
SKIP_FOR_LOGGED_IN = {("POST", "/logout")}


async def _headers_for(server: Server, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    tenant = await seed_tenant(server.ctx)
    async with server.client() as client:
        if role == "citizen":
            session_key = str(uuid.uuid4())
            await file_complaint(client, tenant, session_key)
            email = f"vecino-{uuid.uuid4().hex[:8]}@example.org"
            r = await client.post(
                "/chatuserregisterpanel",
                json={"email": email, "password": "una-clave-larga", "nombre": "Vecina"},
                headers={"X-Entity-Token": tenant.token},
            )
            assert r.status_code == 201, r.text
            return {**widget_headers(tenant, session_key), "Authorization": f"Bearer {r.json()['token']}"}
        email = tenant.agents[0]["email"] if role == "agent" else tenant.admin["email"]
        data = await login(client, email)
        return {"Authorization": f"Bearer {data['token']}"}


def _run(raw_schema: dict[str, Any], base_url: str, headers: dict[str, str], role: str) -> tuple[int, list[str]]:
    """Every operation with EXAMPLES positive and negative cases; (cases sent, 5xx failures)."""
    schema = schemathesis.openapi.from_dict(raw_schema)
    failures: list[str] = []
    sent = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            if role != "anonymous" and (operation.method.upper(), operation.path) in SKIP_FOR_LOGGED_IN:
                continue
            strategy = st.one_of(
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            )

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def exercise(case: Any) -> None:
                nonlocal sent
                response = case.call(base_url=base_url, headers=headers, session=session, timeout=15)
                sent += 1
                try:
                    case.validate_response(response, checks=[not_a_server_error])
                except FailureGroup:
                    failures.append(f"{response.status_code} {case.as_curl_command(headers=headers)}")

            exercise()
    return sent, failures


@pytest.mark.parametrize("role", ROLES)
async def test_no_operation_answers_a_server_error(server: Server, role: str) -> None:
    headers = await _headers_for(server, role)
    async with server.client() as client:
        raw_schema = (await client.get("/openapi.json")).json()
    # The checks run in a thread: the server lives on this test's event loop.
    sent, failures = await asyncio.to_thread(_run, raw_schema, server.url, headers, role)
    assert sent >= len(raw_schema["paths"]), sent
    assert failures == [], "\n".join(failures)
