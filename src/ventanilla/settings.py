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

    # Each field's docstring is its description: `python -m ventanilla.settings_doc` writes docs/configuration.md and
    # .env.example from them (a test fails when either drifts).
    model_config = SettingsConfigDict(
        env_prefix="VENTANILLA_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'ventanilla.db'}"
    """Storage: `sqlite+aiosqlite:///path.db` (embedded) or `postgresql+asyncpg://user:pass@host:5432/db`."""
    db_pool_size: int | None = None
    """Pooled database connections; empty: 2 for SQLite (more collide on its write lock), 10 for PostgreSQL."""
    redis_url: str | None = None
    """Redis (`redis://host:6379/0`) for Socket.IO fan-out, agent presence and rate-limit counters across processes;
    required by `serve --workers N` and by several machines. Empty: in-process.
    """
    redis_channel: str = "ventanilla"
    """Redis pub/sub channel and key prefix (several installs can share one Redis)."""
    secret_key: SecretStr | None = None
    """Signs login tokens, cookies, reply-to and unsubscribe links. Set a long random string in production (the same on
    every process); empty: a random key kept in `DATA_DIR/secret.key` (development only).
    """
    data_dir: Path = DEFAULT_DATA_DIR
    """Where uploads (`uploads/`), the development secret and the demo credentials are kept."""
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
    """Origins allowed to call the API and the socket with credentials, comma-separated (`*` reflects any origin:
    development only).
    """
    # Empty: http://localhost:{port}, the port actually served (`serve --port` included).
    public_url: str = ""
    """This server's public URL, for links in emails; empty: `http://localhost:{PORT}`, the port actually served."""
    # The panel moves ticket and history dates back 3 h before showing them (it was written against a
    # backend that sent local time as UTC); those fields are sent shifted forward by this much.
    panel_date_shift_hours: float = 3.0
    """The panel moves ticket and history dates back 3 h before showing them, so those fields (`fecha` of tickets and
    history) are sent this much later; `fecha_utc` and message dates are exact. 0 for clients that read dates as
    they are.
    """
    panel_url: str = "http://localhost:8080"
    """The frontend's URL (links to the panel in emails)."""
    host: str = "0.0.0.0"
    """Where `ventanilla serve` listens."""
    port: int = 5000
    """The port `ventanilla serve` listens on (`serve --port` overrides it)."""

    session_cookie_name: str = "ventanilla_session"
    """Name of the HttpOnly login cookie."""
    session_cookie_secure: bool = False
    """Mark the login cookie `Secure`: set `true` behind HTTPS."""
    token_max_age_seconds: int = 7 * 24 * 3600
    """Login token lifetime."""

    max_body_bytes: int = 64 * 1024
    """JSON body limit (413 above it)."""
    max_message_chars: int = MAX_MESSAGE_CHARS
    """Message length limit (413 above it)."""
    max_upload_bytes: int = 10 * 1024 * 1024
    """Attachment size limit of `POST /archivos/upload/chat_attachment` (stored under `DATA_DIR/uploads`)."""
    rate_limit_per_minute: int = 120
    """`/ask` requests per client per minute (429 above it)."""
    login_rate_limit_per_minute: int = 20
    """Login and sign-up attempts per client per minute."""
    lookup_rate_limit_per_minute: int = 30
    """Public PIN lookups per client per minute; also PIN tries per ticket and per client per minute."""
    upload_rate_limit_per_minute: int = 30
    """Uploads per client per minute."""
    # Wrong PINs: per ticket (then its PIN is locked until the window clears) and per client, over every ticket.
    pin_failures_per_ticket: str = "10/15 minutes;30/day"
    """Wrong PINs a ticket takes before its PIN is locked until the window clears (`limits` syntax, `;` between
    windows).
    """
    pin_failures_per_client: str = "20/10 minutes;100/day"
    """Wrong PINs a client may try, over every ticket, before it is refused."""

    upload_bytes_per_entity_per_day: int = 1024 * 1024 * 1024
    """Uploads of one entity per UTC day, in bytes, whoever sends them (shared through Redis when configured)."""
    max_sockets_per_address: int = 100
    """Open Socket.IO connections from one client address (an office behind NAT shares one), across processes
    through Redis when configured; 0: no cap.
    """
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Addresses (or networks, `10.0.0.0/8`) of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are
    believed; empty: none, the client is the peer of the TCP connection. `*` trusts everyone.
    """

    duplicate_radius_m: float = 100.0
    """Before filing, an open ticket of the same category within this distance (metres; or at the same address
    text) is offered to join instead."""
    duplicate_window_days: int = 21
    """How recent an open ticket must be to be offered as the same problem."""
    identity_code_ttl_seconds: int = 600
    """Lifetime of the one-time code sent by WhatsApp to prove a phone number from the widget."""
    identity_code_attempts: int = 5
    """Wrong tries a one-time code takes before it is void."""
    identity_codes_per_phone: str = "3/hour;6/day"
    """One-time codes sent to one phone number (`limits` syntax, `;` between windows)."""

    live_chat_capacity: int = 3
    """Concurrent live chats per agent for automatic assignment (per agent: `users create --capacity`; an admin takes
    none unless given a capacity)."""
    urgent_unanswered_seconds: float = 60.0
    """An urgent live chat no agent answered in this time: the citizen is told so and on-call is paged."""
    socket_ping_interval: int = 25
    """Engine.IO keep-alive: seconds between pings."""
    socket_ping_timeout: int = 20
    """Engine.IO keep-alive: seconds without a pong before a socket is dropped."""

    smtp_host: str | None = None
    """SMTP server; empty: emails are written as `.eml` files to `MAIL_DIR`."""
    smtp_port: int = 25
    """SMTP port."""
    smtp_user: str | None = None
    """SMTP user (empty: no authentication)."""
    smtp_password: SecretStr | None = None
    """SMTP password."""
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    """SMTP encryption: `none`, `starttls` or `tls`."""
    smtp_timeout_seconds: float = 10.0
    """How long one SMTP conversation may take."""
    mail_from: str = "Ventanilla <no-reply@ventanilla.local>"
    """Sender of every email."""
    mail_reply_domain: str = "ventanilla.local"
    """Domain of the reply-to addresses and Message-IDs (route it to `ventanilla mail-in` or `POST /webhooks/email`)."""
    mail_dir: Path = DEFAULT_DATA_DIR / "mail"
    """Where emails go without SMTP."""
    email_debounce_seconds: int = 120
    """At most one email per recipient and ticket in this window (a burst of messages becomes one email)."""
    email_webhook_secret: SecretStr | None = None
    """Shared secret of `POST /webhooks/email` (replies by email through a provider's webhook); empty: disabled."""
    max_inbound_email_bytes: int = 2 * 1024 * 1024
    """Largest email reply accepted (webhook and `mail-in`)."""
    run_workers: bool = True
    """Run the job runners (emails, WhatsApp, Pusher) inside `serve`; `false` when `ventanilla worker` runs them apart.
    """

    whatsapp_app_secret: SecretStr | None = None
    """Verifies `X-Hub-Signature-256` of the WhatsApp webhook (the Meta app's secret)."""
    whatsapp_verify_token: SecretStr | None = None
    """Token of the WhatsApp webhook verification handshake."""
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    """Graph API base URL, with its version."""
    whatsapp_timeout_seconds: float = 10.0
    """How long one Graph API call may take."""

    pusher_app_id: str | None = None
    """Pusher app id: when set, `nuevo-mensaje` is also published on `ticket-{tipo}-{id}`."""
    pusher_key: str | None = None
    """Pusher key."""
    pusher_secret: SecretStr | None = None
    """Pusher secret."""
    pusher_cluster: str | None = None
    """Pusher cluster (e.g. `us2`)."""
    pusher_host: str | None = None
    """Pusher-compatible host (Soketi, ...), instead of the cluster."""
    pusher_port: int | None = None
    """Port of `PUSHER_HOST`."""
    pusher_ssl: bool = True
    """Use HTTPS towards Pusher."""

    @field_validator("pin_failures_per_ticket", "pin_failures_per_client")
    @classmethod
    def _rate_spec(cls, value: str) -> str:
        from limits import parse_many

        parse_many(value)  # ValueError (a settings error at start-up) when it is not like "10/15 minutes;30/day"
        return value

    # Durable jobs (emails, WhatsApp, Pusher): transient failures retried with a capped exponential backoff
    # for at least `job_retry_window_hours`; a process that died gives its jobs back after the lease.
    job_poll_seconds: float = 1.0
    """How often job runners look for work other processes queued (commits in the same process wake them at once)."""
    job_lease_seconds: float = 120.0
    """How long a claimed job stays with its process; a job of a process that died is taken over after it (keep it
    above the slowest send).
    """
    job_retry_base_seconds: float = 5.0
    """Backoff of every durable job after a transient failure: the first wait, doubling from there."""
    job_retry_cap_seconds: float = 600.0
    """Backoff cap: the longest wait between two attempts."""
    job_retry_window_hours: float = 48.0
    """How long transient failures (SMTP down, Graph API 5xx, Pusher down) are retried before a job becomes a dead
    letter.
    """
    shutdown_grace_seconds: float = 10.0
    """On SIGTERM, how long running jobs may finish before they are released."""

    log_format: Literal["text", "json"] = "text"
    """`text`, or `json`: one JSON object per line, for log collectors."""
    # /metrics: with a token, `Authorization: Bearer <token>` from anywhere; without, loopback clients only.
    metrics_token: SecretStr | None = None
    """`/metrics` requires `Authorization: Bearer <token>`; empty: only loopback clients may read it."""

    @field_validator("cors_origins", "trusted_proxies", mode="before")
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
