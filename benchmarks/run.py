"""Ventanilla performance and scale-out benchmarks, side by side with bare python-socketio and Node socket.io.

    .venv/bin/python benchmarks/run.py [--quick] [--only cpu,fanout,idle,ask,mix,urgency,scaleout] [--ports 20000-29999]

Starts every server itself (subprocesses on free loopback ports, fresh SQLite files in a temp dir, a fresh
PostgreSQL database when reachable), prints one JSON line per measurement plus a markdown table, and writes
benchmarks/results/latest.json and latest.md. SIGINT and SIGTERM stop every child process before exiting.
See benchmarks/README.md for what each number means; the harness lives in benchmarks/harness/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness.infra import machine
from harness.loads import FULL, QUICK
from harness.procs import HERE, Interrupted, Ports, Runner, busy_reason, loadavg, log, raise_nofile
from harness.report import cpu_headline, write
from harness.scenarios import Run, run_all

ALL = "cpu,fanout,idle,ask,mix,urgency,scaleout"


class LoadSampler(threading.Thread):
    """Samples the 1-minute load average every 5 s during the run (its highest value goes into the report)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.highest = loadavg()[0]
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(5):
            self.highest = max(self.highest, loadavg()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and short phases (~1-2 minute smoke run)")
    parser.add_argument("--only", default=ALL, help=f"comma-separated subset of {ALL}")
    parser.add_argument("--ports", default=None, help="loopback port range for the servers, e.g. 20000-29999")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (server logs) for inspection")
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/latest.*")
    args = parser.parse_args()
    try:
        ports = Ports.parse(args.ports)
    except ValueError as exc:
        parser.error(str(exc))
    p = QUICK if args.quick else FULL
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if unknown := only - set(ALL.split(",")):
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if only - {"cpu", "urgency"} and not (HERE / "node_modules" / "socket.io").exists():
        print("benchmarks/node_modules missing: run `npm ci --prefix benchmarks` (or `make bench`)", file=sys.stderr)
        return 2
    nofile = raise_nofile()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="ventanilla-bench-"))
    runner = Runner(tmp, ports)
    runner.install_signal_handlers()
    info = machine()
    info["nofile_limit"] = nofile
    if busy := busy_reason():
        info["busy_warning"] = busy
        log(f"WARNING: the machine is busy ({busy})")
    sampler = LoadSampler()
    sampler.start()
    log(f"profile {'quick' if args.quick else 'full'}; temp dir {tmp}; ports {args.ports or 'any free'}")
    run = Run(runner, p, only)
    try:
        run_all(run)
    except Interrupted as exc:
        log(f"{exc}: stopping {len(runner.procs)} child process(es)")
        return 128 + exc.signum
    finally:
        runner.stop_all()
        sampler.done.set()
        if args.keep_tmp:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    info["loadavg_at_end"] = loadavg()
    info["loadavg_max_1m"] = max(sampler.highest, info["loadavg_at_end"][0])
    if busy_end := busy_reason():
        info["busy_warning"] = info.get("busy_warning") or busy_end
        log(f"WARNING: the machine was busy ({busy_end})")
    report_md, _ = write(
        run.rows, info, quick=args.quick, elapsed=round(time.monotonic() - started, 1), save=not args.no_write
    )
    print()
    if cpu := cpu_headline(run.rows):
        print(json.dumps({"headline": "cpu_per_request", "cpu_per_request": cpu}, ensure_ascii=False))
        print()
    print(report_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
