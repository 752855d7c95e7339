"""The `ventanilla` command as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path


def run_cli(tmp: Path, *args: str, db: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `ventanilla ARGS` against a database in `tmp`."""
    env = {
        **os.environ,
        "VENTANILLA_DATABASE_URL": db or f"sqlite+aiosqlite:///{tmp / 'cli.db'}",
        "VENTANILLA_MAIL_DIR": str(tmp / "mail"),
        "VENTANILLA_DATA_DIR": str(tmp / "data"),
        "VENTANILLA_SECRET_KEY": "cli-test-secret",
    }
    return subprocess.run(
        [sys.executable, "-m", "ventanilla.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_is_idempotent_and_entities_users_commands_work(tmp_path: Path) -> None:
    first = run_cli(tmp_path, "demo", "--json")
    assert first.returncode == 0, first.stderr
    demo = json.loads(first.stdout)
    again = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    assert again == demo and demo["agent"]["rol"] == "empleado" and demo["entity"]["token"]

    created = run_cli(tmp_path, "entities", "create", "Comercio Sur", "--tipo", "pyme", "--json")
    entity = json.loads(created.stdout)
    assert set(entity) == {"id", "token"}
    user = run_cli(
        tmp_path,
        "users",
        "create",
        "--entity",
        str(entity["id"]),
        "--email",
        f"a{uuid.uuid4().hex[:4]}@x.org",
        "--password",
        "una-clave-larga",
        "--rol",
        "empleado",
        "--json",
    )
    assert json.loads(user.stdout)["id"] > 0

    hours = run_cli(
        tmp_path,
        "entities",
        "hours",
        str(entity["id"]),
        "--days",
        "lun-vie",
        "--range",
        "09:00-13:00",
        "--range",
        "22:00-02:00",
        "--closed",
        "2026-12-25",
        "--json",
    )
    assert hours.returncode == 0, hours.stderr
    assert json.loads(hours.stdout)["closed_dates"] == ["2026-12-25"]

    bad = run_cli(
        tmp_path,
        "users",
        "create",
        "--entity",
        "999999",
        "--email",
        "b@x.org",
        "--password",
        "una-clave-larga",
        "--rol",
        "empleado",
    )
    assert bad.returncode != 0 and "error" in bad.stderr
    bad_hours = run_cli(tmp_path, "entities", "hours", str(entity["id"]), "--range", "25:00-26:00")
    assert bad_hours.returncode != 0 and "error" in bad_hours.stderr


def test_urgency_command(tmp_path: Path) -> None:
    verdict = json.loads(run_cli(tmp_path, "urgency", "hay olor a gas muy fuerte en el edificio").stdout)
    assert verdict["urgent"] is True and verdict["category"] == "gas"
    sample = tmp_path / "sample.tsv"
    sample.write_text("label\tcategory\ttext\n1\tfire\tse prende fuego la casa de al lado\n0\tnone\thay un bache\n")
    report = json.loads(run_cli(tmp_path, "urgency", "eval", str(sample), "--json").stdout)
    assert {"precision", "recall", "f1", "n"} <= report.keys() and report["n"] == 2
    assert report["recall_by_category"] == {"fire": 1.0} and report["false_positive_rate_by_trap"] == {"none": 0.0}
    text = run_cli(tmp_path, "urgency", "eval", str(sample)).stdout
    assert "recall by category:" in text and "false-positive rate by trap:" in text
    missing = run_cli(tmp_path, "urgency", "eval", str(tmp_path / "nope.tsv"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    bad = tmp_path / "bad.tsv"
    bad.write_text("label\tcategory\ttext\nurgente\tfire\n")
    malformed = run_cli(tmp_path, "urgency", "eval", str(bad))
    assert malformed.returncode == 2 and "bad.tsv:2" in malformed.stderr and "Traceback" not in malformed.stderr
