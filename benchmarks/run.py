"""Ventanilla performance and scale-out benchmarks, side by side with a bare Node socket.io 4.8 server.

    .venv/bin/python benchmarks/run.py [--quick] [--only fanout,idle,ask,urgency,scaleout]

Starts every server itself (subprocesses on free loopback ports, fresh SQLite files in a temp dir, a fresh
PostgreSQL database when reachable), prints one JSON line per measurement plus a markdown table, and writes
benchmarks/results/latest.json and latest.md. See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
PY = sys.executable
VENTANILLA = [PY, "-m", "ventanilla.cli"]
PASSWORD = "bench-clave-segura-123"
PG_ADMIN = {"host": "127.0.0.1", "port": "5432", "user": "postgres", "db": "test"}
REDIS = ("127.0.0.1", 6379)


@dataclass(frozen=True)
class Profile:
    """Sizes and durations of one run."""

    clients: int
    rooms: int
    paced_rate: int
    paced_seconds: float
    sat_seconds: float
    sat_concurrency: int
    idle_clients: int
    idle_procs: int
    ask_seconds: float
    ask_concurrency: int
    scale_clients: int


ASK_LATENCY_CONCURRENCY = 8
FULL = Profile(
    clients=1000,
    rooms=50,
    paced_rate=100,
    paced_seconds=15,
    sat_seconds=12,
    sat_concurrency=32,
    idle_clients=10_000,
    idle_procs=4,
    ask_seconds=15,
    ask_concurrency=64,
    scale_clients=1000,
)
QUICK = Profile(
    clients=200,
    rooms=20,
    paced_rate=50,
    paced_seconds=4,
    sat_seconds=4,
    sat_concurrency=16,
    idle_clients=1000,
    idle_procs=1,
    ask_seconds=4,
    ask_concurrency=32,
    scale_clients=200,
)


def emit(row: dict[str, Any]) -> None:
    """One JSON line on stdout, as soon as a measurement is done."""
    print(json.dumps(row, ensure_ascii=False), flush=True)


def log(message: str) -> None:
    """Progress on stderr (stdout carries only JSON lines and the final table)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (VmRSS from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raise_nofile() -> int:
    """Raise this process's open-file limit to the hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---- processes -----------------------------------------------------------------------------------


@dataclass
class Proc:
    """A child process we started (and must stop)."""

    name: str
    popen: subprocess.Popen[bytes]
    logfile: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, chars: int = 1500) -> str:
        """The end of its log."""
        with contextlib.suppress(OSError):
            return self.logfile.read_text(errors="replace")[-chars:]
        return ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 8 s."""
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(8)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(5)


@dataclass
class Runner:
    """Owns the temp dir and every child process."""

    tmp: Path
    procs: list[Proc] = field(default_factory=list)

    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Proc:
        """Start a server process with its output in a log file."""
        logfile = self.tmp / f"{name}.log"
        handle = logfile.open("wb")
        popen = subprocess.Popen(
            cmd,
            env={**os.environ, **(env or {})},
            cwd=str(cwd or self.tmp),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        handle.close()
        proc = Proc(name, popen, logfile)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc) -> None:
        """Stop one process."""
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        """Stop every process still running."""
        for proc in reversed(self.procs):
            with contextlib.suppress(Exception):
                proc.stop()
        self.procs.clear()


def wait_http(url: str, proc: Proc, timeout: float = 60) -> None:
    """Wait until GET url answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}): {proc.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not answer {url}: {proc.tail()}")


def node(script: str, config: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    """Run a Node script of this directory with a JSON config; returns its JSON lines."""
    done = subprocess.run(
        ["node", str(HERE / script), json.dumps(config)],
        cwd=str(HERE),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    rows = []
    for line in done.stdout.decode(errors="replace").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            rows.append(json.loads(line))
    if done.returncode != 0 or not rows:
        raise RuntimeError(f"{script} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    return rows


# ---- Ventanilla setup ----------------------------------------------------------------------------


@dataclass
class Tenant:
    """A seeded municipio with agents."""

    entity_id: int
    entity_token: str
    agent_emails: list[str]


def ventanilla_env(database_url: str, tmp: Path, redis_channel: str | None = None) -> dict[str, str]:
    """Environment of a benchmark Ventanilla process."""
    env = {
        "VENTANILLA_DATABASE_URL": database_url,
        "VENTANILLA_SECRET_KEY": "bench-" + secrets.token_hex(16),
        "VENTANILLA_RATE_LIMIT_PER_MINUTE": "1000000000",
        "VENTANILLA_MAIL_DIR": str(tmp / "mail"),
        "VENTANILLA_CORS_ORIGINS": '["*"]',
        "PYTHONUNBUFFERED": "1",
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
                "users",
                "create",
                "--entity",
                str(entity["id"]),
                "--email",
                email,
                "--password",
                PASSWORD,
                "--rol",
                "empleado",
                "--name",
                f"Agente {index}",
                "--capacity",
                "1000000",
                "--json",
            ],
            env,
            cwd,
        )
        emails.append(email)
    return Tenant(entity["id"], entity["token"], emails)


def start_ventanilla(runner: Runner, name: str, env: dict[str, str]) -> tuple[Proc, str]:
    """`ventanilla serve` on a free loopback port; returns once /health answers."""
    port = free_port()
    proc = runner.spawn(
        name, [*VENTANILLA, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", proc)
    return proc, url


def open_tickets(url: str, tenant: Tenant, count: int) -> list[dict[str, Any]]:
    """Real live-chat tickets through the widget flow (POST /ask/municipio, action request_agent)."""
    tickets = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for index in range(count):
            response = client.post(
                "/ask/municipio",
                json={"pregunta": "Quisiera hablar con un representante", "action": "request_agent"},
                headers={"X-Entity-Token": tenant.entity_token, "X-Chat-Session-Id": f"bench-room-{index:05d}"},
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


# ---- measurements --------------------------------------------------------------------------------


def fanout_phases(p: Profile, track_saturation: bool = False) -> list[dict[str, Any]]:
    """Warm-up, paced and saturation phases of a fan-out run."""
    return [
        {"name": "warmup", "rate": 100, "duration": 1.5, "drain": 2},
        {"name": "paced", "rate": p.paced_rate, "duration": p.paced_seconds, "track": True, "drain": 5},
        {
            "name": "saturation",
            "concurrency": p.sat_concurrency,
            "duration": p.sat_seconds,
            "track": track_saturation,
            "drain": 8,
        },
    ]


def run_fanout(
    label: str,
    servers: list[str],
    rooms: list[str],
    target: dict[str, Any],
    p: Profile,
    clients: int,
    track_saturation: bool = False,
    spread_block: int = 1,
) -> dict[str, dict[str, Any]]:
    """One load generator process against one server (or several); returns phase name -> result."""
    config = {
        "mode": "fanout",
        "servers": servers,
        "clients": clients,
        "rooms": rooms,
        "target": target,
        "phases": fanout_phases(p, track_saturation),
        "connectConcurrency": 50,
        "spreadBlock": spread_block,
        "httpSockets": 64,
    }
    budget = 120 + p.paced_seconds + p.sat_seconds + clients / 20
    rows = node("loadgen.mjs", config, timeout=budget)
    connected = next((r for r in rows if r.get("type") == "connected"), {})
    if connected.get("failed"):
        log(f"{label}: {connected['failed']} clients failed to connect/join: {connected.get('errors')}")
    found = {}
    for row in rows:
        if row.get("type") == "error":
            raise RuntimeError(f"loadgen failed: {row['error']}")
        if row.get("type") == "phase" and row["phase"] != "warmup":
            row = {"bench": "fanout", "server": label, "connect_seconds": connected.get("seconds"), **row}
            row.pop("type", None)
            emit(row)
            found[row["phase"]] = row
    return found


def measure_idle(runner: Runner, url: str, pid: int, p: Profile) -> dict[str, Any]:
    """Open many idle websocket clients to one Ventanilla process; RSS per connection from /proc."""
    time.sleep(1)
    before = rss_kib(pid)
    base, rest = divmod(p.idle_clients, p.idle_procs)
    per_proc = [base + (1 if i < rest else 0) for i in range(p.idle_procs)]
    started = time.monotonic()
    gens = [
        subprocess.Popen(
            [
                "node",
                str(HERE / "loadgen.mjs"),
                json.dumps({"mode": "idle", "servers": [url], "clients": n, "connectConcurrency": 64}),
            ],
            cwd=str(HERE),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in per_proc
    ]
    connected = failed = 0
    errors: dict[str, int] = {}
    try:
        for gen in gens:
            assert gen.stdout is not None
            line = gen.stdout.readline()
            if not line:
                raise RuntimeError(f"idle loadgen exited: {gen.stderr.read().decode()[-1500:] if gen.stderr else ''}")
            row = json.loads(line)
            connected += int(row.get("clients", 0))
            failed += int(row.get("failed", 0))
            for key, value in (row.get("errors") or {}).items():
                errors[key] = errors.get(key, 0) + value
        ramp = time.monotonic() - started
        time.sleep(3)
        after = rss_kib(pid)
        still = 0
        for gen in gens:
            assert gen.stdin is not None and gen.stdout is not None
            gen.stdin.write(b"stop\n")
            gen.stdin.flush()
            done = json.loads(gen.stdout.readline() or b"{}")
            still += int(done.get("connected", 0))
    finally:
        for gen in gens:
            with contextlib.suppress(Exception):
                gen.wait(15)
            if gen.poll() is None:
                gen.kill()
                gen.wait()
    row = {
        "bench": "idle",
        "server": "ventanilla",
        "clients_requested": p.idle_clients,
        "connected": connected,
        "still_connected_after_hold": still,
        "failed": failed,
        "errors": errors,
        "ramp_seconds": round(ramp, 2),
        "connects_per_s": round(connected / ramp, 1) if ramp else None,
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "rss_per_connection_kib": round((after - before) / connected, 2) if connected else None,
        "process_rss_per_10k_mib": round((after - before) / connected * 10_000 / 1024 + before / 1024, 1)
        if connected
        else None,
    }
    emit(row)
    return row


def run_ask(label: str, url: str, tenant: Tenant, p: Profile) -> list[dict[str, Any]]:
    """POST /ask/municipio closed-loop load (greeting + free-text mix): saturation, then a lighter load for latency."""
    out = []
    for concurrency in (p.ask_concurrency, ASK_LATENCY_CONCURRENCY):
        rows = node(
            "http_load.mjs",
            {
                "base": url,
                "entityToken": tenant.entity_token,
                "concurrency": concurrency,
                "duration": p.ask_seconds,
                "warmup": 2,
            },
            timeout=60 + p.ask_seconds,
        )
        row = {"bench": "ask", "server": label, **rows[-1]}
        row.pop("type", None)
        emit(row)
        out.append(row)
    return out


def run_urgency() -> dict[str, Any] | None:
    """benchmarks/bench_urgency.py, written by another engineer: include its JSON line if it exists."""
    script = HERE / "bench_urgency.py"
    if not script.exists():
        row = {"bench": "urgency", "skipped": "benchmarks/bench_urgency.py does not exist"}
        emit(row)
        return row
    done = subprocess.run([PY, str(script)], cwd=str(ROOT), capture_output=True, timeout=180, check=False)
    parsed: dict[str, Any] | None = None
    for line in reversed(done.stdout.decode(errors="replace").splitlines()):
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(line)
            if isinstance(value, dict):
                parsed = value
                break
    if parsed is not None and done.returncode == 0:
        row = {"bench": "urgency", **{k: v for k, v in parsed.items() if k != "bench"}}
        if parsed.get("bench") not in (None, "urgency"):
            row["bench_name"] = parsed["bench"]
    else:
        tail = done.stderr.decode(errors="replace")[-500:]
        row = {"bench": "urgency", "skipped": f"bench_urgency.py failed ({done.returncode}): {tail}"}
    emit(row)
    return row


# ---- PostgreSQL / Redis --------------------------------------------------------------------------


def psql(sql: str) -> subprocess.CompletedProcess[bytes]:
    """Run one statement as the postgres user against the admin database."""
    return subprocess.run(
        [
            "psql",
            "-h",
            PG_ADMIN["host"],
            "-p",
            PG_ADMIN["port"],
            "-U",
            PG_ADMIN["user"],
            "-d",
            PG_ADMIN["db"],
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            sql,
        ],
        capture_output=True,
        timeout=30,
        check=False,
        env={**os.environ, "PGCONNECT_TIMEOUT": "3"},
    )


@contextlib.contextmanager
def pg_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database (dropped afterwards), or None when PostgreSQL is unreachable."""
    if shutil.which("psql") is None:
        yield None
        return
    name = f"ventanilla_bench_{secrets.token_hex(4)}"
    created = psql(f'CREATE DATABASE "{name}"')
    if created.returncode != 0:
        log(f"PostgreSQL unavailable: {created.stderr.decode(errors='replace').strip()}")
        yield None
        return
    try:
        yield f"postgresql+asyncpg://{PG_ADMIN['user']}@{PG_ADMIN['host']}:{PG_ADMIN['port']}/{name}"
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_reachable() -> bool:
    """Whether Redis answers PING on the loopback."""
    try:
        with socket.create_connection(REDIS, timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# ---- report --------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU, cores, memory and tool versions."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
    node_version = subprocess.run(["node", "--version"], capture_output=True, check=False).stdout.decode().strip()

    def pkg_version(package: str) -> str | None:
        with contextlib.suppress(OSError, ValueError):
            return str(json.loads((HERE / "node_modules" / package / "package.json").read_text())["version"])
        return None

    from importlib.metadata import version

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=str(ROOT), capture_output=True, check=False)
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": node_version,
        "socket.io (node)": pkg_version("socket.io"),
        "socket.io-client": pkg_version("socket.io-client"),
        "python-socketio": version("python-socketio"),
        "python-engineio": version("python-engineio"),
        "uvicorn": version("uvicorn"),
        "git_commit": commit.stdout.decode().strip() or None,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:g}"


def table(rows: list[dict[str, Any]]) -> str:
    """The markdown table of every measurement."""
    lines = [
        "| benchmark | server | load | throughput | p50 ms | p99 ms | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        bench = row.get("bench")
        if bench == "fanout":
            lat = row.get("latency_ms") or {}
            how = (
                f"{row['target_rate']} msg/s paced"
                if row["mode"] == "paced"
                else f"saturation, {row['concurrency']} in flight"
            )
            load = f"{row['clients']} clients / {row['rooms']} rooms, {how}"
            notes = [
                f"{row['messages_per_s']:g} msg/s sent",
                f"{row['deliveries']}/{row['deliveries_expected']} delivered",
            ]
            if "exactly_once" in row:
                notes.append(f"dup {row['duplicates']}, missing {row['missing']}")
            if row.get("http_errors"):
                notes.append(f"http errors {row['http_errors']}")
            if row.get("ratio_vs_node") is not None:
                notes.append(f"**{row['ratio_vs_node']:.2f}× Node**")
            lines.append(
                f"| fan-out | {row['server']} | {load} | {row['deliveries_per_s']:,} deliveries/s | "
                f"{_ms(lat.get('p50'))} | {_ms(lat.get('p99'))} | {'; '.join(notes)} |"
            )
        elif bench == "idle":
            lines.append(
                f"| idle sockets | {row['server']} | {row['clients_requested']:,} websocket clients | "
                f"{row['connected']:,} connected ({row['still_connected_after_hold']:,} after hold) | – | – | "
                f"RSS {row['rss_before_mib']} → {row['rss_after_mib']} MiB, "
                f"{row['rss_per_connection_kib']} KiB/conn, ramp {row['connects_per_s']} conn/s |"
            )
        elif bench == "ask":
            if "skipped" in row:
                lines.append(f"| /ask | {row['server']} | – | skipped | – | – | {row['skipped']} |")
                continue
            lat = row.get("latency_ms") or {}
            lines.append(
                f"| /ask | {row['server']} | {row['concurrency']} concurrent, greeting + free text | "
                f"{row['requests_per_s']:,} req/s | {_ms(lat.get('p50'))} | {_ms(lat.get('p99'))} | "
                f"statuses {row.get('statuses')} |"
            )
        elif bench == "urgency":
            detail = {k: v for k, v in row.items() if k != "bench"}
            text = json.dumps(detail, ensure_ascii=False)
            lines.append(f"| urgency | classify() | bench_urgency.py | – | – | – | `{text}` |")
        elif bench == "skipped":
            lines.append(f"| {row['what']} | – | – | skipped | – | – | {row['reason']} |")
    return "\n".join(lines)


def targets(rows: list[dict[str, Any]], p: Profile) -> list[dict[str, Any]]:
    """The issue's targets, met or not, from the measured rows."""

    def find(**match: Any) -> dict[str, Any] | None:
        return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)

    out: list[dict[str, Any]] = []
    v_sat = find(bench="fanout", server="ventanilla (sqlite)", phase="saturation")
    n_sat = find(bench="fanout", server="node socket.io", phase="saturation")
    if v_sat and n_sat:
        ratio = v_sat["deliveries_per_s"] / max(1, n_sat["deliveries_per_s"])
        out.append(
            {"target": "fan-out >= 0.5 x bare Node deliveries/s", "measured": f"{ratio:.2f} x", "met": ratio >= 0.5}
        )
    paced = find(bench="fanout", server="ventanilla (sqlite)", phase="paced")
    if paced:
        p99 = (paced.get("latency_ms") or {}).get("p99")
        ok = p99 is not None and p99 <= 50 and paced["deliveries"] >= paced["deliveries_expected"]
        out.append(
            {
                "target": f"p99 REST-to-delivery <= 50 ms ({paced['clients']} clients, {paced['target_rate']} msg/s)",
                "measured": f"p99 {p99} ms, {paced['messages_per_s']} msg/s achieved",
                "met": ok if paced["clients"] >= 1000 and paced["target_rate"] >= 100 else None,
            }
        )
    idle = find(bench="idle")
    if idle and idle.get("rss_per_connection_kib") is not None:
        projected = idle["process_rss_per_10k_mib"]
        ok = idle["connected"] >= 10_000 and idle["rss_after_mib"] < 1024
        out.append(
            {
                "target": "10,000 idle websocket connections per process under 1 GiB RSS",
                "measured": f"{idle['connected']:,} connected, RSS {idle['rss_after_mib']} MiB "
                f"(projected {projected} MiB at 10k)",
                "met": ok if idle["connected"] >= 10_000 else None,
            }
        )
    asks = [
        r
        for r in rows
        if r.get("bench") == "ask" and r.get("server") == "ventanilla (sqlite)" and "requests_per_s" in r
    ]
    if asks:
        out.append(
            {
                "target": "/ask >= 500 req/s on SQLite with p99 <= 50 ms",
                "measured": "; ".join(
                    f"{a['requests_per_s']} req/s, p99 {a['latency_ms']['p99']} ms (concurrency {a['concurrency']})"
                    for a in asks
                ),
                "met": any(a["requests_per_s"] >= 500 and a["latency_ms"]["p99"] <= 50 for a in asks),
            }
        )
    scale = find(bench="fanout", server="ventanilla x2 (pg+redis)", phase="paced")
    if scale and "exactly_once" in scale:
        out.append(
            {
                "target": "scale-out: every message delivered exactly once per client",
                "measured": f"dup {scale['duplicates']}, missing {scale['missing']}",
                "met": scale["exactly_once"],
            }
        )
    return out


def targets_md(items: list[dict[str, Any]]) -> str:
    """Targets as a markdown list."""

    def mark(met: Any) -> str:
        return "met" if met is True else "NOT met" if met is False else "not measured at full size"

    return "\n".join(f"- {t['target']}: **{mark(t['met'])}** ({t['measured']})" for t in items)


# ---- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and short phases (~1 minute smoke run)")
    parser.add_argument("--only", default="fanout,idle,ask,urgency,scaleout", help="comma-separated subset")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (server logs) for inspection")
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/latest.*")
    args = parser.parse_args()
    p = QUICK if args.quick else FULL
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if not (HERE / "node_modules" / "socket.io").exists():
        print("benchmarks/node_modules missing: run `npm ci --prefix benchmarks` (or `make bench`)", file=sys.stderr)
        return 2
    nofile = raise_nofile()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="ventanilla-bench-"))
    runner = Runner(tmp)
    rows: list[dict[str, Any]] = []
    info = machine()
    info["nofile_limit"] = nofile
    log(f"profile {'quick' if args.quick else 'full'}; temp dir {tmp}")

    def skip(what: str, reason: str) -> None:
        row = {"bench": "skipped", "what": what, "reason": reason}
        emit(row)
        rows.append(row)

    try:
        sqlite_env = ventanilla_env(f"sqlite+aiosqlite:///{tmp / 'bench.db'}", tmp)
        need_sqlite = only & {"fanout", "idle", "ask"}
        tenant = seed(sqlite_env, tmp) if need_sqlite else None

        if "fanout" in only and tenant is not None:
            log("fan-out: Ventanilla (SQLite)")
            proc, url = start_ventanilla(runner, "ventanilla-sqlite", sqlite_env)
            tickets = open_tickets(url, tenant, p.rooms)
            tokens = agent_tokens(url, tenant)
            take_tickets(url, tickets, tokens[0])
            rooms = [t["room"] for t in tickets]
            target = {"kind": "ventanilla", "bases": [url], "tickets": tickets, "tokens": tokens}
            v = run_fanout("ventanilla (sqlite)", [url], rooms, target, p, p.clients)
            v_rss = rss_kib(proc.pid)
            runner.stop(proc)

            def reference(label: str, name: str, program: list[str], *flags: str) -> dict[str, Any]:
                """Start a bare reference server on a free port, run the same fan-out load on it, stop it."""
                log(f"fan-out: {label}")
                port = free_port()
                proc = runner.spawn(name, [*program, str(port), *flags], cwd=HERE)
                url = f"http://127.0.0.1:{port}"
                wait_http(f"{url}/health", proc)
                result = run_fanout(label, [url], rooms, {"kind": "emit", "bases": [url]}, p, p.clients)
                runner.stop(proc)
                return result

            bare = [PY, str(HERE / "py_bare_server.py")]
            n = reference("node socket.io", "node-server", ["node", str(HERE / "node_server.mjs")])
            b = reference("python-socketio (bare)", "py-bare", bare)
            d = reference("python-socketio (bare, no deflate)", "py-bare-nodeflate", bare, "--no-deflate")

            node_dps = n.get("saturation", {}).get("deliveries_per_s") or 0
            for found in (v, n, b, d):
                if "saturation" in found and node_dps:
                    found["saturation"]["ratio_vs_node"] = round(found["saturation"]["deliveries_per_s"] / node_dps, 3)
            for phase in ("paced", "saturation"):
                rows.extend(found[phase] for found in (v, n, b, d) if phase in found)
            if "saturation" in v:
                v["saturation"]["server_rss_mib"] = round(v_rss / 1024, 1)
            ratio = v.get("saturation", {}).get("ratio_vs_node")
            emit(
                {
                    "bench": "fanout_ratio",
                    "ventanilla_over_node_saturation": ratio,
                    "bare_python_over_node_saturation": b.get("saturation", {}).get("ratio_vs_node"),
                }
            )

        if "idle" in only and tenant is not None:
            log(f"idle: {p.idle_clients} websocket clients on one Ventanilla process")
            proc, url = start_ventanilla(runner, "ventanilla-idle", sqlite_env)
            rows.append(measure_idle(runner, url, proc.pid, p))
            runner.stop(proc)

        if "ask" in only and tenant is not None:
            log("/ask: SQLite")
            proc, url = start_ventanilla(runner, "ventanilla-ask-sqlite", sqlite_env)
            rows.extend(run_ask("ventanilla (sqlite)", url, tenant, p))
            runner.stop(proc)

        if "urgency" in only:
            log("urgency: bench_urgency.py")
            urgency = run_urgency()
            if urgency is not None:
                rows.append(urgency)

        if only & {"ask", "scaleout"}:
            with pg_database() as pg_url:
                if pg_url is None:
                    if "ask" in only:
                        skip("/ask (postgresql)", "PostgreSQL unreachable on 127.0.0.1:5432")
                    db_url = f"sqlite+aiosqlite:///{tmp / 'scale.db'}"
                else:
                    db_url = pg_url
                db_label = "pg" if pg_url else "sqlite"
                channel = f"ventanilla-bench-{secrets.token_hex(4)}"
                single_env = ventanilla_env(db_url, tmp)
                pg_tenant = seed(single_env, tmp)
                proc, url = start_ventanilla(runner, f"ventanilla-{db_label}", single_env)
                if "ask" in only and pg_url:
                    log("/ask: PostgreSQL")
                    rows.extend(run_ask("ventanilla (postgresql)", url, pg_tenant, p))
                if "scaleout" in only:
                    redis_ok = redis_reachable()
                    tickets = open_tickets(url, pg_tenant, p.rooms)
                    tokens = agent_tokens(url, pg_tenant)
                    take_tickets(url, tickets, tokens[0])
                    rooms = [t["room"] for t in tickets]
                    log(f"scale-out baseline: one process ({db_label}, no Redis)")
                    one = run_fanout(
                        f"ventanilla x1 ({db_label})",
                        [url],
                        rooms,
                        {"kind": "ventanilla", "bases": [url], "tickets": tickets, "tokens": tokens},
                        p,
                        p.scale_clients,
                        track_saturation=True,
                    )
                    rows.extend(one.values())
                    runner.stop(proc)
                    if not redis_ok:
                        skip("scale-out", "Redis unreachable on 127.0.0.1:6379")
                    else:
                        redis_env = ventanilla_env(db_url, tmp, redis_channel=channel)
                        redis_env["VENTANILLA_SECRET_KEY"] = single_env["VENTANILLA_SECRET_KEY"]
                        log(f"scale-out: one process ({db_label} + Redis)")
                        proc1, url1 = start_ventanilla(runner, "ventanilla-redis-1", redis_env)
                        target1 = {"kind": "ventanilla", "bases": [url1], "tickets": tickets, "tokens": tokens}
                        r1 = run_fanout(
                            f"ventanilla x1 ({db_label}+redis)",
                            [url1],
                            rooms,
                            target1,
                            p,
                            p.scale_clients,
                            track_saturation=True,
                        )
                        rows.extend(r1.values())
                        log(f"scale-out: two processes ({db_label} + Redis)")
                        proc2, url2 = start_ventanilla(runner, "ventanilla-redis-2", redis_env)
                        target2 = {"kind": "ventanilla", "bases": [url1, url2], "tickets": tickets, "tokens": tokens}
                        r2 = run_fanout(
                            f"ventanilla x2 ({db_label}+redis)",
                            [url1, url2],
                            rooms,
                            target2,
                            p,
                            p.scale_clients,
                            track_saturation=True,
                            spread_block=len(rooms),
                        )
                        rows.extend(r2.values())
                        runner.stop(proc2)
                        runner.stop(proc1)
                        base_sat = one.get("saturation", {}).get("deliveries_per_s") or 0
                        two_sat = r2.get("saturation", {}).get("deliveries_per_s") or 0
                        emit(
                            {
                                "bench": "scaleout_summary",
                                "one_process_deliveries_per_s": base_sat,
                                "one_process_redis_deliveries_per_s": r1.get("saturation", {}).get("deliveries_per_s"),
                                "two_processes_deliveries_per_s": two_sat,
                                "speedup": round(two_sat / base_sat, 3) if base_sat else None,
                            }
                        )
                else:
                    runner.stop(proc)
    finally:
        runner.stop_all()
        if args.keep_tmp:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    elapsed = round(time.monotonic() - started, 1)
    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    met = targets(rows, p)
    md = table(rows)
    report_md = (
        f"# Ventanilla benchmarks — {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}\n\n"
        f"Machine: {info['cpu_model']}, {info['cores']} cores, {info['memory_gib']} GiB; Python {info['python']}, "
        f"Node {info['node']}; socket.io {info['socket.io (node)']}, python-socketio {info['python-socketio']}, "
        f"uvicorn {info['uvicorn']}; commit {info['git_commit']}. Profile: {'quick' if args.quick else 'full'}, "
        f"{elapsed} s. Load average at start {info['loadavg_at_start']}, at end {info['loadavg_at_end']} "
        f"(anything else running on the machine skews every number).\n\n{md}\n\n## Targets\n\n{targets_md(met)}\n"
    )
    print()
    print(report_md)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.json").write_text(
            json.dumps(
                {
                    "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "profile": "quick" if args.quick else "full",
                    "elapsed_seconds": elapsed,
                    "machine": info,
                    "results": rows,
                    "targets": met,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
        (RESULTS / "latest.md").write_text(report_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
