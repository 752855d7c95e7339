"""A local HTTP endpoint standing in for the Pusher REST API (`POST /apps/{id}/events`), with a settable delay."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web

from tests.support import free_port


class FakePusher:
    """Records every publish; `delay` seconds before answering (`hang` never answers)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.hang = False
        self.received: list[dict[str, Any]] = []
        self.port = free_port()
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    async def _events(self, request: web.Request) -> web.Response:
        body = json.loads(await request.text())
        async with self._arrived:
            self.received.append(body)
            self._arrived.notify_all()
        if self.hang:
            await self._closing.wait()
        if self.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.delay)
        return web.json_response({})

    async def start(self) -> FakePusher:
        app = web.Application()
        app.router.add_post("/apps/{app_id}/events", self._events)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        """Wait until `count` publishes arrived."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.received) >= count), timeout)
        return self.received

    def settings(self) -> dict[str, Any]:
        """The settings that point Ventanilla at this endpoint."""
        return {
            "pusher_app_id": "4242",
            "pusher_key": "pk",
            "pusher_secret": "ps",
            "pusher_host": "127.0.0.1",
            "pusher_port": self.port,
            "pusher_ssl": False,
        }

    def env(self) -> dict[str, str]:
        """The same, as environment variables for a subprocess."""
        return {f"VENTANILLA_{k.upper()}": str(v) for k, v in self.settings().items()}
