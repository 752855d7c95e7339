"""`make fuzz`: schemathesis over every operation, as four kinds of caller, on SQLite and PostgreSQL.

Starts a real `ventanilla serve` per database (PostgreSQL when reachable), seeds an entity with its staff and a
citizen, and runs the schemathesis CLI with every check (server errors and conformance: status codes, content
types, headers, schemas, rejected valid data, undeclared methods and their `Allow` header) for each role.
Rate limits are raised out of the way (a 429 is not what this run looks for; tests/integration/test_limits.py
and test_security_limits.py cover them). Prints one JSON summary line per database and role; exit status 1 when
anything failed. Not part of `make test`: it takes long (minutes per role).

    python tools/fuzz.py [--examples 50] [--databases sqlite,postgresql] [--roles anonymous,citizen,agent,admin]
                         [--jobs 1] [--only PATH_REGEX]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import create_postgres_database, drop_postgres_database, postgres_unavailable  # noqa: E402
from tests.support import PASSWORD, seed_tenant  # noqa: E402

from ventanilla.app import create_app  # noqa: E402
from ventanilla.cli import upgrade_database  # noqa: E402
from ventanilla.settings import Settings  # noqa: E402

HIGH = "1000000000"
LIMITS = {
    "VENTANILLA_RATE_LIMIT_PER_MINUTE": HIGH,
    "VENTANILLA_LOGIN_RATE_LIMIT_PER_MINUTE": HIGH,
    "VENTANILLA_LOOKUP_RATE_LIMIT_PER_MINUTE": HIGH,
    "VENTANILLA_UPLOAD_RATE_LIMIT_PER_MINUTE": HIGH,
    "VENTANILLA_UPLOAD_BYTES_PER_ENTITY_PER_DAY": "0",
    "VENTANILLA_PIN_FAILURES_PER_TICKET": f"{HIGH}/minute",
    "VENTANILLA_PIN_FAILURES_PER_CLIENT": f"{HIGH}/minute",
}
# Stateful checks need links between operations that the schema does not declare.
EXCLUDED_CHECKS = "use_after_free,ensure_resource_availability"
# Logging out would turn the rest of an authenticated run anonymous.
LOGGED_IN_EXCLUDE = ["--exclude-path", "/logout"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(settings: Settings) -> dict[str, dict[str, str]]:
    """An entity with an agent and an admin; the headers each role sends."""
    app = create_app(settings)
    try:
        tenant = await seed_tenant(app.ctx, agents=1)
    finally:
        await app.ctx.engine.dispose()
    return {"tenant": {"token": tenant.token}, "agent": {"email": tenant.agents[0]["email"]}, "admin": tenant.admin}


async def role_headers(url: str, seeded: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    token = seeded["tenant"]["token"]
    session_key = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        email = f"vecino-{uuid.uuid4().hex[:8]}@example.org"
        r = await client.post(
            "/chatuserregisterpanel",
            json={"email": email, "password": "una-clave-larga", "nombre": "Vecina"},
            headers={"X-Entity-Token": token},
        )
        r.raise_for_status()
        headers["citizen"] = {
            "Authorization": f"Bearer {r.json()['token']}",
            "X-Entity-Token": token,
            "X-Chat-Session-Id": session_key,
        }
        for role in ("agent", "admin"):
            r = await client.post("/login", json={"email": seeded[role]["email"], "password": PASSWORD})
            r.raise_for_status()
            headers[role] = {"Authorization": f"Bearer {r.json()['token']}"}
    return headers


def run_schemathesis(
    url: str, role: str, headers: dict[str, str], examples: int, report: Path, only: str | None = None
) -> dict[str, object]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(ROOT / "tools" / "schemathesis.toml"),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        EXCLUDED_CHECKS,
        "--max-examples",
        str(examples),
        "--continue-on-failure",
        # Hypothesis gives up on an operation whose data it generates slowly (the multipart reply, under a loaded
        # machine) and tests it no further; slow generation says nothing about the server, so it runs anyway.
        "--suppress-health-check",
        "too_slow",
        "--no-color",
        "--seed",
        "22",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        *(arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")),
        *(LOGGED_IN_EXCLUDE if role != "anonymous" else []),
        *(["--include-path-regex", only] if only else []),
    ]
    started = time.monotonic()
    # Written as it runs, so a long run can be followed (`tail -f var/fuzz/<database>-<role>.txt`).
    log = report.parent / f"{report.stem}.txt"
    with log.open("w") as sink:
        done = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT, text=True, check=False)
    output = log.read_text()
    summary = next((line.strip() for line in reversed(output.splitlines()) if "passed" in line or "failed" in line), "")
    outcome = re.findall(r"^=+ (.+) in [\d.]+s =+$", output, re.M)
    generated = re.findall(r"^\s*(\d+) generated", output, re.M)
    return {
        "role": role,
        "exit": done.returncode,
        "seconds": round(time.monotonic() - started),
        "summary": summary,
        "test_cases": int(generated[-1]) if generated else None,
        "failures": sorted(set(re.findall(r"^- (ST\d+ [^\n]+|Server error[^\n]*)$", output, re.M))),
        "server_errors": len(re.findall(r"^- Server error", output, re.M)),
        # The tool's own errors (a schema it could not generate from) hide what the operation would have shown.
        "runtime_errors": len(re.findall(r"^Runtime Error$", output, re.M)),
        "errors": re.findall(r"^\s*🚫 (.+: \d+)$", output.split("=== SUMMARY ===")[-1], re.M),
        "outcome": outcome[-1] if outcome else "",
        "output": str(log),
    }


async def one_database(
    kind: str, examples: int, roles: list[str], out: Path, jobs: int, only: str | None = None
) -> list[dict[str, object]]:
    tmp = Path(tempfile.mkdtemp(prefix=f"fuzz-{kind}-"))
    pg_name = None
    if kind == "postgresql":
        reason = await postgres_unavailable()
        if reason:
            return [{"database": kind, "skipped": reason}]
        database_url, pg_name = await create_postgres_database()
    else:
        database_url = f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}"
    env = {
        **os.environ,
        **LIMITS,
        "VENTANILLA_DATABASE_URL": database_url,
        "VENTANILLA_SECRET_KEY": f"fuzz-{uuid.uuid4().hex}",
        "VENTANILLA_DATA_DIR": str(tmp / "data"),
        "VENTANILLA_MAIL_DIR": str(tmp / "mail"),
        "VENTANILLA_REDIS_URL": "",
    }
    settings = Settings(database_url=database_url, secret_key=env["VENTANILLA_SECRET_KEY"], data_dir=tmp / "data")  # type: ignore[arg-type]
    await asyncio.to_thread(upgrade_database, settings)
    seeded = await seed(settings)
    port = int(os.environ.get("FUZZ_PORT", "0")) or free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(  # noqa: ASYNC220 (a script: one child, started once)
        [sys.executable, "-m", "ventanilla.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "server.log").open("wb"),
    )
    results: list[dict[str, object]] = []
    try:
        async with httpx.AsyncClient(timeout=5) as probe:
            deadline = time.monotonic() + 180  # a loaded machine may take a minute to import and start the app
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    if (await probe.get(f"{url}/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.5)
        headers = await role_headers(url, seeded)
        # Roles may run side by side (--jobs): each is its own schemathesis process against the one server.
        slots = asyncio.Semaphore(jobs)

        async def one_role(role: str) -> None:
            async with slots:
                result = await asyncio.to_thread(
                    run_schemathesis, url, role, headers[role], examples, out / f"{kind}-{role}.xml", only
                )
            result["database"] = kind
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)

        await asyncio.gather(*(one_role(role) for role in roles))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if pg_name:
            await drop_postgres_database(pg_name)
    server_log = (tmp / "server.log").read_text(errors="replace")
    tracebacks = server_log.count("Traceback")
    # Every request the app answered is one `ventanilla.http` line: "<method> <route> <status> <ms>".
    answered = re.findall(r"ventanilla\.http: \S+ \S+ (\d{3}) ", server_log)
    print(
        json.dumps(
            {
                "database": kind,
                "server_log": str(tmp / "server.log"),
                "requests": len(answered),
                "server_errors": sum(status.startswith("5") for status in answered),
                "tracebacks": tracebacks,
            }
        ),
        flush=True,
    )
    return results


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--roles", default="anonymous,citizen,agent,admin")
    parser.add_argument("--out", default=str(ROOT / "var" / "fuzz"))
    parser.add_argument("--jobs", type=int, default=1, help="roles run at once (each a schemathesis process)")
    parser.add_argument("--only", help="a regular expression of the paths to test (all by default)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    failed = False
    for kind in args.databases.split(","):
        for result in await one_database(kind, args.examples, args.roles.split(","), out, args.jobs, args.only):
            failed = failed or bool(result.get("exit"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
