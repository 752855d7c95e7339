"""Settings: the signing secret never comes from code."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ventanilla.settings import Settings


def test_secret_from_settings_or_a_generated_private_file(tmp_path: Path) -> None:
    assert Settings(secret_key="from-env", data_dir=tmp_path).signing_secret() == "from-env"  # type: ignore[arg-type]
    generated = Settings(secret_key=None, data_dir=tmp_path).signing_secret()
    assert len(generated) >= 48 and Settings(data_dir=tmp_path).signing_secret() == generated
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
    assert Settings(data_dir=tmp_path / "other").signing_secret() != generated


def test_cors_origins_from_a_comma_separated_string() -> None:
    assert Settings(cors_origins="http://a.test, http://b.test").cors_origins == ["http://a.test", "http://b.test"]  # type: ignore[arg-type]


def test_cors_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENTANILLA_CORS_ORIGINS", "http://localhost:8080,http://127.0.0.1:8080")
    assert Settings().cors_origins == ["http://localhost:8080", "http://127.0.0.1:8080"]
    monkeypatch.setenv("VENTANILLA_CORS_ORIGINS", '["http://a.test"]')
    assert Settings().cors_origins == ["http://a.test"]
    monkeypatch.setenv("VENTANILLA_CORS_ORIGINS", "*")
    assert Settings().cors_origins == ["*"]


def test_pin_failure_limits_are_checked_at_start_up() -> None:
    assert Settings(pin_failures_per_ticket="5/hour;20/day").pin_failures_per_ticket == "5/hour;20/day"
    with pytest.raises(ValidationError):
        Settings(pin_failures_per_ticket="diez por minuto")
