"""/openapi.json documents what every operation answers: its model, and the `{"error"}` answers it gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ventanilla.app import create_app
from ventanilla.settings import Settings


def _schema(tmp_path: Path) -> dict[str, Any]:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", data_dir=tmp_path))
    schema: dict[str, Any] = app.api.openapi()
    return schema


def test_every_operation_documents_its_answer_and_its_errors(tmp_path: Path) -> None:
    schema = _schema(tmp_path)
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    undocumented = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            ok = next(v for k, v in responses.items() if k.startswith("2"))
            content = ok.get("content", {})
            json_schema = content.get("application/json", {}).get("schema", {})
            # A JSON answer names its model; files, pages and empty answers say their type (or have no body).
            named = json_schema.get("$ref") or json_schema.get("items", {}).get("$ref")
            if content and not named and "application/json" in content:
                undocumented.append(f"{method.upper()} {path}: no response model")
            for status, answer in responses.items():
                if status.startswith(("4", "5")) and answer.get("content", {}).get("application/json", {}).get("schema") != error_ref:
                    undocumented.append(f"{method.upper()} {path}: {status} is not ErrorOut")
            for status in ("400", "422", "500"):
                if status not in responses:
                    undocumented.append(f"{method.upper()} {path}: {status} missing")
    assert undocumented == []


def test_answers_of_dependencies_and_routers_are_documented(tmp_path: Path) -> None:
    paths = _schema(tmp_path)["paths"]
    assert {"401", "403"} <= set(paths["/tickets"]["get"]["responses"])  # staff only
    assert "401" in paths["/me"]["get"]["responses"]  # logged in
    assert "401" in paths["/perfil"]["get"]["responses"]  # entity token
    assert "429" in paths["/login"]["post"]["responses"]  # rate limited
    assert "404" in paths["/tickets/{tipo}/{ticket_id}"]["get"]["responses"]  # the router's own
    assert "413" not in paths["/me"]["get"]["responses"] and "413" in paths["/login"]["post"]["responses"]
