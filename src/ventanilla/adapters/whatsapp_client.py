"""WhatsApp Cloud API (Graph) client: send messages; failures typed as retryable or permanent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
MAX_SECTION_TITLE = 24
MAX_LIST_BUTTON = 20


class GraphError(Exception):
    """The Graph API refused or could not take a message."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class RetryableGraphError(GraphError):
    """Worth trying again later: timeouts, connection errors, 5xx, 429."""

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class PermanentGraphError(GraphError):
    """Will fail the same way again: bad token, bad payload, blocked number (4xx)."""


@dataclass(frozen=True, slots=True)
class ReplyOption:
    """One choice offered to the citizen: a reply button or a list row."""

    id: str
    title: str
    description: str | None = None


class WhatsAppSender(Protocol):
    """What the outbound worker needs from a WhatsApp transport."""

    async def send(self, phone_number_id: str, token: str, payload: dict[str, Any]) -> str: ...

    async def fetch_media(self, media_id: str, token: str, limit: int) -> tuple[bytes, str]: ...

    async def aclose(self) -> None: ...


def text_payload(to: str, body: str) -> dict[str, Any]:
    """A plain text message."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": body},
    }


def buttons_payload(to: str, body: str, options: Sequence[ReplyOption]) -> dict[str, Any]:
    """An interactive message with 1–3 reply buttons."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [{"type": "reply", "reply": {"id": o.id, "title": o.title}} for o in options],
            },
        },
    }


def list_payload(
    to: str, body: str, button: str, sections: Sequence[tuple[str, Sequence[ReplyOption]]]
) -> dict[str, Any]:
    """An interactive list message (up to 10 rows in all)."""
    wire_sections = []
    for title, rows in sections:
        wire_rows = []
        for row in rows:
            item = {"id": row.id, "title": row.title}
            if row.description:
                item["description"] = row.description
            wire_rows.append(item)
        wire_sections.append({"title": title, "rows": wire_rows})
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {"button": button, "sections": wire_sections},
        },
    }


def template_payload(to: str, name: str, language: str, parameters: Sequence[str]) -> dict[str, Any]:
    """An approved template with text body parameters (the only way to write after 24 h)."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if parameters:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": value} for value in parameters]}
        ]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": template,
    }


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _error_of(response: httpx.Response) -> tuple[str, int | None]:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}", None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return f"HTTP {response.status_code}", None
    code = error.get("code")
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else None
    message = str(error.get("message") or f"HTTP {response.status_code}")
    if details:
        message = f"{message}: {details}"
    return message[:400], code if isinstance(code, int) else None


class GraphClient:
    """The real Cloud API over httpx; the access token travels only in the Authorization header."""

    def __init__(self, api_base: str, *, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None):
        self.api_base = api_base.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def send(self, phone_number_id: str, token: str, payload: dict[str, Any]) -> str:
        """POST one message; returns its wamid."""
        url = f"{self.api_base}/{phone_number_id}/messages"
        try:
            response = await self._http.post(url, json=payload, headers={"Authorization": f"Bearer {token}"})
        except httpx.TimeoutException as exc:
            raise RetryableGraphError(f"timeout: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableGraphError(f"connection error: {type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            message, code = _error_of(response)
            raise RetryableGraphError(
                message, status=response.status_code, code=code, retry_after=_retry_after(response)
            )
        if response.status_code >= 400:
            message, code = _error_of(response)
            raise PermanentGraphError(message, status=response.status_code, code=code)
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise RetryableGraphError("unexpected response without a message id", status=response.status_code) from exc

    async def fetch_media(self, media_id: str, token: str, limit: int) -> tuple[bytes, str]:
        """A media file a citizen sent: its metadata gives a short-lived URL, fetched with the same token."""
        headers = {"Authorization": f"Bearer {token}"}
        try:
            meta = await self._http.get(f"{self.api_base}/{media_id}", headers=headers)
            if meta.status_code >= 400:
                message, code = _error_of(meta)
                raise PermanentGraphError(message, status=meta.status_code, code=code)
            info = meta.json()
            url, mime = str(info["url"]), str(info.get("mime_type") or "application/octet-stream")
            if int(info.get("file_size") or 0) > limit:
                raise PermanentGraphError("media too large", status=413, code=None)
            media = await self._http.get(url, headers=headers)
        except httpx.TimeoutException as exc:
            raise RetryableGraphError(f"timeout: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RetryableGraphError(f"connection error: {type(exc).__name__}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentGraphError(f"unexpected media answer: {exc!r}") from exc
        if media.status_code >= 400:
            raise PermanentGraphError("media download refused", status=media.status_code, code=None)
        if len(media.content) > limit:
            raise PermanentGraphError("media too large", status=413, code=None)
        return media.content, mime.split(";")[0].strip().lower()

    async def send_text(self, phone_number_id: str, token: str, to: str, body: str) -> str:
        """A plain text message (≤ 4096 characters)."""
        return await self.send(phone_number_id, token, text_payload(to, body))

    async def send_buttons(
        self, phone_number_id: str, token: str, to: str, body: str, options: Sequence[ReplyOption]
    ) -> str:
        """An interactive message with 1–3 reply buttons."""
        return await self.send(phone_number_id, token, buttons_payload(to, body, options))

    async def send_list(
        self,
        phone_number_id: str,
        token: str,
        to: str,
        body: str,
        button: str,
        sections: Sequence[tuple[str, Sequence[ReplyOption]]],
    ) -> str:
        """An interactive list message."""
        return await self.send(phone_number_id, token, list_payload(to, body, button, sections))

    async def send_template(
        self, phone_number_id: str, token: str, to: str, name: str, language: str, parameters: Sequence[str]
    ) -> str:
        """An approved template message."""
        return await self.send(phone_number_id, token, template_payload(to, name, language, parameters))


class LoggingSender:
    """Development stand-in: logs what would be sent (never the token) and invents a wamid."""

    def __init__(self) -> None:
        self.count = 0

    async def send(self, phone_number_id: str, token: str, payload: dict[str, Any]) -> str:
        """Log the message."""
        self.count += 1
        log.info("whatsapp (log only) from %s to %s: %s", phone_number_id, payload.get("to"), payload.get("type"))
        return f"wamid.LOG{self.count}"

    async def fetch_media(self, media_id: str, token: str, limit: int) -> tuple[bytes, str]:
        """There is no media without the real API."""
        raise PermanentGraphError("media is not available in log-only mode", status=404, code=None)

    async def aclose(self) -> None:
        """Nothing to close."""
