"""The measurements: fan-out, idle sockets, /ask, the realistic mix and the urgency classifier."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from dataclasses import dataclass
from typing import Any

from harness.procs import HERE, PY, ROOT, Runner, emit, loadavg, log, rss_kib
from harness.seeding import Tenant


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
    mix_conversations: int
    mix_turns: int
    cpu_requests: int
    cpu_rounds: int


ASK_LATENCY_CONCURRENCY = 8
FULL = Profile(
    clients=1000,
    rooms=50,
    paced_rate=100,
    paced_seconds=12,
    sat_seconds=10,
    sat_concurrency=32,
    idle_clients=10_000,
    idle_procs=4,
    ask_seconds=12,
    ask_concurrency=64,
    scale_clients=1000,
    mix_conversations=200,
    mix_turns=10,
    cpu_requests=400,
    cpu_rounds=2,
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
    mix_conversations=40,
    mix_turns=10,
    cpu_requests=150,
    cpu_rounds=1,
)


def fanout_phases(p: Profile, track_saturation: bool = False, paced_rate: int | None = None) -> list[dict[str, Any]]:
    """Warm-up, paced and saturation phases of a fan-out run."""
    return [
        {"name": "warmup", "rate": 100, "duration": 1.5, "drain": 2},
        {"name": "paced", "rate": paced_rate or p.paced_rate, "duration": p.paced_seconds, "track": True, "drain": 5},
        {
            "name": "saturation",
            "concurrency": p.sat_concurrency,
            "duration": p.sat_seconds,
            "track": track_saturation,
            "drain": 8,
        },
    ]


def run_fanout(
    runner: Runner,
    label: str,
    servers: list[str],
    rooms: list[str],
    target: dict[str, Any],
    p: Profile,
    clients: int,
    track_saturation: bool = False,
    spread_block: int = 1,
    paced_rate: int | None = None,
) -> dict[str, dict[str, Any]]:
    """One load generator process against one server (or several); returns phase name -> result."""
    config = {
        "mode": "fanout",
        "servers": servers,
        "clients": clients,
        "rooms": rooms,
        "target": target,
        "phases": fanout_phases(p, track_saturation, paced_rate),
        "connectConcurrency": 50,
        "spreadBlock": spread_block,
        "httpSockets": 64,
    }
    budget = 120 + p.paced_seconds + p.sat_seconds + clients / 20
    rows = runner.node("loadgen.mjs", config, timeout=budget)
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
            row["loadavg"] = loadavg()
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
        runner.spawn(
            f"idle-{index}",
            [
                "node",
                str(HERE / "loadgen.mjs"),
                json.dumps({"mode": "idle", "servers": [url], "clients": n, "connectConcurrency": 64}),
            ],
            cwd=HERE,
            pipes=True,
        )
        for index, n in enumerate(per_proc)
    ]
    connected = failed = still = 0
    errors: dict[str, int] = {}
    try:
        for gen in gens:
            assert gen.popen.stdout is not None
            line = gen.popen.stdout.readline()
            if not line:
                stderr = gen.popen.stderr.read().decode()[-1500:] if gen.popen.stderr else ""
                raise RuntimeError(f"idle loadgen exited: {stderr}")
            row = json.loads(line)
            connected += int(row.get("clients", 0))
            failed += int(row.get("failed", 0))
            for key, value in (row.get("errors") or {}).items():
                errors[key] = errors.get(key, 0) + value
        ramp = time.monotonic() - started
        time.sleep(3)
        after = rss_kib(pid)
        for gen in gens:
            assert gen.popen.stdin is not None and gen.popen.stdout is not None
            gen.popen.stdin.write(b"stop\n")
            gen.popen.stdin.flush()
            done = json.loads(gen.popen.stdout.readline() or b"{}")
            still += int(done.get("connected", 0))
    finally:
        for gen in gens:
            with contextlib.suppress(Exception):
                gen.popen.wait(15)
            runner.stop(gen)
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
        "loadavg": loadavg(),
    }
    emit(row)
    return row


def run_ask(runner: Runner, label: str, url: str, tenant: Tenant, p: Profile) -> list[dict[str, Any]]:
    """POST /ask/municipio closed-loop load (greeting + free-text mix): saturation, then a lighter load for latency."""
    out = []
    for concurrency in (p.ask_concurrency, ASK_LATENCY_CONCURRENCY):
        rows = runner.node(
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
        row = {"bench": "ask", "server": label, **rows[-1], "loadavg": loadavg()}
        row.pop("type", None)
        emit(row)
        out.append(row)
    return out


def run_mix(
    runner: Runner, label: str, url: str, tenant: Tenant, tokens: list[str], p: Profile, prefix: str
) -> dict[str, Any]:
    """The realistic mix (mix_load.mjs): concurrent widget conversations through intake and live chat."""
    rows = runner.node(
        "mix_load.mjs",
        {
            "base": url,
            "entityToken": tenant.entity_token,
            "tokens": tokens,
            "conversations": p.mix_conversations,
            "turns": p.mix_turns,
            "sessionPrefix": prefix,
        },
        timeout=240,
    )
    row = {"bench": "mix", "server": label, **rows[-1], "loadavg": loadavg()}
    row.pop("type", None)
    emit(row)
    return row


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
