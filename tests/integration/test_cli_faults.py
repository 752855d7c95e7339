"""Every bad value given to `ventanilla` is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ventanilla.cli import main
from ventanilla.settings import get_settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite database and data folder for commands run in this process."""
    monkeypatch.setenv("VENTANILLA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("VENTANILLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VENTANILLA_SECRET_KEY", "cli-test-secret")
    monkeypatch.delenv("VENTANILLA_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`ventanilla ARGS` in this process: exit code, stdout, stderr (logging as it was, for the tests after)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).disabled for name in ("uvicorn.access",)}
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, disabled in quiet.items():
            logging.getLogger(name).disabled = disabled
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str) -> str:
    """The error message, after checking it is one JSON line and the exit code says failure."""
    assert code != 0
    assert "Traceback" not in err and err.count("\n") == 1, err
    message: str = json.loads(err)["error"]
    return message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("mail-in", "--port", "99999"), "entre 1 y 65535"),
        (("serve", "--port", "0"), "entre 1 y 65535"),
        (("serve", "--workers", "0"), "mayor o igual a 1"),
        (
            (
                "users",
                "create",
                "--entity",
                "1",
                "--email",
                "a@b.org",
                "--password",
                "x" * 10,
                "--rol",
                "empleado",
                "--capacity",
                "-3",
            ),
            "--capacity",
        ),
        (("entities", "whatsapp", "1", "--phone-number-id", "abc", "--access-token", "t"), "solo dígitos"),
        (("whatsapp", "configure", "1", "--phone-number-id", "12a", "--access-token", "t"), "solo dígitos"),
        (("jobs", "list", "--kind", "bogus"), "bogus"),
        (("jobs", "retry", "bogus", "--all"), "bogus"),
        (("jobs", "list", "--limit", "-1"), "--limit"),
        (("nope",), "nope"),
    ],
)
def test_a_bad_value_is_refused_where_it_is_typed(
    env: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    code, out, err = run(capsys, *args)
    assert expected in one_line_error(code, err) and out == ""


def test_examples_into_a_folder_that_cannot_be_made(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = env / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "emails", "render-examples", str(blocker / "examples"))
    assert "No pude escribir los ejemplos" in one_line_error(code, err)
    code, out, _ = run(capsys, "emails", "render-examples", str(env / "examples"))
    assert code == 0 and len(out.splitlines()) == 6


def test_serve_with_several_workers_needs_redis(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve", "--workers", "2")
    assert "Redis" in one_line_error(code, err) and "VENTANILLA_REDIS_URL" in err


def test_whatsapp_show_speaks_of_what_is_missing_and_prints_no_python(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "demo", "--json")
    entity_id = json.loads(out)["entity"]["id"]
    code, _, err = run(capsys, "whatsapp", "show", "999")
    assert "no existe" in one_line_error(code, err).lower()
    code, _, err = run(capsys, "whatsapp", "show", str(entity_id))
    assert "no tiene WhatsApp configurado" in one_line_error(code, err)

    code, _, _ = run(
        capsys, "entities", "whatsapp", str(entity_id), "--phone-number-id", "1234567890", "--access-token", "EAAsecret"
    )
    assert code == 0
    code, out, _ = run(capsys, "whatsapp", "show", str(entity_id))
    assert code == 0 and "{" not in out and "1234567890" in out and "EAAsecret" not in out
    code, out, _ = run(capsys, "whatsapp", "show", str(entity_id), "--json")
    assert json.loads(out)["phone_number_id"] == "1234567890"


def test_users_capacity_zero_is_accepted(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--json")
    entity_id = json.loads(out)["entity"]["id"]
    code, out, err = run(
        capsys, "users", "create", "--entity", str(entity_id), "--email", "c@x.org", "--password", "x" * 12,
        "--rol", "empleado", "--capacity", "0", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["id"] > 0


def test_jobs_list_of_one_kind(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "jobs", "list", "--kind", "email", "--json")
    assert code == 0, err
    assert list(json.loads(out)) == ["email"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("ventanilla 0.")


def test_urgency_help_lists_its_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "urgency", "--help")
    assert code == 0
    for form in ("urgency eval FILE.tsv", "urgency train", "urgency cv", 'urgency "texto"'):
        assert form in out


def test_mail_in_on_a_port_taken_is_one_line(env: Path) -> None:
    """A subprocess: the real command, its real exit code and its real stderr."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    environment = {key: value for key, value in os.environ.items() if key.startswith(("VENTANILLA_", "PATH", "HOME"))}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ventanilla.cli", "mail-in", "--port", str(port)],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        taken.close()
    assert done.returncode != 0
    assert f"127.0.0.1:{port}" in one_line_error(done.returncode, done.stderr)


def test_help_answers_fast_and_imports_nothing_heavy() -> None:
    """`ventanilla --help` builds every parser without pydantic, FastAPI, SQLAlchemy or asyncio."""
    probe = (
        "import sys, contextlib, io\n"
        "from ventanilla.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        "heavy = [m for m in ('pydantic', 'fastapi', 'sqlalchemy', 'asyncio', 'uvicorn', 'socketio') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    elapsed = time.perf_counter() - started
    assert done.stdout.strip() == "", f"--help imported {done.stdout.strip()}"
    # Generous: the import check above is what keeps it fast; this catches a gross regression under load.
    assert elapsed < 5, elapsed


def test_an_invalid_setting_is_one_line_naming_the_variable(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENTANILLA_PORT", "cinco mil")
    get_settings.cache_clear()
    code, _, err = run(capsys, "jobs", "list")
    assert "VENTANILLA_PORT" in one_line_error(code, err)
