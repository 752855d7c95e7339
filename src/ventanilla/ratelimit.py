"""Rate limits and lockouts on the `limits` library: in memory by default, in Redis when configured (shared)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from ventanilla.errors import TooManyRequests, Unavailable

BUSY = "Demasiadas solicitudes; probá de nuevo en un momento."
DOWN = "No podemos atender esta solicitud ahora mismo; probá de nuevo en unos minutos."
log = logging.getLogger(__name__)


@asynccontextmanager
async def _storage_guard() -> AsyncIterator[None]:
    """A counter store that cannot be reached fails closed (503), so a limit is never silently skipped."""
    try:
        yield
    except TooManyRequests:
        raise
    except Exception as exc:  # redis-py raises several families (ConnectionError, TimeoutError, OSError)
        log.warning("rate-limit storage unavailable: %s", exc.__class__.__name__)
        raise Unavailable(DOWN) from exc


class _SweptMemoryStorage(MemoryStorage):
    """`limits`' in-memory store with its expired entries swept at most once a second.

    The library sweeps after every hit: a new task, and a thread-pool hop per key, on each request. Counting never
    depends on the sweep (a moving window compares the entries' times itself), only memory does.
    """

    SWEEP_SECONDS = 1.0
    _next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:  # the library's private hook, called on every hit
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.SWEEP_SECONDS
        await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named limit such as `20/minute` or `10/15 minutes;30/day`, counted per key."""

    name: str
    spec: str

    @property
    def items(self) -> list[RateLimitItem]:
        """The windows of the rule."""
        return parse_many(self.spec)


def per_minute(name: str, count: int) -> Rule:
    """A rule of `count` hits per minute."""
    return Rule(name, f"{max(1, count)}/minute")


class RateLimits:
    """Counters with a moving window; `storage` is shared by every process when it is Redis."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._limiter = MovingWindowRateLimiter(storage)

    @classmethod
    def from_settings(cls, redis_url: str | None, prefix: str) -> RateLimits:
        """Redis storage when a URL is configured, else memory (whose counters expire on their own)."""
        if redis_url:
            uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
            return cls(RedisStorage(uri, implementation="redispy", key_prefix=f"{prefix}:limits"))
        return cls(_SweptMemoryStorage())

    async def hit(self, rule: Rule, key: str, message: str = BUSY) -> None:
        """Count one hit, or raise TooManyRequests (with the seconds to wait) when the key is over a window."""
        async with _storage_guard():
            for item in rule.items:
                if not await self._limiter.hit(item, rule.name, key):
                    raise TooManyRequests(message, retry_after=await self.retry_after(item, rule.name, key))

    async def check(self, rule: Rule, key: str, message: str = BUSY) -> None:
        """Raise TooManyRequests when the key is already at a window's limit, without counting."""
        async with _storage_guard():
            for item in rule.items:
                if not await self._limiter.test(item, rule.name, key):
                    raise TooManyRequests(message, retry_after=await self.retry_after(item, rule.name, key))

    async def take_back(self, rule: Rule, key: str) -> None:
        """Return the newest hit of the key to each window (a try counted first that turned out fine).

        Moving windows are lists, newest first, in both stores (a Redis list, a Python list in memory): removing
        the head gives back one hit, whichever concurrent request made it.
        """
        async with _storage_guard():
            for item in rule.items:
                name = item.key_for(rule.name, key)
                if isinstance(self.storage, RedisStorage):
                    bridge: Any = self.storage.bridge
                    await bridge.get_connection().lpop(bridge.prefixed_key(name))
                elif isinstance(self.storage, MemoryStorage):
                    events = self.storage.events.get(name)
                    if events:
                        events.pop(0)

    async def add(self, name: str, key: str, amount: int, expiry_seconds: int) -> int:
        """Add `amount` (negative to give back) to a plain counter and return its new total (atomic in Redis)."""
        async with _storage_guard():
            return int(await self.storage.incr(f"{name}/{key}", expiry_seconds, amount))

    async def count(self, rule: Rule, key: str) -> None:
        """Count one hit without refusing (a failure recorded after the fact)."""
        async with _storage_guard():
            for item in rule.items:
                await self._limiter.hit(item, rule.name, key)

    async def clear(self, rule: Rule, key: str) -> None:
        """Forget the key's hits."""
        async with _storage_guard():
            for item in rule.items:
                await self._limiter.clear(item, rule.name, key)

    async def retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        """Whole seconds until the window has room again (at least 1)."""
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def close(self) -> None:
        """Release the storage's connections."""
        if isinstance(self.storage, RedisStorage):
            bridge: Any = self.storage.bridge
            await bridge.get_connection().aclose()
