"""Throughput/latency benchmark of ventanilla.urgency.classify over the labelled corpus and holdout sets."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from ventanilla.urgency import classify, load_tsv

DATA = Path(__file__).resolve().parents[1] / "src" / "ventanilla" / "urgency" / "data"
MIN_CLASSIFICATIONS = 20_000


def main() -> None:
    """Classify every message repeatedly and print one JSON line with per-message latency figures."""
    texts = [e.text for name in ("corpus.tsv", "holdout_v2.tsv") for e in load_tsv(DATA / name)]
    for text in texts:  # warm-up: fill the per-word phonetic cache
        classify(text)
    rounds = -(-MIN_CLASSIFICATIONS // len(texts))
    samples: list[float] = []
    clock = time.perf_counter_ns
    started = clock()
    for _ in range(rounds):
        for text in texts:
            t0 = clock()
            classify(text)
            samples.append((clock() - t0) / 1000)
    elapsed_s = (clock() - started) / 1e9
    samples.sort()
    result = {
        "benchmark": "urgency",
        "messages": len(samples),
        "median_us": round(statistics.median(samples), 1),
        "p99_us": round(samples[int(len(samples) * 0.99) - 1], 1),
        "per_second": round(len(samples) / elapsed_s),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
