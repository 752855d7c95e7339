"""Shared helpers for the integration tests: real servers, real clients, seeded data."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import socketio
import uvicorn

from ventanilla.app import create_app
from ventanilla.bot import engine
from ventanilla.bot.service import bot_settings
from ventanilla.cli import upgrade_database
from ventanilla.context import AppContext
from ventanilla.entities import hours
from ventanilla.entities import service as entities
from ventanilla.settings import Settings
from ventanilla.urgency import classify
from ventanilla.users import service as users

ROOT = Path(__file__).resolve().parents[1]
JS_DIR = ROOT / "tests" / "js"
PASSWORD = "clave-segura-123"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_addresses = itertools.count(1)


def next_client_address() -> str:
    """A client address nobody else in this run uses (198.18.0.0/15 is reserved for tests)."""
    n = next(_addresses)
    return f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 255}.{n & 255}"


class Clock:
    """A settable clock for business-hours tests."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.UTC)


@dataclass
class Server:
    """A running Ventanilla on a free loopback port."""

    url: str
    ctx: AppContext
    clock: Clock
    settings: Settings
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An HTTP client for this server, from an address of its own (as each browser is, for the rate limits).

        Test servers trust `X-Forwarded-For` from loopback (`trusted_proxies`), as behind a reverse proxy on the
        same host.
        """
        headers = {"X-Forwarded-For": next_client_address(), **kwargs.pop("headers", {})}
        return httpx.AsyncClient(base_url=self.url, timeout=15, headers=headers, **kwargs)


@contextlib.asynccontextmanager
async def running_server(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Server]:
    """Run create_app under a real uvicorn server in this event loop."""
    clock = clock or Clock()
    await asyncio.to_thread(upgrade_database, settings)
    app = create_app(settings, clock=clock)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws_per_message_deflate=False,
        proxy_headers=False,  # the app reads X-Forwarded-For itself, from `trusted_proxies` only
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield Server(f"http://127.0.0.1:{port}", app.ctx, clock, settings, server, task)
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)


@dataclass
class Tenant:
    """A seeded entity with its staff."""

    id: int
    token: str
    tipo: str
    agents: list[dict[str, Any]] = field(default_factory=list)
    admin: dict[str, Any] = field(default_factory=dict)


async def seed_tenant(
    ctx: AppContext,
    *,
    tipo: str = "municipio",
    agents: int = 1,
    capacity: int | None = None,
    always_open: bool = True,
    config: dict[str, Any] | None = None,
    inbox_email: str | None = None,
    admin_capacity: int | None = 0,
) -> Tenant:
    """An entity with `agents` agents and one admin, through the services (fast, and no HTTP needed)."""
    tag = uuid.uuid4().hex[:8]
    async with ctx.uow() as uow:
        entity = await entities.create(
            uow.session, f"Municipio {tag}", tipo, inbox_email=inbox_email, oncall_email=f"guardia-{tag}@example.org"
        )
        entity.config = dict(config or {})
        if always_open:
            entities.set_schedule(
                entity, hours.parse_cli("todos", ["00:00-24:00"], "America/Argentina/Buenos_Aires", [])
            )
        staff = []
        for index in range(agents):
            agent = await users.create(
                uow.session,
                entity_id=entity.id,
                email=f"agente{index}-{tag}@example.org",
                password=PASSWORD,
                rol="empleado",
                profile=users.Profile(name=f"Agente {index} {tag}"),
            )
            agent.live_capacity = capacity
            staff.append({"id": agent.id, "email": agent.email, "name": agent.name})
        admin = await users.create(
            uow.session,
            entity_id=entity.id,
            email=f"admin-{tag}@example.org",
            password=PASSWORD,
            rol="admin",
            profile=users.Profile(name=f"Admin {tag}"),
        )
        admin.live_capacity = admin_capacity
        await uow.commit()
        return Tenant(entity.id, entity.token, tipo, staff, {"id": admin.id, "email": admin.email})


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Log in through the real endpoint; returns the body (token) and keeps the cookie in the client."""
    response = await client.post("/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


class SocketRecorder:
    """A python-socketio client that records every event it receives."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()

        @self.sio.on("*")
        async def any_event(event: str, data: Any = None) -> None:
            self.events.append((event, data))
            self._changed.set()

    async def connect(
        self,
        url: str,
        *,
        auth: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        transports: list[str] | None = None,
    ) -> SocketRecorder:
        """Connect (websocket by default)."""
        await self.sio.connect(
            url, auth=auth, headers=headers or {}, transports=transports or ["websocket"], wait_timeout=10
        )
        return self

    async def join(self, room: str) -> Any:
        """Emit `join` and wait for the acknowledgement."""
        return await self.sio.call("join", {"room": room}, timeout=10)

    def named(self, name: str) -> list[Any]:
        """Payloads of the events with this name."""
        return [data for event, data in self.events if event == name]

    async def wait_for(self, name: str, count: int = 1, timeout: float = 10, where: Any = None) -> list[Any]:
        """Wait until `count` events of a name (matching `where`) arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [d for d in self.named(name) if where is None or where(d)]
            if len(found) >= count:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"expected {count} {name!r} events, got {len(found)}: {self.events}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def close(self) -> None:
        """Disconnect."""
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


async def agent_online(server: Server, tenant: Tenant, index: int = 0, timeout: float = 10) -> None:
    """Wait until the server counts agent `index` of the tenant as online (its panel socket registered)."""
    agent_id = tenant.agents[index]["id"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while agent_id not in await server.ctx.presence.online(tenant.id):
        assert loop.time() < deadline, f"agent {agent_id} never came online"
        await asyncio.sleep(0.01)


def session_cookie_header(client: httpx.AsyncClient, name: str = "ventanilla_session") -> dict[str, str]:
    """The Cookie header a browser would send to the socket after login."""
    value = client.cookies.get(name)
    assert value, "login did not set the session cookie"
    return {"Cookie": f"{name}={value}"}


class NodeClient:
    """The frontend's own library (socket.io-client v4) in a Node process, driven through JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, spec: dict[str, Any], script: str = "client.mjs") -> NodeClient:
        """Start `tests/js/<script>` with a connection spec; returns once it reports ready."""
        # engine.io-client's Node cookie jar appends to a lower-case `cookie` header and would drop `Cookie`.
        spec = {**spec, "headers": {k.lower(): v for k, v in spec.get("headers", {}).items()}}
        proc = await asyncio.create_subprocess_exec(
            "node",
            str(JS_DIR / script),
            json.dumps(spec),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(JS_DIR),
        )
        client = cls(proc)
        ready = await client._read_until(lambda e: e.get("type") in ("ready", "error"), 20)
        if ready.get("type") == "error":
            raise AssertionError(f"node client failed: {ready}")
        return client

    async def _read_until(self, predicate: Any, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                stderr = b""
                raise AssertionError(f"node client timed out; events so far: {self.events} {stderr!r}")
            line = await asyncio.wait_for(self.proc.stdout.readline(), remaining)
            if not line:
                err = await self.proc.stderr.read() if self.proc.stderr else b""
                raise AssertionError(f"node client exited: {err.decode()[-2000:]}")
            item = json.loads(line)
            self.events.append(item)
            if predicate(item):
                return item

    async def emit(self, name: str, data: Any, timeout: float = 10) -> Any:
        """Emit an event from the Node socket and return its acknowledgement."""
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps({"emit": name, "data": data}) + "\n").encode())
        await self.proc.stdin.drain()
        item = await self._read_until(lambda e: e.get("type") == "ack" and e.get("name") == name, timeout)
        return item["ack"]

    async def wait_for(self, name: str, count: int = 1, timeout: float = 10) -> list[Any]:
        """Wait for `count` events of a name."""

        def have() -> list[Any]:
            return [e["data"] for e in self.events if e.get("type") == "event" and e.get("name") == name]

        while len(have()) < count:
            await self._read_until(lambda e: e.get("type") == "event" and e.get("name") == name, timeout)
        return have()

    async def drain(self, seconds: float) -> None:
        """Collect whatever arrives for a while."""
        with contextlib.suppress(TimeoutError, AssertionError):
            await self._read_until(lambda e: False, seconds)

    def named(self, name: str) -> list[Any]:
        """Payloads received so far with this name."""
        return [e["data"] for e in self.events if e.get("type") == "event" and e.get("name") == name]

    async def close(self) -> None:
        """Stop the Node process."""
        if self.proc.returncode is None:
            self.proc.terminate()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.proc.wait(), 5)


def node_available() -> str | None:
    """Why the Node client cannot run, or None when it can."""
    if not (JS_DIR / "node_modules" / "socket.io-client").exists():
        return "tests/js/node_modules missing: run `make test` (it installs socket.io-client with npm)"
    try:
        subprocess.run(["node", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return "node is not installed"
    return None


def spawn_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """A separate `ventanilla serve` process (for the two-process Redis tests)."""
    full_env = {
        **os.environ,
        "VENTANILLA_TRUSTED_PROXIES": "127.0.0.1",
        **env,
        "VENTANILLA_PORT": str(port),
        "VENTANILLA_HOST": "127.0.0.1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ventanilla.cli", "serve", "--log-level", "warning"],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


# --- the widget ---------------------------------------------------------------------------------------


def widget_headers(tenant: Tenant, session_key: str | None = None) -> dict[str, str]:
    """What the widget sends on every call."""
    return {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": session_key or str(uuid.uuid4())}


async def file_complaint(
    client: httpx.AsyncClient, tenant: Tenant, session_key: str, key: str | None = None
) -> dict[str, Any]:
    """Walk the web intake with actions, like the widget does, and confirm."""
    headers = widget_headers(tenant, session_key)
    ask = f"/ask/{tenant.tipo}"
    r = await client.post(ask, json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
    assert r.status_code == 200, r.text
    context: dict[str, Any] = {"estado_conversacion": "inicio"}
    for text in ("Hay una luminaria apagada hace una semana", "Av. San Martín 1234"):
        r = await client.post(ask, json={"pregunta": text, "contexto_previo": context}, headers=headers)
        assert r.status_code == 200, r.text
        context = r.json()["contexto_actualizado"]
    body = {
        "pregunta": "",
        "action": "confirmar_reclamo",
        "contexto_previo": context,
        "datos_personales": {
            "nombre": "Ana Gómez",
            "email": "ana@example.org",
            "telefono": "2615551234",
            "dni": "30123456",
        },
        "idempotency_key": key or str(uuid.uuid4()),
    }
    r = await client.post(ask, json=body, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def widget_update(context: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """What the widget's context code does with a response (contexto_municipio.ts), nothing more."""
    new = {**context, "datos_reclamo": dict(context.get("datos_reclamo") or {})}
    estructura = response.get("datos_estructura") or {}
    assert "categoria" not in estructura  # the widget throws on it (mapToKnownCategory is not defined there)
    for src, dst in (
        ("descripcion", "descripcion"),
        ("ubicacion", "ubicacion"),
        ("nombre_usuario_detectado", "nombre_ciudadano"),
        ("telefono_detectado", "telefono_ciudadano"),
        ("email_detectado", "email_ciudadano"),
    ):
        if estructura.get(src):
            new["datos_reclamo"][dst] = estructura[src]
    if response.get("ticket_id"):
        new["estado_conversacion"], new["id_ticket_creado"] = "reclamo_creado", response["ticket_id"]
    elif response.get("accion_backend") == "crear_reclamo":
        new["estado_conversacion"] = "recolectando_info" if response.get("pedir_info") else "confirmando_reclamo"
    return new


# --- the command line ---------------------------------------------------------------------------------


def run_cli(tmp: Path, *args: str, db: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `ventanilla ARGS` against a database in `tmp`."""
    env = {
        **os.environ,
        "VENTANILLA_DATABASE_URL": db or f"sqlite+aiosqlite:///{tmp / 'cli.db'}",
        "VENTANILLA_MAIL_DIR": str(tmp / "mail"),
        "VENTANILLA_DATA_DIR": str(tmp / "data"),
        "VENTANILLA_SECRET_KEY": "cli-test-secret",
    }
    return subprocess.run(
        [sys.executable, "-m", "ventanilla.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- urgency examples ---------------------------------------------------------------------------------

# Vague danger inside a complaint: what the shipped model is unsure about (retraining may move a candidate).
UNSURE_CANDIDATES = (
    "hay humo en la cuadra, quiero hacer un reclamo",
    "hay chispas a veces en el poste, es un reclamo",
    "hago un reclamo: hay chispas a veces en el poste",
    "quiero hacer un reclamo: hay humo a lo lejos",
    "hay humo a lo lejos, quiero hacer un reclamo",
    "el arroyo esta muy crecido",
    "vengan ya que esto se pone feo",
    "hay humo a lo lejos",
    "hay un olor raro",
    "el arroyo esta muy crecido, es un reclamo",
    "hay un olor raro en la cuadra, quiero hacer un reclamo",
)
UNSURE = next((t for t in UNSURE_CANDIDATES if classify(t).level == "unsure"), UNSURE_CANDIDATES[0])
SELF_HARM = "no quiero vivir mas, me voy a tirar del puente"


async def expected_reply(server: Server, tenant: Tenant, text: str) -> engine.BotReply:
    """What the engine answers to `text` at the start of a conversation, as if no question had been asked."""
    async with server.ctx.uow() as uow:
        entity = await entities.require(uow.session, tenant.id)
        settings = bot_settings(server.ctx, entity, server.ctx.clock())
    return engine.respond(settings, engine.ConversationState(), engine.Incoming(text=text))


def signed(agent: dict[str, Any], text: str = "") -> str:
    """An agent's message as the widget shows it: under the agent's name (tickets.schemas.signed)."""
    from ventanilla.tickets.schemas import AGENT_SIGNATURE

    head = AGENT_SIGNATURE.format(name=agent["name"])
    return f"{head}\n{text}" if text.strip() else head
