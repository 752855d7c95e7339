"""The conversation suite in full: every dialogue of tests/conversations against a real server; prints JSON.

.venv/bin/python benchmarks/bot_suite.py                      # outsiders' A1 and A2, and our own, apart
.venv/bin/python benchmarks/bot_suite.py own.json --failures  # one file, with each failure's detail
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conversations.runner import HERE, load, play_all, report, running_suite  # noqa: E402

DEFAULT_SETS = ("outsiders_A1.json", "outsiders_A2.json", "outsiders_B.json", "own.json")


async def main(args: argparse.Namespace) -> dict[str, object]:
    names = [n for n in (args.sets or DEFAULT_SETS) if (HERE / n).exists() or Path(n).is_absolute()]
    out: dict[str, object] = {"sets": []}
    async with running_suite(args.database) as suite:
        everything = []
        for name in names:
            dialogues = load(name)
            if args.only:
                dialogues = [d for d in dialogues if d.get("id") in args.only]
            started = time.monotonic()
            outcomes = await play_all(suite, dialogues, parallel=args.parallel)
            everything += outcomes
            entry = report(outcomes, name)
            entry["seconds"] = round(time.monotonic() - started, 1)
            if args.failures:
                entry["details"] = {
                    o.id: {"failures": o.failures, "transcript": o.transcript} for o in outcomes if not o.passed
                }
            out["sets"].append(entry)  # type: ignore[attr-defined]
        out["all"] = {k: v for k, v in report(everything, "all").items() if k != "failed"}
    return out


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", help="files of tests/conversations (default: A1, A2, own)")
    parser.add_argument("--only", nargs="*", help="dialogue ids")
    parser.add_argument("--failures", action="store_true", help="each failing dialogue's failures and transcript")
    parser.add_argument("--parallel", type=int, default=6)
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False, indent=2))
