"""Profile one Ventanilla process under a benchmark load with py-spy (not a project dependency).

    .venv/bin/pip install py-spy      # temporarily
    .venv/bin/python benchmarks/profile.py fanout|ask|mix|idle [--seconds 12] [--top 35]

Starts a fresh Ventanilla on SQLite, applies the load (fan-out saturation: agent replies over REST to
1,000 clients in 50 rooms; ask: the /ask mix; mix: the realistic mix; idle: 5,000 sockets connecting),
records the server with `py-spy record --format raw` and prints the functions with the most inclusive and self time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import loads, procs, pyspy, seeding  # sibling package


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("load", choices=["fanout", "ask", "mix", "idle"])
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--out", type=Path, help="also keep the raw py-spy output here")
    parser.add_argument("--no-spy", action="store_true", help="only run the load (e.g. to compare a code change)")
    args = parser.parse_args()
    spy = pyspy.executable()
    if not args.no_spy and spy is None:
        print("py-spy is not installed: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    procs.raise_nofile()
    tmp = Path(tempfile.mkdtemp(prefix="ventanilla-profile-"))
    runner = procs.Runner(tmp)
    runner.install_signal_handlers()  # SIGINT/SIGTERM: the finally below stops the server
    raw = args.out or tmp / "profile.txt"
    try:
        env = seeding.ventanilla_env(f"sqlite+aiosqlite:///{tmp / 'bench.db'}", tmp)
        tenant = seeding.seed(env, tmp)
        proc, url = seeding.start_ventanilla(runner, "ventanilla", env)
        p = loads.FULL
        if args.load == "fanout":
            tickets = seeding.open_tickets(url, tenant, p.rooms)
            tokens = seeding.agent_tokens(url, tenant)
            seeding.take_tickets(url, tickets, tokens[0])
            config = {
                "mode": "fanout",
                "servers": [url],
                "clients": p.clients,
                "rooms": [t["room"] for t in tickets],
                "target": {"kind": "ventanilla", "bases": [url], "tickets": tickets, "tokens": tokens},
                "phases": [{"name": "saturation", "concurrency": p.sat_concurrency, "duration": args.seconds + 6}],
                "connectConcurrency": 50,
            }
            script, delay = "loadgen.mjs", 5.0
        elif args.load == "ask":
            config = {
                "base": url,
                "entityToken": tenant.entity_token,
                "concurrency": p.ask_concurrency,
                "duration": args.seconds + 4,
                "warmup": 1,
            }
            script, delay = "http_load.mjs", 2.0
        elif args.load == "mix":
            config = {
                "base": url,
                "entityToken": tenant.entity_token,
                "tokens": seeding.agent_tokens(url, tenant),
                "conversations": p.mix_conversations,
                "turns": p.mix_turns,
                "rounds": 3,
            }
            script, delay = "mix_load.mjs", 1.0
        else:
            config = {"mode": "idle", "servers": [url], "clients": 5000, "connectConcurrency": 64}
            script, delay = "loadgen.mjs", 0.5
        results: list[dict[str, object]] = []
        load = threading.Thread(
            target=lambda: results.extend(runner.node(script, config, timeout=300)) if args.load != "idle" else None
        )
        idle_proc = None
        if args.load == "idle":
            idle_proc = subprocess.Popen(
                ["node", str(procs.HERE / script), json.dumps(config)],
                cwd=str(procs.HERE),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        else:
            load.start()
        time.sleep(delay)
        if args.no_spy:
            time.sleep(args.seconds)
        else:
            record = [spy, "record", "--pid", str(proc.pid), "--duration", str(int(args.seconds)), "--rate", "250"]
            record += ["--format", "raw", "--nonblocking", "--output", str(raw)]
            subprocess.run(record, check=True, capture_output=True)
        if idle_proc is not None:
            assert idle_proc.stdin is not None
            idle_proc.stdin.write(b"stop\n")
            idle_proc.stdin.close()
            idle_proc.wait(60)
        else:
            load.join()
        for row in results:
            print(json.dumps(row))
        if args.no_spy:
            return 0
        pyspy.print_summary(raw, args.top)
    finally:
        runner.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
