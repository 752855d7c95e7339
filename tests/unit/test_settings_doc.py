"""docs/configuration.md and .env.example are what `python -m ventanilla.settings_doc` writes from `Settings`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ventanilla import settings_doc
from ventanilla.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["docs/configuration.md", ".env.example"])
def test_generated_file_matches_the_settings(name: str) -> None:
    expected = settings_doc.outputs(ROOT)[ROOT / name]
    assert (ROOT / name).read_text() == expected, f"{name} is out of date: run `python -m ventanilla.settings_doc`"


def test_every_setting_is_described_and_listed() -> None:
    markdown, example = settings_doc.render_markdown(), settings_doc.render_env_example()
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} needs a docstring"
        variable = settings_doc.env_name(name)
        assert f"`{variable}`" in markdown and f"# {variable}=" in example
    for name in ("PIN_FAILURES_PER_TICKET", "PIN_FAILURES_PER_CLIENT", "UPLOAD_RATE_LIMIT_PER_MINUTE"):
        assert f"# VENTANILLA_{name}=" in example


def test_the_example_with_every_line_set_gives_the_defaults(tmp_path: Path) -> None:
    """Uncommenting every line of .env.example that has a value changes nothing."""
    lines = [line[2:] for line in settings_doc.render_env_example().splitlines() if line.startswith("# VENTANILLA_")]
    env = tmp_path / ".env"
    env.write_text("\n".join(line for line in lines if not line.endswith("=")) + "\n")
    assert Settings(_env_file=env) == Settings(_env_file=None)  # type: ignore[call-arg]


def test_check_mode_finds_a_stale_file(tmp_path: Path) -> None:
    assert settings_doc.main(["--root", str(tmp_path)]) == 0
    assert settings_doc.main(["--root", str(tmp_path), "--check"]) == 0
    (tmp_path / ".env.example").write_text("# VENTANILLA_PORT=5000\n")
    assert settings_doc.main(["--root", str(tmp_path), "--check"]) == 1
