"""Urgency as the person meets it: each message of a sample TSV opens a new widget chat against a real server.

The classifier's own figures (`ventanilla urgency eval`) say what it reads; this says what the bot then does with
the first message of a conversation: escalates (emergency numbers and an urgent ticket), asks "¿Hay alguien en
peligro ahora mismo?", or carries on as ordinary conversation. Prints one JSON object.

    .venv/bin/python benchmarks/urgency_bot.py src/ventanilla/urgency/data/outside_r20.tsv [--misses]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from tests.conversations.runner import running_suite
from tests.support import next_client_address

from ventanilla.bot.urgent import QUESTION
from ventanilla.tickets.models import Ticket
from ventanilla.urgency.evaluation import load_tsv


async def outcome(suite: Any, client: Any, text: str) -> str:
    """escalated, asked or calm, for one opening message."""
    tenant = suite.line.tenant
    key = str(uuid.uuid4())
    # Each opening comes from its own address (the test server trusts X-Forwarded-For from loopback), as people do.
    headers = {"X-Entity-Token": tenant.token, "X-Chat-Session-Id": key, "X-Forwarded-For": next_client_address()}
    await client.post("/ask/municipio", json={"pregunta": "", "action": "initial_greeting"}, headers=headers)
    r = await client.post(
        "/ask/municipio", json={"pregunta": text, "contexto_previo": {"estado_conversacion": "inicio"}}, headers=headers
    )
    if r.status_code != 200:
        raise RuntimeError(f"/ask answered {r.status_code}: {r.text[:200]}")
    body = r.json()
    async with suite.server.ctx.sessions() as session:
        urgent = await session.scalar(
            select(Ticket.id).where(Ticket.chat_session_key == f"web:{key}", Ticket.prioridad == "urgente").limit(1)
        )
    if urgent is not None or body.get("urgente"):
        return "escalated"
    return "asked" if QUESTION in str(body.get("respuesta") or "") else "calm"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    examples = load_tsv(Path(args.tsv))
    logging.disable(logging.WARNING)
    counts = {(label, kind): 0 for label in (0, 1) for kind in ("escalated", "asked", "calm")}
    misses: list[dict[str, Any]] = []
    async with running_suite("sqlite") as suite, suite.server.client() as client:
        for example in examples:
            got = await outcome(suite, client, example.text)
            counts[(example.label, got)] += 1
            if (example.label == 1 and got == "calm") or (example.label == 0 and got == "escalated"):
                misses.append({"label": example.label, "category": example.category, "got": got, "text": example.text})
    urgent = sum(counts[(1, k)] for k in ("escalated", "asked"))
    n1 = sum(counts[(1, k)] for k in ("escalated", "asked", "calm"))
    n0 = sum(counts[(0, k)] for k in ("escalated", "asked", "calm"))
    escalated = counts[(1, "escalated")] + counts[(0, "escalated")]
    result: dict[str, Any] = {
        "file": args.tsv,
        "messages": len(examples),
        "urgent_escalated": round(counts[(1, "escalated")] / n1, 4) if n1 else None,
        "urgent_escalated_or_asked": round(urgent / n1, 4) if n1 else None,
        "precision_of_escalation": round(counts[(1, "escalated")] / escalated, 4) if escalated else None,
        "calm_escalated": round(counts[(0, "escalated")] / n0, 4) if n0 else None,
        "calm_asked": round(counts[(0, "asked")] / n0, 4) if n0 else None,
        "counts": {f"{label}:{kind}": value for (label, kind), value in counts.items()},
    }
    if args.misses:
        result["misses"] = misses
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tsv")
    parser.add_argument("--misses", action="store_true", help="list urgent messages left calm and calm ones escalated")
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False, indent=2))
