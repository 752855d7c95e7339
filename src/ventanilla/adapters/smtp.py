"""Outgoing mail behind one small interface: SMTP (aiosmtplib) or .eml files in a folder (development)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib

from ventanilla.settings import Settings


class MailError(Exception):
    """A failed delivery; `permanent` ones (5xx, refused recipient) must not be retried."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    """Sends one message to the recipients in its headers."""

    async def send(self, message: EmailMessage) -> None: ...


def _permanent(code: int | None) -> bool:
    return code is not None and 500 <= code < 600


class SmtpMailer:
    """Delivers through an SMTP server (plain, STARTTLS or implicit TLS)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        """Send, translating every failure into MailError (temporary or permanent)."""
        s = self._settings
        sender, recipients = envelope_of(message)
        if not recipients:
            raise MailError("el mensaje no tiene destinatarios", permanent=True)
        try:
            await aiosmtplib.send(
                wire_bytes(message),
                sender=sender,
                recipients=recipients,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user or None,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                use_tls=s.smtp_tls == "tls",
                start_tls=s.smtp_tls == "starttls",
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            text = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
            raise MailError(f"destinatario rechazado: {text}", permanent=all(_permanent(c) for c in codes)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP {exc.code}: {exc.message}", permanent=_permanent(exc.code)) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailError(f"servidor SMTP no disponible: {exc!r}", permanent=False) from exc


def envelope_of(message: EmailMessage) -> tuple[str, list[str]]:
    """Envelope sender and recipients from the headers."""
    sender = parseaddr(str(message.get("Sender") or message.get("From") or ""))[1]
    values = [str(v) for name in ("To", "Cc") for v in message.get_all(name, [])]
    return sender, [address for _, address in getaddresses(values) if address]


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent: its own policy (so raw headers stay as built) with CRLF line ends."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class FileMailer:
    """Writes each message as an .eml file (no SMTP host configured: development and demos)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    async def send(self, message: EmailMessage) -> None:
        """Write `<UTC time>-<message id>.eml`."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        name = _UNSAFE.sub("_", str(message.get("Message-ID", secrets.token_hex(6))).strip("<>"))[:120]
        path = self._folder / f"{stamp}-{name}.eml"
        try:
            await asyncio.to_thread(_write, path, bytes(message))
        except OSError as exc:
            raise MailError(f"no se pudo escribir {path}: {exc}", permanent=False) from exc


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when a host is configured, otherwise .eml files in `mail_dir`."""
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FileMailer(settings.mail_dir)
