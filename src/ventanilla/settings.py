"""One typed settings object, read from the environment (prefix VENTANILLA_) and `.env`."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ventanilla.text import MAX_MESSAGE_CHARS

if TYPE_CHECKING:
    from ventanilla.jobs.runner import Backoff

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
    # Empty: http://localhost:{port}, the port actually served (`serve --port` included).
    public_url: str = ""
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
    max_message_chars: int = MAX_MESSAGE_CHARS
    max_upload_bytes: int = 10 * 1024 * 1024
    rate_limit_per_minute: int = 120
    login_rate_limit_per_minute: int = 20
    lookup_rate_limit_per_minute: int = 30
    upload_rate_limit_per_minute: int = 30
    # Wrong PINs: per ticket (then its PIN is locked until the window clears) and per client, over every ticket.
    pin_failures_per_ticket: str = "10/15 minutes;30/day"
    pin_failures_per_client: str = "20/10 minutes;100/day"

    # bot21b: before filing, an open ticket of the same category this close (metres, or the same address text)
    # and this recent is offered to join; the one-time codes that prove a phone number across channels.
    duplicate_radius_m: float = 100.0
    duplicate_window_days: int = 21
    identity_code_ttl_seconds: int = 600
    identity_code_attempts: int = 5
    identity_codes_per_phone: str = "3/hour;6/day"

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

    # Durable jobs (emails, WhatsApp, Pusher): transient failures retried with a capped exponential backoff
    # for at least `job_retry_window_hours`; a process that died gives its jobs back after the lease.
    job_poll_seconds: float = 1.0
    job_lease_seconds: float = 120.0
    job_retry_base_seconds: float = 5.0
    job_retry_cap_seconds: float = 600.0
    job_retry_window_hours: float = 48.0
    shutdown_grace_seconds: float = 10.0

    log_format: Literal["text", "json"] = "text"
    # /metrics: with a token, `Authorization: Bearer <token>` from anywhere; without, loopback clients only.
    metrics_token: SecretStr | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _default_public_url(self) -> Settings:
        if not self.public_url:
            self.public_url = f"http://localhost:{self.port}"
        return self

    def job_backoff(self) -> Backoff:
        """The retry policy of every durable job."""
        from ventanilla.jobs.runner import Backoff

        return Backoff(self.job_retry_base_seconds, self.job_retry_cap_seconds, self.job_retry_window_hours * 3600)

    def runner_options(self) -> dict[str, Any]:
        """Poll interval and lease of every job runner."""
        return {"poll_seconds": self.job_poll_seconds, "lease_seconds": self.job_lease_seconds}

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
