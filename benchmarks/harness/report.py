"""The markdown table, the targets met or not, and results/latest.json / latest.md."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from harness.procs import HERE

RESULTS = HERE / "results"
REPLY = "ventanilla (sqlite)"
BARE = "python-socketio (bare, no deflate)"


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:g}"


def _fanout_line(row: dict[str, Any]) -> str:
    lat = row.get("latency_ms") or {}
    paced = row["mode"] == "paced"
    how = f"{row['target_rate']} msg/s paced" if paced else f"saturation, {row['concurrency']} in flight"
    load = f"{row['clients']} clients / {row['rooms']} rooms, {how}"
    notes = [f"{row['messages_per_s']:g} msg/s sent", f"{row['deliveries']}/{row['deliveries_expected']} delivered"]
    if "exactly_once" in row:
        notes.append(f"dup {row['duplicates']}, missing {row['missing']}")
    if row.get("http_errors"):
        notes.append(f"http errors {row['http_errors']}")
    if row.get("ratio_vs_bare_python") is not None:
        notes.append(f"**{row['ratio_vs_bare_python']:.2f}× bare python-socketio**")
    if row.get("ratio_vs_node") is not None:
        notes.append(f"{row['ratio_vs_node']:.2f}× Node")
    return (
        f"| fan-out | {row['server']} | {load} | {row['deliveries_per_s']:,} deliveries/s | "
        f"{_ms(lat.get('p50'))} | {_ms(lat.get('p99'))} | {'; '.join(notes)} |"
    )


def _kinds(row: dict[str, Any]) -> str:
    return ", ".join(f"{kind} {stats['p99']:g}" for kind, stats in (row.get("by_kind") or {}).items())


CPU_ROUTES = {
    "greeting": "`/ask` greeting",
    "intake_turn": "`/ask` first free-text turn",
    "agent_reply": "agent reply to a live chat",
    "panel_list": "`GET /tickets` as an agent",
}
CPU_TARGETS = {"greeting": 3.0, "intake_turn": 5.0, "agent_reply": 5.0, "panel_list": 5.0}


def cpu_headline(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per backend and route: ms of server CPU per request, Ventanilla and the bare framework, and the ratio."""
    return {
        row["server"]: {
            route: {key: figures[key] for key in ("ventanilla_ms", "bare_ms", "ratio")}
            for route, figures in row["routes"].items()
        }
        for row in rows
        if row.get("bench") == "cpu"
    }


def cpu_table(rows: list[dict[str, Any]]) -> str:
    """The headline table: one line per backend and route."""
    lines = [
        "| route | server | ms CPU / request | bare framework ms | ratio | target |",
        "|---|---|---|---|---|---|",
    ]
    for server, routes in cpu_headline(rows).items():
        for route, f in routes.items():
            lines.append(
                f"| {CPU_ROUTES.get(route, route)} | {server} | {f['ventanilla_ms']:.2f} | {f['bare_ms']:.2f} | "
                f"**{f['ratio']:.1f}×** | ≤ {CPU_TARGETS.get(route, 0):g}× |"
            )
    return "\n".join(lines)


def table(rows: list[dict[str, Any]]) -> str:
    """The markdown table of every measurement (the load average column is the 1-minute one at its end)."""
    lines = [
        "| benchmark | server | load | throughput | p50 ms | p99 ms | load avg | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        bench = row.get("bench")
        la = _ms((row.get("loadavg") or [None])[0])
        line: str | None = None
        if bench == "fanout":
            line = _fanout_line(row)
        elif bench == "idle":
            line = (
                f"| idle sockets | {row['server']} | {row['clients_requested']:,} websocket clients | "
                f"{row['connected']:,} connected ({row['still_connected_after_hold']:,} after hold) | – | – | "
                f"RSS {row['rss_before_mib']} → {row['rss_after_mib']} MiB, "
                f"{row['rss_per_connection_kib']} KiB/conn, ramp {row['connects_per_s']} conn/s |"
            )
        elif bench == "ask":
            lat = row.get("latency_ms") or {}
            line = (
                f"| /ask | {row['server']} | {row['concurrency']} concurrent, greeting + free text | "
                f"{row['requests_per_s']:,} req/s | {_ms(lat.get('p50'))} | {_ms(lat.get('p99'))} | "
                f"statuses {row.get('statuses')} |"
            )
        elif bench == "mix":
            lat = row.get("latency_ms") or {}
            line = (
                f"| realistic mix | {row['server']} | {row['conversations']} conversations, intake + live chat | "
                f"{row['requests_per_s']:,} req/s | {_ms(lat.get('p50'))} | {_ms(lat.get('p99'))} | "
                f"{row['answered']}/{row['requests']} answered; statuses {row.get('statuses')}; "
                f"p99 by kind: {_kinds(row)}" + (f"; failed: {row['failures']}" if row.get("failures") else "") + " |"
            )
        elif bench == "urgency":
            detail = json.dumps({k: v for k, v in row.items() if k != "bench"}, ensure_ascii=False)
            line = f"| urgency | classify() | bench_urgency.py | – | – | – | `{detail}` |"
        elif bench == "skipped":
            line = f"| {row['what']} | – | – | skipped | – | – | {row['reason']} |"
        if line is not None:
            # The load average goes before the notes column.
            head, _, notes = line.rstrip(" |").rpartition(" | ")
            lines.append(f"{head} | {la} | {notes} |")
    return "\n".join(lines)


def _find(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


def add_ratios(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """`ratio_vs_bare_python` (the headline: reply path ÷ bare python-socketio HTTP → broadcast) and `ratio_vs_node`."""
    node = _find(rows, bench="fanout", server="node socket.io", phase="saturation")
    bare = _find(rows, bench="fanout", server=BARE, phase="saturation")
    for row in rows:
        if row.get("bench") == "fanout" and row.get("phase") == "saturation":
            if node and node["deliveries_per_s"]:
                row["ratio_vs_node"] = round(row["deliveries_per_s"] / node["deliveries_per_s"], 3)
            if bare and bare["deliveries_per_s"]:
                row["ratio_vs_bare_python"] = round(row["deliveries_per_s"] / bare["deliveries_per_s"], 3)
    reply = _find(rows, bench="fanout", server=REPLY, phase="saturation") or {}
    return {
        "ratio_vs_bare_python": reply.get("ratio_vs_bare_python"),
        "ratio_vs_node": reply.get("ratio_vs_node"),
        "reply_messages_per_s": reply.get("messages_per_s"),
        "bare_python_messages_per_s": (bare or {}).get("messages_per_s"),
    }


def targets(rows: list[dict[str, Any]], full: bool) -> list[dict[str, Any]]:
    """Issue 16's targets, met or not, from the measured rows (None: not measured at full size)."""
    out: list[dict[str, Any]] = []

    def add(target: str, measured: str, met: bool, size_ok: bool = True) -> None:
        out.append({"target": target, "measured": measured, "met": met if (full and size_ok) else None})

    reply = _find(rows, bench="fanout", server=REPLY, phase="saturation")
    paced = _find(rows, bench="fanout", server=REPLY, phase="paced")
    if reply and reply.get("ratio_vs_bare_python") is not None:
        ratio = reply["ratio_vs_bare_python"]
        once = paced is not None and paced.get("exactly_once") is True
        bare = _find(rows, bench="fanout", server=BARE, phase="saturation") or {}
        add(
            "agent reply path >= 0.5 x bare python-socketio HTTP -> broadcast, every delivery exactly once",
            f"{ratio:.2f} x ({reply['messages_per_s']} vs {bare.get('messages_per_s')} msg/s); "
            f"paced dup {paced and paced.get('duplicates')}, missing {paced and paced.get('missing')}",
            ratio >= 0.5 and once,
        )
    for server, p99_max, rate_min in (("ventanilla (sqlite)", 100, 1000), ("ventanilla (postgresql)", 150, None)):
        ask = next(
            (r for r in rows if r.get("bench") == "ask" and r.get("server") == server and r.get("concurrency") == 64),
            None,
        )
        if ask:
            p99 = ask["latency_ms"]["p99"]
            want = f"/ask on {server.split('(')[1][:-1]}: " + (f">= {rate_min} req/s, " if rate_min else "")
            add(
                want + f"p99 <= {p99_max} ms at 64 concurrent",
                f"{ask['requests_per_s']} req/s, p99 {p99} ms",
                p99 <= p99_max and (rate_min is None or ask["requests_per_s"] >= rate_min),
            )
    one = _find(rows, bench="fanout", server="ventanilla x1 (pg+redis)", phase="saturation")
    two = _find(rows, bench="fanout", server="ventanilla x2 (pg+redis)", phase="saturation")
    one_paced = _find(rows, bench="fanout", server="ventanilla x1 (pg+redis)", phase="paced")
    two_paced = _find(rows, bench="fanout", server="ventanilla x2 (pg+redis)", phase="paced")
    base = one
    if base and two and one_paced and two_paced:
        speedup = two["messages_per_s"] / max(1e-9, base["messages_per_s"])
        p1, p2 = one_paced["latency_ms"]["p99"], two_paced["latency_ms"]["p99"]
        add(
            "two processes on PostgreSQL + Redis >= 1.6 x one process, p99 no worse at the same offered load",
            f"{speedup:.2f} x ({two['messages_per_s']} vs {base['messages_per_s']} msg/s at saturation); "
            f"p99 at {two_paced['target_rate']} msg/s: {p2} ms vs {p1} ms",
            speedup >= 1.6 and p2 <= p1,
        )
        add(
            "scale-out: every message delivered exactly once per client",
            f"dup {two_paced['duplicates'] + two['duplicates']}, missing {two_paced['missing'] + two['missing']}",
            bool(two_paced.get("exactly_once") and two.get("exactly_once")),
        )
    for row in (r for r in rows if r.get("bench") == "mix"):
        p99 = row["latency_ms"]["p99"]
        add(
            f"realistic mix on {row['server']}: >= 300 req/s, p99 <= 1 s, every request answered",
            f"{row['requests_per_s']} req/s, p99 {p99} ms, {row['answered']}/{row['requests']} answered",
            row["requests_per_s"] >= 300 and p99 <= 1000 and row["answered"] == row["requests"],
            size_ok=row["conversations"] >= 200,
        )
    for server, routes in cpu_headline(rows).items():
        for route, f in routes.items():
            want = CPU_TARGETS.get(route)
            if want is not None:
                add(
                    f"server CPU per request, {CPU_ROUTES[route]} on {server}: <= {want:g} x the bare framework",
                    f"{f['ratio']:.1f} x ({f['ventanilla_ms']:.2f} vs {f['bare_ms']:.2f} ms)",
                    f["ratio"] <= want,
                )
    idle = _find(rows, bench="idle")
    if idle and idle.get("rss_per_connection_kib") is not None:
        add(
            "10,000 idle sockets per process <= 400 MiB RSS",
            f"{idle['connected']:,} connected, RSS {idle['rss_after_mib']} MiB "
            f"(projected {idle['process_rss_per_10k_mib']} MiB at 10k)",
            idle["connected"] >= 10_000 and idle["rss_after_mib"] <= 400,
            size_ok=idle["connected"] >= 10_000,
        )
    return out


def targets_md(items: list[dict[str, Any]]) -> str:
    """Targets as a markdown list."""

    def mark(met: Any) -> str:
        return "met" if met is True else "NOT met" if met is False else "not judged (quick run or partial size)"

    return "\n".join(f"- {t['target']}: **{mark(t['met'])}** ({t['measured']})" for t in items)


def write(
    rows: list[dict[str, Any]], info: dict[str, Any], *, quick: bool, elapsed: float, save: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The report (returned as markdown) and, when `save`, results/latest.json and latest.md."""
    headline = add_ratios(rows)
    cpu = cpu_headline(rows)
    met = targets(rows, full=not quick)
    busy = info.get("busy_warning")
    report_md = (
        f"# Ventanilla benchmarks — {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}\n\n"
        f"Machine: {info['cpu_model']}, {info['cores']} cores, {info['memory_gib']} GiB; Python {info['python']}, "
        f"Node {info['node']}; socket.io {info['socket.io (node)']}, python-socketio {info['python-socketio']}, "
        f"uvicorn {info['uvicorn']} (uvloop {info.get('uvloop')}, httptools {info.get('httptools')}); "
        f"commit {info['git_commit']}. Profile: {'quick' if quick else 'full'}, {elapsed} s. "
        f"Load average at start {info['loadavg_at_start']}, at end {info['loadavg_at_end']}, "
        f"highest 1-minute value seen {info.get('loadavg_max_1m')} (anything else running on the machine skews "
        f"every number).\n\n"
        + (f"**Warning: the machine was busy** ({busy}).\n\n" if busy else "")
        + (
            "Headline: server CPU per request against a bare FastAPI + python-socketio app, same run "
            f"(`cpu_per_request`):\n\n{cpu_table(rows)}\n\n"
            if cpu
            else ""
        )
        + (
            f"Agent reply path: **{headline['ratio_vs_bare_python']}× bare python-socketio** "
            f"(`ratio_vs_bare_python`), {headline['ratio_vs_node']}× Node (`ratio_vs_node`).\n\n"
            if headline["ratio_vs_bare_python"] is not None
            else ""
        )
        + f"{table(rows)}\n\n## Targets\n\n{targets_md(met)}\n"
    )
    if save:
        RESULTS.mkdir(exist_ok=True)
        document = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "profile": "quick" if quick else "full",
            "elapsed_seconds": elapsed,
            "cpu_per_request": cpu,
            **headline,
            "machine": info,
            "results": rows,
            "targets": met,
        }
        (RESULTS / "latest.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        (RESULTS / "latest.md").write_text(report_md)
    return report_md, met
