"""Uploads keep the server's memory flat: 30 concurrent 10 MB posts, without a token and with one."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests import samples
from tests.support import Tenant, free_port, next_client_address, seed_tenant, spawn_server
from ventanilla.app import create_app
from ventanilla.cli import upgrade_database
from ventanilla.settings import Settings

CONCURRENT = 30
MB = 1024 * 1024
# Before the fix the body was read whole first: 30 posts of 10 MB took the server from ~150 MB to over 1 GB.
MAX_GROWTH = 60 * MB


def rss_of(pid: int) -> int:
    """Resident memory of a process, in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@contextlib.asynccontextmanager
async def server_process(tmp: Path) -> AsyncIterator[tuple[str, subprocess.Popen[bytes], Tenant]]:
    """`ventanilla serve` in its own process (so its memory is its own), with one tenant."""
    env = {
        "VENTANILLA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'memory.db'}",
        "VENTANILLA_SECRET_KEY": f"memory-{uuid.uuid4().hex}",
        "VENTANILLA_DATA_DIR": str(tmp / "data"),
        "VENTANILLA_MAIL_DIR": str(tmp / "mail"),
    }
    settings = Settings(
        database_url=env["VENTANILLA_DATABASE_URL"],
        secret_key=env["VENTANILLA_SECRET_KEY"],  # type: ignore[arg-type]
        data_dir=tmp / "data",
    )
    await asyncio.to_thread(upgrade_database, settings)
    seeder = create_app(settings)
    tenant = await seed_tenant(seeder.ctx)
    await seeder.ctx.engine.dispose()
    port = free_port()
    proc = spawn_server(env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=2) as probe:
            for _ in range(200):
                if proc.poll() is not None:
                    raise AssertionError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await probe.get(f"{url}/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        yield url, proc, tenant
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def peak_growth(pid: int, work: Callable[[], Awaitable[list[object]]]) -> tuple[int, list[object]]:
    """How far the process's memory rose above where it started while `work` ran."""
    start = rss_of(pid)
    peak = start
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_of(pid))
            await asyncio.sleep(0.01)

    sampler = asyncio.create_task(sample())
    try:
        results = await work()
    finally:
        done.set()
        await sampler
    peak = max(peak, rss_of(pid))
    return peak - start, results


def body(boundary: str, content: bytes) -> bytes:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="informe.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode()


async def post_all(url: str, payload: bytes, headers: dict[str, str]) -> list[object]:
    """CONCURRENT posts of the same body at once; each result is a status code or the transport error."""
    limits = httpx.Limits(max_connections=CONCURRENT)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits, headers=headers) as client:

        async def one() -> object:
            try:
                return (await client.post("/archivos/upload/chat_attachment", content=payload)).status_code
            except httpx.TransportError as exc:  # the server may answer (401) and close while we still send
                return type(exc).__name__

        return list(await asyncio.gather(*(one() for _ in range(CONCURRENT))))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to read a process's memory")
async def test_concurrent_large_uploads_keep_memory_flat(tmp_root: Path) -> None:
    tmp = tmp_root / f"memory-{uuid.uuid4().hex[:6]}"
    tmp.mkdir(parents=True)
    async with server_process(tmp) as (url, proc, tenant):
        boundary = uuid.uuid4().hex
        payload = body(boundary, samples.pdf() + b"0" * (10 * MB - 4096))
        content_type = f"multipart/form-data; boundary={boundary}"
        # Warm up (imports, thread pool) with one small upload, so only the posts themselves are measured.
        warm = {"Content-Type": content_type, "X-Entity-Token": tenant.token, "X-Forwarded-For": next_client_address()}
        async with httpx.AsyncClient(base_url=url, timeout=30, headers=warm) as client:
            small = await client.post("/archivos/upload/chat_attachment", content=body(boundary, samples.pdf()))
            assert small.status_code == 200, small.text

        anonymous = {"Content-Type": content_type, "X-Forwarded-For": next_client_address()}
        growth, results = await peak_growth(proc.pid, lambda: post_all(url, payload, anonymous))
        assert all(r == 401 or isinstance(r, str) for r in results), results
        assert 401 in results
        assert growth < MAX_GROWTH, f"without token the server grew {growth / MB:.0f} MB"

        with_token = {**anonymous, "X-Entity-Token": tenant.token, "X-Forwarded-For": next_client_address()}
        growth, results = await peak_growth(proc.pid, lambda: post_all(url, payload, with_token))
        assert results == [200] * CONCURRENT, results
        assert growth < MAX_GROWTH, f"with token the server grew {growth / MB:.0f} MB"
        stored = [p for p in (tmp / "data" / "uploads").glob("*/informe.pdf") if p.stat().st_size > MB]
        assert len(stored) == CONCURRENT
