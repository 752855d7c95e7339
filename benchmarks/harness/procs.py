"""Child processes, loopback ports, output and load average of a benchmark run.

Every child (servers and load generators) runs in a process group of its own and is registered with the
`Runner`, which stops them all at the end of the run and on SIGINT or SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

HERE = Path(__file__).resolve().parents[1]
ROOT = HERE.parent
PY = sys.executable


def emit(row: dict[str, Any]) -> None:
    """One JSON line on stdout, as soon as a measurement is done."""
    print(json.dumps(row, ensure_ascii=False), flush=True)


def log(message: str) -> None:
    """Progress on stderr (stdout carries only JSON lines and the final table)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def busy_reason(cores: int | None = None) -> str | None:
    """Why the machine looks too busy for trustworthy numbers (1-minute load above half the cores), or None."""
    cores = cores or os.cpu_count() or 1
    one = os.getloadavg()[0]
    if one > max(0.5, cores * 0.5):
        return f"load average {one:.2f} on {cores} cores: other work shares the CPU, every number is pessimistic"
    return None


@dataclass
class Ports:
    """Loopback ports for the servers of a run, from a range (`--ports 20000-29999`) or from the kernel."""

    low: int = 0
    high: int = 0
    _used: set[int] = field(default_factory=set)

    @classmethod
    def parse(cls, text: str | None) -> Ports:
        if not text:
            return cls()
        low_text, _, high_text = text.partition("-")
        low, high = int(low_text), int(high_text or low_text)
        if not 1024 <= low <= high <= 65535:
            raise ValueError(f"bad port range {text!r} (want LOW-HIGH within 1024-65535)")
        return cls(low, high)

    def free(self) -> int:
        """A port nobody listens on right now (and that this run has not handed out yet)."""
        if not self.low:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                return int(sock.getsockname()[1])
        candidates = list(range(self.low, self.high + 1))
        random.shuffle(candidates)
        for port in candidates:
            if port in self._used:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            self._used.add(port)
            return port
        raise RuntimeError(f"no free port in {self.low}-{self.high}")


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (VmRSS from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raise_nofile() -> int:
    """Raise this process's open-file limit to the hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass
class Proc:
    """A child process we started (and must stop), leader of its own process group."""

    name: str
    popen: subprocess.Popen[bytes]
    logfile: Path | None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, chars: int = 1500) -> str:
        """The end of its log."""
        if self.logfile is not None:
            with contextlib.suppress(OSError):
                return self.logfile.read_text(errors="replace")[-chars:]
        return ""

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def stop(self, grace: float = 8) -> None:
        """SIGTERM to its whole group (uvicorn workers, Node workers), then SIGKILL after `grace` seconds."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(5)
        # Grandchildren left behind by a leader that exited first.
        self._signal_group(signal.SIGKILL)


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the runner: stop everything and exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Runner:
    """Owns the temp dir, the port range and every child process."""

    tmp: Path
    ports: Ports = field(default_factory=Ports)
    procs: list[Proc] = field(default_factory=list)
    _stopping: bool = False

    def install_signal_handlers(self) -> None:
        """SIGINT and SIGTERM interrupt the run; the caller's `finally` then calls `stop_all()`."""

        def handler(signum: int, _frame: FrameType | None) -> None:
            if self._stopping:
                return  # already cleaning up: let it finish
            self._stopping = True
            raise Interrupted(signum)

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def spawn(
        self,
        name: str,
        cmd: list[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        *,
        pipes: bool = False,
    ) -> Proc:
        """Start a child in its own process group: output to a log file, or to pipes when `pipes`."""
        logfile = None if pipes else self.tmp / f"{name}.log"
        handle = logfile.open("wb") if logfile is not None else None
        popen = subprocess.Popen(
            cmd,
            env={**os.environ, **(env or {})},
            cwd=str(cwd or self.tmp),
            stdout=subprocess.PIPE if pipes else handle,
            stderr=subprocess.PIPE if pipes else subprocess.STDOUT,
            stdin=subprocess.PIPE if pipes else subprocess.DEVNULL,
            start_new_session=True,
        )
        if handle is not None:
            handle.close()
        proc = Proc(name, popen, logfile)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc) -> None:
        """Stop one process."""
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        """Stop every process still running (signals are ignored meanwhile, so cleanup completes)."""
        self._stopping = True
        for proc in reversed(self.procs):
            with contextlib.suppress(Exception):
                proc.stop(grace=5)
        self.procs.clear()

    def node(self, script: str, config: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
        """Run a Node script of benchmarks/ with a JSON config (stopped with the run); returns its JSON lines."""
        proc = self.spawn(f"node-{script}", ["node", str(HERE / script), json.dumps(config)], cwd=HERE, pipes=True)
        try:
            out, err = proc.popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"{script} did not finish in {timeout:.0f} s") from exc
        finally:
            self.stop(proc)
        rows = []
        for line in out.decode(errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                rows.append(json.loads(line))
        if proc.popen.returncode != 0 or not rows:
            raise RuntimeError(f"{script} failed ({proc.popen.returncode}): {err.decode(errors='replace')[-2000:]}")
        return rows


def wait_http(url: str, proc: Proc, timeout: float = 60) -> None:
    """Wait until GET url answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}): {proc.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not answer {url}: {proc.tail()}")
