"""The benchmark runner stops every child process (and their children) on SIGINT and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"

# A miniature run.py: a Runner with two children, one of which has a child of its own; prints their pids.
SCRIPT = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from harness.procs import Interrupted, Runner

runner = Runner(Path(tempfile.mkdtemp()))
runner.install_signal_handlers()
try:
    a = runner.spawn("a", ["sleep", "300"])
    b = runner.spawn("b", ["sh", "-c", "sleep 300 & echo $!; wait"], pipes=True)
    grandchild = b.popen.stdout.readline().decode().strip()
    print(a.pid, b.pid, grandchild, flush=True)
    time.sleep(300)
except Interrupted as exc:
    sys.exit(128 + exc.signum)
finally:
    runner.stop_all()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its parent is gone for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][:1] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_runner_stops_every_child_on_signal(sig: signal.Signals) -> None:
    runner = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(BENCHMARKS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert runner.stdout is not None
    line = runner.stdout.readline().decode()
    pids = [int(part) for part in line.split()]
    assert len(pids) == 3, (line, runner.stderr.read() if runner.stderr else b"")
    assert all(_alive(pid) for pid in pids)
    runner.send_signal(sig)
    assert runner.wait(20) == 128 + sig
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if _alive(pid)]
