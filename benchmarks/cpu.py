"""Server CPU per request of the four hot routes, Ventanilla against the bare framework in one run.

    .venv/bin/python benchmarks/cpu.py [--n 400] [--rounds 1] [--db sqlite|postgresql] [--profile ROUTE]

Seeds a fresh Ventanilla (SQLite file in a temp dir, or a fresh PostgreSQL database), starts it next to
py_bare_api.py and prints one JSON line with each route's ms of server CPU per request and the ratio
(harness/cpu.py). `--profile greeting,intake_turn,agent_reply,panel_list` also records those routes with py-spy
(`.venv/bin/pip install py-spy`, not a project dependency) and prints the functions with the most samples.
`make bench BENCH_ARGS="--only cpu"` runs the same comparison as part of the benchmark report.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import cpu, infra, procs, seeding  # sibling package


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400, help="requests per route and round")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the four routes (the lowest figure counts)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--profile", default="", help=f"record these routes with py-spy (comma-separated: {cpu.ROUTES})"
    )
    parser.add_argument("--profile-out", type=Path, help="keep py-spy's raw collapsed stacks in this folder")
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="also measure the Ventanilla of this src/ folder (e.g. main's) in the same run",
    )
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (server logs) for inspection")
    parser.add_argument("--ports", default=None, help="loopback port range for the servers, e.g. 21000-21999")
    args = parser.parse_args()
    profile = tuple(part for part in args.profile.split(",") if part)
    if unknown := set(profile) - set(cpu.ROUTES):
        parser.error(f"unknown route(s): {', '.join(sorted(unknown))}")
    procs.raise_nofile()
    tmp = Path(tempfile.mkdtemp(prefix="ventanilla-cpu-"))
    runner = procs.Runner(tmp, procs.Ports.parse(args.ports))
    runner.install_signal_handlers()
    try:
        if args.db == "sqlite":
            env = seeding.ventanilla_env(f"sqlite+aiosqlite:///{tmp / 'bench.db'}", tmp)
            baseline = None
            if args.baseline_src:
                base_env = {
                    **seeding.ventanilla_env(f"sqlite+aiosqlite:///{tmp / 'baseline.db'}", tmp),
                    "PYTHONPATH": str(args.baseline_src.resolve()),
                }
                baseline = (base_env, seeding.seed(base_env, tmp, agents=1))
            tenant = seeding.seed(env, tmp, agents=1)
            cpu.run_cpu(
                runner,
                "sqlite",
                env,
                tenant,
                n=args.n,
                rounds=args.rounds,
                profile=profile,
                profile_out=args.profile_out,
                baseline=baseline,
            )
        else:
            with infra.pg_database() as pg_url, infra.pg_database() as base_url:
                if pg_url is None or base_url is None:
                    print("PostgreSQL unreachable on 127.0.0.1:5432", file=sys.stderr)
                    return 2
                env = seeding.ventanilla_env(pg_url, tmp)
                baseline = None
                if args.baseline_src:
                    base_env = {**seeding.ventanilla_env(base_url, tmp), "PYTHONPATH": str(args.baseline_src.resolve())}
                    baseline = (base_env, seeding.seed(base_env, tmp, agents=1))
                cpu.run_cpu(
                    runner,
                    "postgresql",
                    env,
                    seeding.seed(env, tmp, agents=1),
                    n=args.n,
                    rounds=args.rounds,
                    bare_db=pg_url,
                    profile=profile,
                    profile_out=args.profile_out,
                    baseline=baseline,
                )
    except procs.Interrupted as exc:
        return 128 + exc.signum
    finally:
        runner.stop_all()
        if args.keep_tmp:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
