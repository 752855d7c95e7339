"""A Ventanilla process to measure: environment, seeding through the CLI, live-chat tickets, agent tokens."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from harness.procs import PY, Proc, Runner, wait_http

VENTANILLA = [PY, "-m", "ventanilla.cli"]
PASSWORD = "bench-clave-segura-123"
REDIS = ("127.0.0.1", 6379)
# Rate limits come from the `limits` library with real defaults (120 /ask per minute per client, 20 logins,
# ...): the load generators send from one address, so every limit is raised explicitly for the benchmark.
UNLIMITED = "1000000000"
LIMIT_SETTINGS = (
    "VENTANILLA_RATE_LIMIT_PER_MINUTE",
    "VENTANILLA_LOGIN_RATE_LIMIT_PER_MINUTE",
    "VENTANILLA_LOOKUP_RATE_LIMIT_PER_MINUTE",
    "VENTANILLA_UPLOAD_RATE_LIMIT_PER_MINUTE",
    "VENTANILLA_UPLOAD_BYTES_PER_ENTITY_PER_DAY",
    "VENTANILLA_MAX_SOCKETS_PER_ADDRESS",  # every load client connects from loopback
)


@dataclass
class Tenant:
    """A seeded municipio with agents."""

    entity_id: int
    entity_token: str
    agent_emails: list[str]


def ventanilla_env(database_url: str, tmp: Path, redis_channel: str | None = None) -> dict[str, str]:
    """Environment of a benchmark Ventanilla process (every rate limit raised, see LIMIT_SETTINGS)."""
    env = {
        "VENTANILLA_DATABASE_URL": database_url,
        "VENTANILLA_SECRET_KEY": "bench-" + secrets.token_hex(16),
        "VENTANILLA_MAIL_DIR": str(tmp / "mail"),
        "VENTANILLA_DATA_DIR": str(tmp / "data"),
        "VENTANILLA_CORS_ORIGINS": '["*"]',
        "PYTHONUNBUFFERED": "1",
        **dict.fromkeys(LIMIT_SETTINGS, UNLIMITED),
    }
    if redis_channel:
        env["VENTANILLA_REDIS_URL"] = f"redis://{REDIS[0]}:{REDIS[1]}/0"
        env["VENTANILLA_REDIS_CHANNEL"] = redis_channel
    else:
        env["VENTANILLA_REDIS_URL"] = ""
    return env


def cli_json(args: list[str], env: dict[str, str], cwd: Path) -> Any:
    """Run a `ventanilla` command and parse its JSON output."""
    done = subprocess.run(
        [*VENTANILLA, *args], env={**os.environ, **env}, cwd=str(cwd), capture_output=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"ventanilla {' '.join(args)} failed: {done.stderr.decode(errors='replace')[-1500:]}")
    text = done.stdout.decode().strip()
    return json.loads(text.splitlines()[-1]) if text.startswith(("{", "[")) or "\n{" in text else text


def seed(env: dict[str, str], cwd: Path, agents: int = 4) -> Tenant:
    """Schema, one always-open municipio and `agents` agents (unlimited live-chat capacity), via the CLI."""
    cli_json(["db", "upgrade"], env, cwd)
    entity = cli_json(["entities", "create", "Municipio Bench", "--tipo", "municipio", "--json"], env, cwd)
    cli_json(["entities", "hours", str(entity["id"]), "--days", "todos", "--range", "00:00-24:00", "--json"], env, cwd)
    emails = []
    for index in range(agents):
        email = f"agente{index}@bench.example.org"
        cli_json(
            [
                *("users", "create", "--entity", str(entity["id"]), "--email", email, "--password", PASSWORD),
                *("--rol", "empleado", "--name", f"Agente {index}", "--capacity", "1000000", "--json"),
            ],
            env,
            cwd,
        )
        emails.append(email)
    return Tenant(entity["id"], entity["token"], emails)


def start_ventanilla(runner: Runner, name: str, env: dict[str, str]) -> tuple[Proc, str]:
    """`ventanilla serve` on a free loopback port of the run's range; returns once /health answers."""
    port = runner.ports.free()
    proc = runner.spawn(
        name, [*VENTANILLA, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", proc)
    return proc, url


def session_id(name: str) -> str:
    """A stable chat session id of the shape the widgets send (a UUID; the server refuses anything else)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ventanilla-bench:{name}"))


def open_tickets(url: str, tenant: Tenant, count: int, prefix: str = "bench-room") -> list[dict[str, Any]]:
    """Real live-chat tickets through the widget flow (POST /ask/municipio, action request_agent)."""
    tickets = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for index in range(count):
            response = client.post(
                "/ask/municipio",
                json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
                headers={
                    "X-Entity-Token": tenant.entity_token,
                    "X-Chat-Session-Id": session_id(f"{prefix}-{index:05d}"),
                },
            )
            response.raise_for_status()
            data = response.json()
            data = data[0] if isinstance(data, list) else data
            ticket_id = int(data["ticket_id"])
            tickets.append({"id": ticket_id, "tipo": "municipio", "room": f"ticket_municipio_{ticket_id}"})
    return tickets


def agent_tokens(url: str, tenant: Tenant) -> list[str]:
    """Bearer tokens from POST /login."""
    with httpx.Client(base_url=url, timeout=30) as client:
        tokens = []
        for email in tenant.agent_emails:
            response = client.post("/login", json={"email": email, "password": PASSWORD})
            response.raise_for_status()
            tokens.append(str(response.json()["token"]))
    return tokens


def take_tickets(url: str, tickets: list[dict[str, Any]], token: str) -> None:
    """A first agent reply per ticket: it takes the waiting chat (its 'joined' system message is not measured)."""
    with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        for ticket in tickets:
            client.post(f"/tickets/municipio/{ticket['id']}/responder", json={"comentario": "Hola, soy el agente."})
