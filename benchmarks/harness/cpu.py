"""Server CPU per request: Ventanilla against the bare framework (py_bare_api.py), side by side in one run.

Throughput on a shared 2-core machine swings with whatever else runs; the CPU time a server process spends per
request (utime + stime of all its threads, from /proc/PID/stat) barely does. Both servers run under the same
uvicorn stack (uvloop, httptools) with `LISTENERS` sockets in each live-chat room, and get the same requests at
the same concurrency, one route after the other:

- `greeting`: POST /ask/municipio {"action": "initial_greeting"}, a new chat session each time;
- `intake_turn`: the first free-text turn of a new session ("Hay un bache enorme...");
- `agent_reply`: an agent's reply to a live chat it holds (POST /tickets/municipio/{id}/responder), delivered
  to the room's sockets and, as `new_comment`, to the entity's panel room (every listener here is an agent socket);
  the bare app makes the same two broadcasts (POST /emit: the room, and a panel room of all its listeners), so both
  deliver the same 63 frames per reply;
- `panel_list`: GET /tickets as an agent (the 20 live chats); the bare app answers a small JSON (GET /list).

Ventanilla runs with its default logging (one line per request). On PostgreSQL the bare app runs one
`SELECT 1` per request (`--db`), the reference the issue names.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import socketio

from harness import pyspy
from harness.procs import HERE, PY, Proc, Runner, emit, loadavg, log, wait_http
from harness.seeding import PASSWORD, VENTANILLA, Tenant

ROUTES = ("greeting", "intake_turn", "agent_reply", "panel_list")
TARGETS = {"greeting": 3.0, "intake_turn": 5.0, "agent_reply": 5.0, "panel_list": 5.0}
CONCURRENCY = 8
LISTENERS = 3  # a live chat: the citizen's widget and two agents' panels
ROOMS = 20
WARMUP = 40
TICK = os.sysconf("SC_CLK_TCK")
INTAKE_TEXT = "Hay un bache enorme en la calle frente a mi casa"

Request = tuple[str, str, dict[str, Any]]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


async def drive(base: str, make: Callable[[int], Request], n: int) -> None:
    """`n` requests, CONCURRENCY at a time on keep-alive connections; every answer must be 2xx."""
    bad: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        it = iter(range(n))

        async def worker() -> None:
            for i in it:
                method, path, kw = make(i)
                response = await client.request(method, path, **kw)
                if response.status_code >= 300:
                    bad.append(f"{method} {path} {response.status_code} {response.text[:160]}")

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    if bad:
        raise RuntimeError(f"{len(bad)} failed requests, e.g. {bad[0]}")


async def listen(base: str, rooms: list[str], auth: dict[str, str] | None) -> list[socketio.AsyncClient]:
    """LISTENERS websocket clients in each room."""
    clients = []
    for room in rooms:
        for _ in range(LISTENERS):
            client = socketio.AsyncClient(reconnection=False)
            await client.connect(base, transports=["websocket"], auth=auth, wait_timeout=10)
            ack = await client.call("join", {"room": room}, timeout=10)
            if not (isinstance(ack, dict) and ack.get("ok", True) and not ack.get("error")):
                raise RuntimeError(f"join {room} refused: {ack}")
            clients.append(client)
    return clients


async def _close(clients: list[socketio.AsyncClient]) -> None:
    for client in clients:
        with contextlib.suppress(Exception):
            await client.disconnect()


@dataclass
class Side:
    """One server under measurement and how each route is asked of it."""

    proc: Proc
    url: str
    routes: dict[str, Callable[[int], Request]]


async def _measure(side: Side, route: str, n: int, spy_out: Path | None) -> float:
    make = side.routes[route]
    await drive(side.url, make, min(WARMUP, n))
    spy = pyspy.record(side.proc.pid, spy_out) if spy_out is not None else None
    before = cpu_seconds(side.proc.pid)
    await drive(side.url, make, n)
    used = cpu_seconds(side.proc.pid) - before
    if spy is not None:
        spy.send_signal(2)  # SIGINT: py-spy writes what it has
        spy.wait(30)
    return used * 1000 / n


def _session(tenant: Tenant) -> Callable[[dict[str, Any]], Callable[[int], Request]]:
    def ask(body: dict[str, Any]) -> Callable[[int], Request]:
        return lambda _: (
            "POST",
            "/ask/municipio",
            {"json": body, "headers": {"X-Entity-Token": tenant.entity_token, "X-Chat-Session-Id": str(uuid.uuid4())}},
        )

    return ask


async def _setup_ventanilla(url: str, tenant: Tenant) -> tuple[dict[str, Callable[[int], Request]], str, list[int]]:
    headers = {"X-Entity-Token": tenant.entity_token}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        login = await client.post("/login", json={"email": tenant.agent_emails[0], "password": PASSWORD})
        login.raise_for_status()
        token = str(login.json()["token"])
        tickets = []
        for _ in range(ROOMS):
            response = await client.post(
                "/ask/municipio",
                headers={**headers, "X-Chat-Session-Id": str(uuid.uuid4())},
                json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
            )
            response.raise_for_status()
            data = response.json()
            tickets.append(int((data[0] if isinstance(data, list) else data)["ticket_id"]))
        auth = {"Authorization": f"Bearer {token}"}
        for ticket in tickets:  # the agent takes each chat (its 'joined' message is not measured)
            taken = await client.post(
                f"/tickets/municipio/{ticket}/responder", headers=auth, json={"comentario": "Hola"}
            )
            taken.raise_for_status()
    ask = _session(tenant)
    routes: dict[str, Callable[[int], Request]] = {
        "greeting": ask({"action": "initial_greeting"}),
        "intake_turn": ask({"pregunta": INTAKE_TEXT}),
        "agent_reply": lambda i: (
            "POST",
            f"/tickets/municipio/{tickets[i % ROOMS]}/responder",
            {"json": {"comentario": f"respuesta {i}"}, "headers": auth},
        ),
        "panel_list": lambda _: ("GET", "/tickets", {"headers": auth}),
    }
    return routes, token, tickets


def _bare_routes() -> dict[str, Callable[[int], Request]]:
    return {
        "greeting": lambda _: ("POST", "/ask/municipio", {"json": {"action": "initial_greeting"}}),
        "intake_turn": lambda _: ("POST", "/ask/municipio", {"json": {"pregunta": INTAKE_TEXT}}),
        "agent_reply": lambda i: ("POST", "/emit", {"json": {"room": f"room{i % ROOMS}", "comentario": f"r {i}"}}),
        "panel_list": lambda _: ("GET", "/list", {}),
    }


async def _compare(
    ventanillas: dict[str, tuple[Proc, str, Tenant]],
    bare: tuple[Proc, str],
    n: int,
    rounds: int,
    profile: tuple[str, ...],
    tmp: Path,
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Each route's figures per side, and how many listeners each side had to reconnect (dropped under load)."""
    sides: dict[str, Side] = {}
    sockets: dict[str, list[socketio.AsyncClient]] = {}
    joins: dict[str, tuple[str, list[str], dict[str, str] | None]] = {}
    dropped: dict[str, int] = {}
    try:
        for name, (proc, url, tenant) in ventanillas.items():
            routes, token, tickets = await _setup_ventanilla(url, tenant)
            sides[name] = Side(proc, url, routes)
            joins[name] = (url, [f"ticket_municipio_{t}" for t in tickets], {"token": token})
        sides["bare"] = Side(*bare, _bare_routes())
        joins["bare"] = (bare[1], [f"room{t}" for t in range(ROOMS)], None)
        for name, (url, rooms, auth) in joins.items():
            sockets[name] = await listen(url, rooms, auth)
        figures: dict[str, dict[str, list[float]]] = {route: {name: [] for name in sides} for route in ROUTES}
        for round_ in range(rounds):
            for route in ROUTES:
                for name, side in sides.items():
                    spy = (
                        tmp / f"pyspy-{route}.txt" if name == "ventanilla" and route in profile and not round_ else None
                    )
                    for _ in range(3):
                        # A listener dropped on a loaded machine (a missed ping) makes a reply cheaper: a reply is
                        # measured with every listener of its side connected throughout, or measured again.
                        if route == "agent_reply" and (gone := sum(not c.connected for c in sockets[name])):
                            log(f"{name}: {gone} listener(s) dropped; reconnecting them all")
                            dropped[name] = dropped.get(name, 0) + gone
                            await _close(sockets[name])
                            sockets[name] = await listen(*joins[name])
                        value = await _measure(side, route, n, spy)
                        if route != "agent_reply" or all(c.connected for c in sockets[name]):
                            break
                    figures[route][name].append(value)
    finally:
        for clients in sockets.values():
            await _close(clients)
    out: dict[str, dict[str, float]] = {}
    for route, by_side in figures.items():
        # The lowest of the rounds: other work on the machine only ever adds CPU time.
        bare_ms = min(by_side["bare"])
        out[route] = {}
        for name, values in by_side.items():
            out[route][f"{name}_ms"] = round(min(values), 3)
        for name in ventanillas:
            out[route]["ratio" if name == "ventanilla" else f"{name}_ratio"] = (
                round(min(by_side[name]) / bare_ms, 2) if bare_ms else 0
            )
    return out, dropped


def start_ventanilla_default_logging(runner: Runner, name: str, env: dict[str, str]) -> tuple[Proc, str]:
    """`ventanilla serve` as deployed (default log level: one line per request)."""
    port = runner.ports.free()
    proc = runner.spawn(name, [*VENTANILLA, "serve", "--host", "127.0.0.1", "--port", str(port)], env)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", proc)
    return proc, url


def start_bare(runner: Runner, name: str, db_url: str | None = None) -> tuple[Proc, str]:
    """py_bare_api.py on a free port (with one query per request on `db_url`)."""
    port = runner.ports.free()
    cmd = [PY, str(HERE / "py_bare_api.py"), str(port)] + (["--db", db_url] if db_url else [])
    proc = runner.spawn(name, cmd, cwd=HERE)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", proc)
    return proc, url


def run_cpu(
    runner: Runner,
    label: str,
    env: dict[str, str],
    tenant: Tenant,
    *,
    n: int,
    rounds: int = 1,
    bare_db: str | None = None,
    profile: tuple[str, ...] = (),
    profile_out: Path | None = None,
    baseline: tuple[dict[str, str], Tenant] | None = None,
) -> dict[str, Any]:
    """The four routes on a fresh Ventanilla and a fresh bare app; one JSON row (printed) with every figure.

    `baseline`: another Ventanilla (e.g. the code before a change, through PYTHONPATH in its environment) measured
    in the same run, reported as `baseline_ms` and `baseline_ratio`.
    """
    ventanillas: dict[str, tuple[Proc, str, Tenant]] = {}
    proc, url = start_ventanilla_default_logging(runner, f"ventanilla-cpu-{label}", env)
    ventanillas["ventanilla"] = (proc, url, tenant)
    if baseline is not None:
        proc, url = start_ventanilla_default_logging(runner, f"ventanilla-cpu-baseline-{label}", baseline[0])
        ventanillas["baseline"] = (proc, url, baseline[1])
    bare = start_bare(runner, f"py-bare-api-{label}", bare_db)
    started = time.monotonic()
    try:
        routes, dropped = asyncio.run(_compare(ventanillas, bare, n, rounds, profile, runner.tmp))
    finally:
        for proc, _, _ in ventanillas.values():
            runner.stop(proc)
        runner.stop(bare[0])
    row = {
        "bench": "cpu",
        "server": f"ventanilla ({label})",
        "reference": "bare FastAPI + python-socketio" + (" + one query" if bare_db else ""),
        "requests_per_route": n,
        "rounds": rounds,
        "concurrency": CONCURRENCY,
        "listeners_per_room": LISTENERS,
        "seconds": round(time.monotonic() - started, 1),
        "routes": routes,
        "listeners_reconnected": dropped,
        "loadavg": loadavg(),
    }
    emit(row)
    for route in profile:
        raw = runner.tmp / f"pyspy-{route}.txt"
        if raw.exists():
            if profile_out is not None:
                profile_out.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(raw, profile_out / f"{label}-{route}.txt")
            log(f"py-spy profile of {route} ({label}):")
            pyspy.print_summary(raw, 40)
    return row
