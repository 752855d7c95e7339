"""One typed settings object, read from the environment (prefix VENTANILLA_) and `.env`."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Every knob of the service; secrets are SecretStr and never have a production default."""

    model_config = SettingsConfigDict(env_prefix="VENTANILLA_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'ventanilla.db'}"
    db_pool_size: int | None = None
    redis_url: str | None = None
    redis_channel: str = "ventanilla"
    secret_key: SecretStr | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    # NoDecode: the environment gives a comma-separated list, split by the validator below, not JSON.
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [
            "http://localhost:5173",
            "http://127.0.0.1:5173",
            "http://localhost:8080",
            "http://127.0.0.1:8080",
            "http://localhost:3000",
            "http://127.0.0.1:3000",
        ]
    )
    public_url: str = "http://localhost:5000"
    # The panel moves ticket and history dates back 3 h before showing them (it was written against a
    # backend that sent local time as UTC); those fields are sent shifted forward by this much.
    panel_date_shift_hours: float = 3.0
    panel_url: str = "http://localhost:8080"
    host: str = "0.0.0.0"
    port: int = 5000

    session_cookie_name: str = "ventanilla_session"
    session_cookie_secure: bool = False
    token_max_age_seconds: int = 7 * 24 * 3600

    max_body_bytes: int = 64 * 1024
    max_message_chars: int = 4000
    max_upload_bytes: int = 10 * 1024 * 1024
    rate_limit_per_minute: int = 120
    login_rate_limit_per_minute: int = 20
    lookup_rate_limit_per_minute: int = 30
    upload_rate_limit_per_minute: int = 30
    # Wrong PINs: per ticket (then its PIN is locked until the window clears) and per client, over every ticket.
    pin_failures_per_ticket: str = "10/15 minutes;30/day"
    pin_failures_per_client: str = "20/10 minutes;100/day"

    live_chat_capacity: int = 3
    socket_ping_interval: int = 25
    socket_ping_timeout: int = 20

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Ventanilla <no-reply@ventanilla.local>"
    mail_reply_domain: str = "ventanilla.local"
    mail_dir: Path = DEFAULT_DATA_DIR / "mail"
    email_debounce_seconds: int = 120
    email_webhook_secret: SecretStr | None = None
    max_inbound_email_bytes: int = 2 * 1024 * 1024
    run_workers: bool = True

    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    whatsapp_timeout_seconds: float = 10.0

    pusher_app_id: str | None = None
    pusher_key: str | None = None
    pusher_secret: SecretStr | None = None
    pusher_cluster: str | None = None
    pusher_host: str | None = None
    pusher_port: int | None = None
    pusher_ssl: bool = True

    @field_validator("pin_failures_per_ticket", "pin_failures_per_client")
    @classmethod
    def _rate_spec(cls, value: str) -> str:
        from limits import parse_many

        parse_many(value)  # ValueError (a settings error at start-up) when it is not like "10/15 minutes;30/day"
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    def signing_secret(self) -> str:
        """The secret that signs tokens: the setting, else a random one kept in `data_dir` (development only)."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def is_sqlite(self) -> bool:
        """Whether storage is SQLite (embedded default)."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
