"""The `ventanilla` command as an operator runs it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.support import run_cli


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


def test_entity_slug_and_agent_categories_commands(tmp_path: Path) -> None:
    demo = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    assert demo["entity"]["slug"] == "municipalidad-de-demo"
    same_name = json.loads(
        run_cli(tmp_path, "entities", "create", "Municipalidad de Demo", "--tipo", "municipio", "--json").stdout
    )
    renamed = run_cli(tmp_path, "entities", "slug", str(same_name["id"]), "demo-norte", "--json")
    assert renamed.returncode == 0 and json.loads(renamed.stdout)["slug"] == "demo-norte", renamed.stderr
    taken = run_cli(tmp_path, "entities", "slug", str(same_name["id"]), "municipalidad-de-demo")
    assert taken.returncode == 2 and "error" in json.loads(taken.stderr)
    bad = run_cli(tmp_path, "entities", "slug", str(same_name["id"]), "Con Espacios")
    assert bad.returncode == 2 and "error" in json.loads(bad.stderr)

    user = run_cli(
        tmp_path,
        "users",
        "create",
        "--entity",
        str(demo["entity"]["id"]),
        "--email",
        "cat@x.org",
        "--password",
        "una-clave-larga",
        "--rol",
        "empleado",
        "--json",
    )
    agent_id = str(json.loads(user.stdout)["id"])
    given = run_cli(tmp_path, "users", "categories", agent_id, "--categoria", "alumbrado publico", "--json")
    assert json.loads(given.stdout)["categorias"] == [{"id": 1, "nombre": "Alumbrado público"}], given.stderr
    unknown = run_cli(tmp_path, "users", "categories", agent_id, "--categoria", "Astronomía")
    assert unknown.returncode == 2 and "error" in json.loads(unknown.stderr)


def test_demo_always_open_keeps_live_chat_open_at_any_hour(tmp_path: Path) -> None:
    import datetime as dt
    import sqlite3

    from ventanilla.entities import hours

    done = run_cli(tmp_path, "demo", "--always-open", "--json")
    assert done.returncode == 0, done.stderr
    entity_id = json.loads(done.stdout)["entity"]["id"]
    with sqlite3.connect(tmp_path / "cli.db") as db:
        (raw,) = db.execute("SELECT hours FROM entities WHERE id = ?", (entity_id,)).fetchone()
    schedule = hours.parse_json(json.loads(raw))
    sunday_3am = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
    assert hours.is_open(schedule, sunday_3am) and hours.is_open(schedule, sunday_3am + dt.timedelta(hours=12))


def test_demo_agent_and_admin_have_their_own_passwords(tmp_path: Path) -> None:
    import sqlite3

    from ventanilla.security import verify_password_sync

    def hashes() -> dict[str, str]:
        with sqlite3.connect(tmp_path / "cli.db") as db:
            return dict(db.execute("SELECT email, password_hash FROM users").fetchall())

    demo = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    agent, admin = demo["agent"], demo["admin"]
    assert agent["password"] != admin["password"]
    assert verify_password_sync(agent["password"], hashes()[agent["email"]])
    assert not verify_password_sync(agent["password"], hashes()[admin["email"]])
    human = run_cli(tmp_path, "demo").stdout
    assert f"{agent['email']} / {agent['password']}" in human and f"{admin['email']} / {admin['password']}" in human
    # An install from before kept one shared password: the admin gets its own, and the printed ones work.
    (tmp_path / "data" / "demo-credentials.json").write_text(json.dumps({"password": agent["password"]}))
    upgraded = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    assert upgraded["agent"]["password"] == agent["password"] != upgraded["admin"]["password"]
    assert verify_password_sync(upgraded["admin"]["password"], hashes()[admin["email"]])
