"""py-spy (not a project dependency: `.venv/bin/pip install py-spy`) recordings and their summary."""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
from pathlib import Path


def executable() -> str | None:
    """The py-spy binary of the virtualenv or the PATH, or None."""
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


def record(pid: int, out: Path, seconds: float | None = None, rate: int = 250) -> subprocess.Popen[bytes]:
    """Start recording `pid` as raw collapsed stacks into `out` (stop it with SIGINT, or after `seconds`)."""
    spy = executable()
    if spy is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    cmd = [spy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--nonblocking"]
    if seconds is not None:
        cmd += ["--duration", str(int(seconds))]
    return subprocess.Popen([*cmd, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _short(frame: str) -> str:
    if " (" not in frame:
        return frame
    name, _, where = frame.partition(" (")
    return f"{name} ({where.split(':')[0].split('site-packages/')[-1].split('src/')[-1]})"


def summarize(raw: Path, top: int) -> dict[str, list[tuple[str, float]]]:
    """Inclusive and self time share per function from py-spy's collapsed stacks."""
    inclusive: collections.Counter[str] = collections.Counter()
    self_time: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_short(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        self_time[frames[-1]] += count
    total = max(total, 1)
    return {
        "inclusive": [(f, round(100 * c / total, 1)) for f, c in inclusive.most_common(top)],
        "self": [(f, round(100 * c / total, 1)) for f, c in self_time.most_common(top)],
    }


def print_summary(raw: Path, top: int) -> None:
    """The summary on stdout, inclusive then self time."""
    summary = summarize(raw, top)
    for kind in ("inclusive", "self"):
        print(f"\n## {kind} time (% of samples)")
        for frame, share in summary[kind]:
            print(f"{share:6.1f}%  {frame}")
