"""Which servers run which loads, in what order; each scenario appends its rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.cpu import run_cpu
from harness.infra import pg_database, redis_reachable
from harness.loads import Profile, measure_idle, run_ask, run_fanout, run_mix, run_urgency
from harness.procs import HERE, PY, Runner, emit, log, rss_kib, wait_http
from harness.seeding import Tenant, agent_tokens, open_tickets, seed, start_ventanilla, take_tickets, ventanilla_env


@dataclass
class Run:
    """One benchmark run: its runner, sizes, selection and collected rows."""

    runner: Runner
    p: Profile
    only: set[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tmp(self) -> Path:
        return self.runner.tmp

    def skip(self, what: str, reason: str) -> None:
        row = {"bench": "skipped", "what": what, "reason": reason}
        emit(row)
        self.rows.append(row)


def _live_chats(url: str, tenant: Tenant, rooms: int) -> tuple[list[dict[str, Any]], list[str]]:
    tickets = open_tickets(url, tenant, rooms)
    tokens = agent_tokens(url, tenant)
    take_tickets(url, tickets, tokens[0])
    return tickets, tokens


def fanout(run: Run, env: dict[str, str], tenant: Tenant) -> None:
    """The agent reply path on SQLite, then the same load on the bare reference servers."""
    runner, p = run.runner, run.p
    log("fan-out: Ventanilla (SQLite)")
    proc, url = start_ventanilla(runner, "ventanilla-sqlite", env)
    tickets, tokens = _live_chats(url, tenant, p.rooms)
    rooms = [t["room"] for t in tickets]
    target = {"kind": "ventanilla", "bases": [url], "tickets": tickets, "tokens": tokens}
    v = run_fanout(runner, "ventanilla (sqlite)", [url], rooms, target, p, p.clients)
    if "saturation" in v:
        v["saturation"]["server_rss_mib"] = round(rss_kib(proc.pid) / 1024, 1)
    runner.stop(proc)

    def reference(label: str, name: str, program: list[str], *flags: str) -> dict[str, Any]:
        log(f"fan-out: {label}")
        port = runner.ports.free()
        ref = runner.spawn(name, [*program, str(port), *flags], cwd=HERE)
        ref_url = f"http://127.0.0.1:{port}"
        wait_http(f"{ref_url}/health", ref)
        result = run_fanout(runner, label, [ref_url], rooms, {"kind": "emit", "bases": [ref_url]}, p, p.clients)
        runner.stop(ref)
        return result

    bare = [PY, str(HERE / "py_bare_server.py")]
    n = reference("node socket.io", "node-server", ["node", str(HERE / "node_server.mjs")])
    b = reference("python-socketio (bare)", "py-bare", bare)
    d = reference("python-socketio (bare, no deflate)", "py-bare-nodeflate", bare, "--no-deflate")
    for phase in ("paced", "saturation"):
        run.rows.extend(found[phase] for found in (v, n, b, d) if phase in found)


def idle(run: Run, env: dict[str, str]) -> None:
    log(f"idle: {run.p.idle_clients} websocket clients on one Ventanilla process")
    proc, url = start_ventanilla(run.runner, "ventanilla-idle", env)
    run.rows.append(measure_idle(run.runner, url, proc.pid, run.p))
    run.runner.stop(proc)


def ask_and_mix(run: Run, label: str, env: dict[str, str], tenant: Tenant) -> None:
    """/ask and the realistic mix on one fresh process of one backend."""
    proc, url = start_ventanilla(run.runner, f"ventanilla-ask-{label}", env)
    if "ask" in run.only:
        log(f"/ask: {label}")
        run.rows.extend(run_ask(run.runner, f"ventanilla ({label})", url, tenant, run.p))
    if "mix" in run.only:
        log(f"realistic mix: {label}")
        tokens = agent_tokens(url, tenant)
        prefix = f"mix-{secrets.token_hex(3)}"
        run.rows.append(run_mix(run.runner, f"ventanilla ({label})", url, tenant, tokens, run.p, prefix))
    run.runner.stop(proc)


def scaleout(run: Run, db_url: str, db_label: str, tenant: Tenant, secret: str) -> None:
    """One process, then two, on the same database and Redis, at the same offered load and at saturation."""
    runner, p = run.runner, run.p
    if not redis_reachable():
        run.skip("scale-out", "Redis unreachable on 127.0.0.1:6379")
        return
    channel = f"ventanilla-bench-{secrets.token_hex(4)}"
    env = ventanilla_env(db_url, run.tmp, redis_channel=channel)
    env["VENTANILLA_SECRET_KEY"] = secret
    log(f"scale-out: one process ({db_label} + Redis)")
    proc1, url1 = start_ventanilla(runner, "ventanilla-redis-1", env)
    tickets, tokens = _live_chats(url1, tenant, p.rooms)
    rooms = [t["room"] for t in tickets]
    target1 = {"kind": "ventanilla", "bases": [url1], "tickets": tickets, "tokens": tokens}
    label1 = f"ventanilla x1 ({db_label}+redis)"
    r1 = run_fanout(runner, label1, [url1], rooms, target1, p, p.scale_clients, track_saturation=True)
    run.rows.extend(r1.values())
    log(f"scale-out: two processes ({db_label} + Redis)")
    proc2, url2 = start_ventanilla(runner, "ventanilla-redis-2", env)
    target2 = {"kind": "ventanilla", "bases": [url1, url2], "tickets": tickets, "tokens": tokens}
    r2 = run_fanout(
        runner,
        f"ventanilla x2 ({db_label}+redis)",
        [url1, url2],
        rooms,
        target2,
        p,
        p.scale_clients,
        track_saturation=True,
        spread_block=len(rooms),
    )
    run.rows.extend(r2.values())
    runner.stop(proc2)
    runner.stop(proc1)
    one = r1.get("saturation", {}).get("messages_per_s") or 0
    two = r2.get("saturation", {}).get("messages_per_s") or 0
    emit(
        {
            "bench": "scaleout_summary",
            "one_process_messages_per_s": one,
            "two_processes_messages_per_s": two,
            "speedup": round(two / one, 3) if one else None,
        }
    )


def cpu(run: Run, label: str, env: dict[str, str], bare_db: str | None = None) -> None:
    """Server CPU per request of the four hot routes against the bare framework (the headline), on a fresh
    database of its own."""
    log(f"CPU per request: Ventanilla ({label}) and the bare framework")
    tenant = seed(env, run.tmp, agents=1)
    run.rows.append(
        run_cpu(run.runner, label, env, tenant, n=run.p.cpu_requests, rounds=run.p.cpu_rounds, bare_db=bare_db)
    )


def run_all(run: Run) -> None:
    """Every selected scenario, SQLite first, then PostgreSQL (+ Redis)."""
    only = run.only
    if "cpu" in only:
        cpu(run, "sqlite", ventanilla_env(f"sqlite+aiosqlite:///{run.tmp / 'cpu.db'}", run.tmp))
    sqlite_env = ventanilla_env(f"sqlite+aiosqlite:///{run.tmp / 'bench.db'}", run.tmp)
    tenant = seed(sqlite_env, run.tmp) if only & {"fanout", "idle", "ask", "mix"} else None
    if tenant is not None:
        if "fanout" in only:
            fanout(run, sqlite_env, tenant)
        if "idle" in only:
            idle(run, sqlite_env)
        if only & {"ask", "mix"}:
            ask_and_mix(run, "sqlite", sqlite_env, tenant)
    if "urgency" in only:
        log("urgency: bench_urgency.py")
        urgency = run_urgency()
        if urgency is not None:
            run.rows.append(urgency)
    if not only & {"cpu", "ask", "mix", "scaleout"}:
        return
    if "cpu" in only:
        with pg_database() as cpu_url:
            if cpu_url is not None:
                cpu(run, "postgresql", ventanilla_env(cpu_url, run.tmp), bare_db=cpu_url)
    if not only & {"ask", "mix", "scaleout"}:
        return
    with pg_database() as pg_url:
        if pg_url is None:
            run.skip("PostgreSQL runs", "PostgreSQL unreachable on 127.0.0.1:5432")
            return
        env = ventanilla_env(pg_url, run.tmp)
        pg_tenant = seed(env, run.tmp)
        if only & {"ask", "mix"}:
            ask_and_mix(run, "postgresql", env, pg_tenant)
        if "scaleout" in only:
            scaleout(run, pg_url, "pg", pg_tenant, env["VENTANILLA_SECRET_KEY"])
