"""A local stand-in for the WhatsApp Cloud API (Graph): a real HTTP server on loopback that checks requests
the way the real API does, records them, and can be told to fail or hang."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

VERSION = "v21.0"


@dataclass
class Recorded:
    """One accepted or refused request."""

    phone_number_id: str
    authorization: str
    body: Any
    status: int
    wamid: str | None = None

    @property
    def to(self) -> str | None:
        return self.body.get("to") if isinstance(self.body, dict) else None

    @property
    def type(self) -> str | None:
        return self.body.get("type") if isinstance(self.body, dict) else None

    @property
    def text(self) -> str:
        """The human-readable text of any message type."""
        body = self.body if isinstance(self.body, dict) else {}
        if body.get("type") == "text":
            return str(body["text"]["body"])
        if body.get("type") == "interactive":
            return str(body["interactive"]["body"]["text"])
        if body.get("type") == "template":
            params = body["template"].get("components", [{}])[0].get("parameters", [])
            return " ".join(str(p.get("text", "")) for p in params)
        return ""

    @property
    def option_ids(self) -> list[str]:
        """Reply-button or list-row ids."""
        interactive = self.body.get("interactive", {}) if isinstance(self.body, dict) else {}
        action = interactive.get("action", {})
        if interactive.get("type") == "button":
            return [b["reply"]["id"] for b in action.get("buttons", [])]
        if interactive.get("type") == "list":
            return [row["id"] for section in action.get("sections", []) for row in section.get("rows", [])]
        return []


class Invalid(Exception):
    """A payload the real API would refuse with (#100)."""


def _need(condition: bool, what: str) -> None:
    if not condition:
        raise Invalid(what)


def _check_text(value: Any, limit: int, what: str) -> None:
    _need(isinstance(value, str) and 0 < len(value) <= limit, f"{what} must be 1..{limit} characters")


def validate(body: Any) -> None:
    """The shape and limits the Cloud API enforces for the message types we send."""
    _need(isinstance(body, dict), "body must be an object")
    _need(body.get("messaging_product") == "whatsapp", "messaging_product must be whatsapp")
    to = body.get("to")
    _need(isinstance(to, str) and to.isdigit() and 6 <= len(to) <= 20, "to must be a phone number")
    kind = body.get("type")
    if kind == "text":
        _check_text((body.get("text") or {}).get("body"), 4096, "text.body")
    elif kind == "interactive":
        interactive = body.get("interactive") or {}
        _check_text((interactive.get("body") or {}).get("text"), 1024, "interactive.body.text")
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            buttons = action.get("buttons")
            _need(isinstance(buttons, list) and 1 <= len(buttons) <= 3, "1..3 buttons")
            ids, titles = set(), set()
            for button in buttons:
                _need(button.get("type") == "reply", "button type must be reply")
                reply = button.get("reply") or {}
                _check_text(reply.get("id"), 256, "button id")
                _check_text(reply.get("title"), 20, "button title")
                ids.add(reply["id"])
                titles.add(reply["title"])
            _need(len(ids) == len(buttons) and len(titles) == len(buttons), "button ids and titles must be unique")
        elif interactive.get("type") == "list":
            _check_text(action.get("button"), 20, "list button")
            sections = action.get("sections")
            _need(isinstance(sections, list) and 1 <= len(sections) <= 10, "1..10 sections")
            rows = [row for section in sections for row in section.get("rows") or []]
            _need(1 <= len(rows) <= 10, "1..10 rows in all")
            if len(sections) > 1:
                for section in sections:
                    _check_text(section.get("title"), 24, "section title")
            for row in rows:
                _check_text(row.get("id"), 200, "row id")
                _check_text(row.get("title"), 24, "row title")
                if "description" in row:
                    _check_text(row["description"], 72, "row description")
            _need(len({row["id"] for row in rows}) == len(rows), "row ids must be unique")
        else:
            raise Invalid("interactive type must be button or list")
    elif kind == "template":
        template = body.get("template") or {}
        _check_text(template.get("name"), 512, "template.name")
        _check_text((template.get("language") or {}).get("code"), 16, "template.language.code")
        for component in template.get("components") or []:
            for parameter in component.get("parameters") or []:
                text = parameter.get("text")
                _check_text(text, 1024, "template parameter")
                _need("\n" not in text and "\t" not in text, "template parameters cannot hold newlines or tabs")
    else:
        raise Invalid(f"unsupported type {kind!r}")


def _error(status: int, message: str, code: int) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "fake"}}, status=status
    )


@dataclass
class FakeGraph:
    """The fake API; `tokens` maps phone_number_id to its valid access token."""

    tokens: dict[str, str] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    failures: list[tuple[str, int, int]] = field(default_factory=list)
    hang_seconds: float = 3.0
    url: str = ""
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        """What Settings.whatsapp_api_base should be."""
        return f"{self.url}/{VERSION}"

    def fail(self, times: int, status: int = 500, code: int = 2) -> None:
        """The next `times` requests answer `status` (500, 429, or a 4xx with a Graph error code)."""
        self.failures.extend([("status", status, code)] * times)

    def hang(self, times: int) -> None:
        """The next `times` requests never answer in time (the client must time out)."""
        self.failures.extend([("hang", 0, 0)] * times)

    def accepted(self, to: str | None = None) -> list[Recorded]:
        """Messages the API took, optionally only those to one number."""
        return [r for r in self.requests if r.status == 200 and (to is None or r.to == to)]

    async def wait_for(
        self, count: int, to: str | None = None, timeout: float = 10, where: Any = None
    ) -> list[Recorded]:
        """Wait until `count` accepted messages (to `to`, matching `where`) arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [r for r in self.accepted(to) if where is None or where(r)]
            if len(found) >= count:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"expected {count} messages to {to}, got {[(r.type, r.text) for r in found]}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def _messages(self, request: web.Request) -> web.Response:
        phone_number_id = request.match_info["phone_number_id"]
        authorization = request.headers.get("Authorization", "")
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        record = Recorded(phone_number_id, authorization, body, 0)
        self.requests.append(record)
        try:
            response = await self._answer(record)
        finally:
            self._changed.set()
        return response

    async def _answer(self, record: Recorded) -> web.Response:
        expected = self.tokens.get(record.phone_number_id)
        if expected is None or record.authorization != f"Bearer {expected}":
            record.status = 401
            return _error(401, "Invalid OAuth access token - Cannot parse access token", 190)
        if self.failures:
            mode, status, code = self.failures.pop(0)
            if mode == "hang":
                record.status = 599
                await asyncio.sleep(self.hang_seconds)
            record.status = status
            retry = {"Retry-After": "0"} if status == 429 else None
            response = _error(status, f"Fake failure {status}", code)
            if retry:
                response.headers.update(retry)
            return response
        try:
            validate(record.body)
        except Invalid as exc:
            record.status = 400
            return _error(400, f"(#100) Invalid parameter: {exc}", 100)
        record.status = 200
        record.wamid = f"wamid.OUT{next(self._counter)}"
        to = record.body["to"]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": record.wamid}],
            }
        )

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "").removeprefix("Bearer ") in self.tokens.values()

    async def _media_info(self, request: web.Request) -> web.Response:
        """Like the real API: metadata with a download URL that needs the same bearer token."""
        if not self._authorized(request):
            return _error(401, "Invalid OAuth access token.", 190)
        media_id = request.match_info["media_id"]
        if media_id not in self.media:
            return _error(404, "Unsupported get request.", 100)
        content, mime = self.media[media_id]
        return web.json_response(
            {"url": f"{self.url}/media/{media_id}", "mime_type": mime, "file_size": len(content), "id": media_id}
        )

    async def _media_file(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401)
        content, mime = self.media[request.match_info["media_id"]]
        return web.Response(body=content, content_type=mime)

    async def start(self) -> FakeGraph:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post(f"/{VERSION}/{{phone_number_id}}/messages", self._messages)
        app.router.add_get(f"/{VERSION}/{{media_id}}", self._media_info)
        app.router.add_get("/media/{media_id}", self._media_file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()


@contextlib.asynccontextmanager
async def running_fake_graph(tokens: dict[str, str] | None = None) -> AsyncIterator[FakeGraph]:
    """A started fake API, stopped on exit."""
    fake = await FakeGraph(tokens=dict(tokens or {})).start()
    try:
        yield fake
    finally:
        await fake.stop()
