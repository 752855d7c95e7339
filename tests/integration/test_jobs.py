"""The shared job runner: retries, dead letters and their CLI, a killed worker, lease expiry, graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import fresh_database
from tests.fake_pusher import FakePusher
from ventanilla.cli import upgrade_database
from ventanilla.db import make_engine, make_sessionmaker, utcnow
from ventanilla.jobs.models import Job
from ventanilla.jobs.runner import Backoff, JobError, Runner
from ventanilla.jobs.table import TableQueue
from ventanilla.settings import Settings


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database(request.param, tmp_path) as url:
        await asyncio.to_thread(upgrade_database, Settings(database_url=url, data_dir=tmp_path / "data"))
        yield url


async def add_jobs(url: str, kind: str, *keys: str) -> list[int]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            now = utcnow()
            jobs = [
                Job(kind=kind, key=key, payload={"channel": key, "event": "nuevo-mensaje", "data": {"n": i}},
                    status="pending", attempts=0, next_attempt_at=now, created_at=now)
                for i, key in enumerate(keys)
            ]  # fmt: skip
            session.add_all(jobs)
            await session.commit()
            return [job.id for job in jobs]
    finally:
        await engine.dispose()


async def job_rows(url: str, *ids: int) -> list[Job]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            stmt = select(Job).where(Job.id.in_(ids)).order_by(Job.id)
            return list((await session.execute(stmt)).scalars().all())
    finally:
        await engine.dispose()


async def until_rows(url: str, ids: list[int], predicate: Any, timeout: float = 30) -> list[Job]:
    deadline = time.monotonic() + timeout
    while True:
        rows = await job_rows(url, *ids)
        if predicate(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs never reached the expected state: {[(r.id, r.status) for r in rows]}")
        await asyncio.sleep(0.1)


async def test_transient_failures_are_retried_and_permanent_ones_kept_as_dead_letters(db_url: str) -> None:
    calls: list[int] = []
    broken = {"permanent"}

    async def handler(payload: dict[str, Any]) -> None:
        calls.append(payload["data"]["n"])
        if payload["channel"] in broken:
            raise JobError("rechazado", permanent=True)
        if payload["channel"] == "flaky" and calls.count(payload["data"]["n"]) < 3:
            raise JobError("caído un rato")

    engine = make_engine(db_url)
    queue = TableQueue(make_sessionmaker(engine), "test", handler, backoff=Backoff(0.05, 0.2, 3600))
    runner = Runner(queue, poll_seconds=0.05, lease_seconds=30)
    task = asyncio.create_task(runner.run())
    try:
        flaky, dead = await add_jobs(db_url, "test", "flaky", "permanent")
        await runner.wake()
        rows = await until_rows(db_url, [flaky, dead], lambda rs: [r.status for r in rs] == ["done", "failed"])
        assert rows[0].attempts == 3 and rows[0].last_error == "caído un rato"
        assert rows[1].attempts == 1 and rows[1].last_error == "rechazado"
        backlog = await queue.backlog()
        assert backlog.pending == 0 and backlog.failed == 1
        (letter,) = await queue.dead(10)
        assert letter.id == dead and letter.error == "rechazado"
        # After the fix, a retry runs it again, once.
        broken.clear()
        assert await queue.retry([dead]) == 1
        await runner.wake()
        rows = await until_rows(db_url, [dead], lambda rs: rs[0].status == "done")
        assert calls.count(1) == 2 and (await queue.backlog()).failed == 0
    finally:
        await runner.stop(1)
        await task
        await engine.dispose()


def worker_env(url: str, tmp: Path, pusher: FakePusher, **extra: object) -> dict[str, str]:
    env = {
        **os.environ,
        "VENTANILLA_DATABASE_URL": url,
        "VENTANILLA_DATA_DIR": str(tmp / "data"),
        "VENTANILLA_MAIL_DIR": str(tmp / "mail"),
        "VENTANILLA_SECRET_KEY": "jobs-test-secret",
        "VENTANILLA_JOB_POLL_SECONDS": "0.2",
        "VENTANILLA_JOB_RETRY_BASE_SECONDS": "0.2",
        **pusher.env(),
    }
    env.update({f"VENTANILLA_{k.upper()}": str(v) for k, v in extra.items()})
    return env


# The `ventanilla` processes a test started: whatever a failing test left running is killed after it.
_children: list[asyncio.subprocess.Process] = []


@pytest.fixture(autouse=True)
async def no_process_left_behind() -> AsyncIterator[None]:
    yield
    while _children:
        proc = _children.pop()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def spawn(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ventanilla.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _children.append(proc)
    return proc


async def start_worker(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await spawn("worker", env=env)


async def stopped(proc: asyncio.subprocess.Process, timeout: float = 30) -> tuple[int, str]:
    _, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


@contextlib.asynccontextmanager
async def fake_pusher(delay: float = 0.0) -> AsyncIterator[FakePusher]:
    pusher = await FakePusher(delay).start()
    try:
        yield pusher
    finally:
        await pusher.stop()


async def test_a_retry_is_logged_with_its_backoff_not_with_how_long_the_attempt_took(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(payload: dict[str, Any]) -> None:
        await asyncio.sleep(0.02)
        raise JobError("SMTP caído")

    engine = make_engine(db_url)
    queue = TableQueue(make_sessionmaker(engine), "test", handler, backoff=Backoff(5, 600, 3600))
    runner = Runner(queue, poll_seconds=0.05, lease_seconds=30)
    try:
        await add_jobs(db_url, "test", "flaky")
        with caplog.at_level("INFO", logger="ventanilla"):
            assert await runner.run_once() == 1
    finally:
        await engine.dispose()
    lines = [record.getMessage() for record in caplog.records]
    assert any("attempt 1 failed, next attempt in 5 s (at " in line for line in lines), lines
    assert any(": retry (took " in line for line in lines), lines
    assert not any(re.search(r"retry in \d+ ms", line) for line in lines), lines


async def test_a_killed_workers_job_is_taken_over_after_its_lease(db_url: str, tmp_path: Path) -> None:
    async with fake_pusher() as pusher:
        pusher.hang = True
        (job_id,) = await add_jobs(db_url, "pusher", "ticket-municipio-1")
        first = await start_worker(worker_env(db_url, tmp_path, pusher, job_lease_seconds=3))
        try:
            await pusher.wait_for(1)
        finally:
            first.send_signal(signal.SIGKILL)
        code, _ = await stopped(first)
        assert code == -signal.SIGKILL
        (row,) = await job_rows(db_url, job_id)
        assert row.status == "running" and row.claim_token and row.attempts == 1
        killed_at = time.monotonic()
        pusher.hang = False
        second = await start_worker(worker_env(db_url, tmp_path, pusher, job_lease_seconds=3))
        try:
            (row,) = await until_rows(db_url, [job_id], lambda rs: rs[0].status == "done")
            assert time.monotonic() - killed_at >= 2.5  # not before the dead worker's lease ended
            assert row.attempts == 2 and row.claim_token is None and len(pusher.received) == 2
        finally:
            second.send_signal(signal.SIGTERM)
        code, err = await stopped(second)
        assert code == 0, err


async def test_sigterm_finishes_the_running_job_and_claims_no_more(db_url: str, tmp_path: Path) -> None:
    async with fake_pusher(delay=1.5) as pusher:
        # Same channel: the second waits for the first, so it is still unclaimed when SIGTERM arrives.
        first_id, second_id = await add_jobs(db_url, "pusher", "ticket-municipio-7", "ticket-municipio-7")
        worker = await start_worker(worker_env(db_url, tmp_path, pusher))
        await pusher.wait_for(1)
        worker.send_signal(signal.SIGTERM)
        code, err = await stopped(worker)
        assert code == 0, err
        assert "worker stopped" in err
        first, second = await job_rows(db_url, first_id, second_id)
        assert first.status == "done" and second.status == "pending" and second.attempts == 0
        assert len(pusher.received) == 1


async def test_sigterm_releases_a_job_that_outlasts_the_grace_period(db_url: str, tmp_path: Path) -> None:
    async with fake_pusher(delay=3) as pusher:
        (job_id,) = await add_jobs(db_url, "pusher", "ticket-pyme-3")
        worker = await start_worker(worker_env(db_url, tmp_path, pusher, shutdown_grace_seconds=0.3))
        await pusher.wait_for(1)
        worker.send_signal(signal.SIGTERM)
        code, err = await stopped(worker)
        assert code == 0, err
        (row,) = await job_rows(db_url, job_id)
        # Given back at once (not left to its lease): due now, the interrupted attempt not counted.
        assert row.status == "pending" and row.attempts == 0 and row.claim_token is None


def run_cli(url: str, tmp: Path, *args: str) -> Any:
    import subprocess

    env = {**os.environ, "VENTANILLA_DATABASE_URL": url, "VENTANILLA_DATA_DIR": str(tmp / "data"),
           "VENTANILLA_SECRET_KEY": "jobs-test-secret", "VENTANILLA_PUSHER_APP_ID": "1",
           "VENTANILLA_PUSHER_KEY": "k", "VENTANILLA_PUSHER_SECRET": "s"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "ventanilla.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_the_cli_lists_dead_letters_with_their_error_and_retries_them(db_url: str, tmp_path: Path) -> None:
    (job_id,) = await add_jobs(db_url, "pusher", f"ticket-municipio-{uuid.uuid4().int % 1000}")
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            row = await session.get(Job, job_id)
            assert row is not None
            row.status, row.attempts, row.last_error = "failed", 7, "Pusher rechazó la publicación: 401"
            await session.commit()
    finally:
        await engine.dispose()
    listed = json.loads(await asyncio.to_thread(run_cli, db_url, tmp_path, "jobs", "list", "--failed", "--json"))
    assert listed["pusher"]["failed"] == 1 and listed["email"]["failed"] == 0
    (dead,) = listed["pusher"]["dead"]
    assert dead["id"] == job_id and dead["attempts"] == 7 and "401" in dead["error"]
    retried = json.loads(
        await asyncio.to_thread(run_cli, db_url, tmp_path, "jobs", "retry", "pusher", "--all", "--json")
    )
    assert retried == {"kind": "pusher", "retried": 1}
    (row,) = await job_rows(db_url, job_id)
    assert row.status == "pending" and row.attempts == 0 and row.last_error  # the last error stays for the record


async def test_serve_finishes_its_running_job_on_sigterm(db_url: str, tmp_path: Path) -> None:
    from tests.support import free_port

    async with fake_pusher(delay=1.5) as pusher:
        (job_id,) = await add_jobs(db_url, "pusher", "ticket-municipio-9")
        port = free_port()
        serve = await spawn("serve", "--host", "127.0.0.1", "--port", str(port), env=worker_env(db_url, tmp_path, pusher))
        await pusher.wait_for(1)
        serve.send_signal(signal.SIGTERM)
        code, err = await stopped(serve)
        # uvicorn re-raises the signal once its shutdown is complete (so a supervisor sees "terminated").
        assert code in (0, -signal.SIGTERM) and "Application shutdown complete" in err, err
        (row,) = await job_rows(db_url, job_id)
        assert row.status == "done" and row.attempts == 1
