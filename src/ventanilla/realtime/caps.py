"""How many sockets one client address holds open: in-process, or shared through Redis across processes."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Protocol

import redis.asyncio as aioredis

# Drop lapsed entries, refuse at the cap, else add: one atomic step, so processes racing on one address cannot
# overshoot it together.
_ADMIT = """
local now = tonumber(ARGV[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('zadd', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
redis.call('expire', KEYS[1], 2 * tonumber(ARGV[4]))
return 1
"""


class SocketCap(Protocol):
    """Open sockets per client address, up to a cap."""

    async def admit(self, address: str, sid: str) -> bool: ...

    async def release(self, address: str, sid: str) -> None: ...

    async def heartbeat(self) -> None: ...

    async def close(self) -> None: ...


class LocalSocketCap:
    """The cap in one process."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._open: dict[str, set[str]] = defaultdict(set)

    async def admit(self, address: str, sid: str) -> bool:
        """Count the socket in, unless its address is at the cap."""
        sids = self._open[address]
        if len(sids) >= self.cap:
            return False
        sids.add(sid)
        return True

    async def release(self, address: str, sid: str) -> None:
        """The socket closed."""
        sids = self._open.get(address)
        if sids is not None:
            sids.discard(sid)
            if not sids:
                del self._open[address]

    async def heartbeat(self) -> None:
        """Nothing lapses in-process."""

    async def close(self) -> None:
        """Nothing to release."""


class RedisSocketCap:
    """The cap over every process: a sorted set per address scored by expiry, refreshed by each process.

    A process that dies without closing its sockets stops refreshing them; they lapse after `TTL_SECONDS`.
    """

    TTL_SECONDS = 60

    def __init__(self, url: str, cap: int, prefix: str) -> None:
        self.cap = cap
        self._redis = aioredis.from_url(url)
        self._prefix = prefix
        self._admit = self._redis.register_script(_ADMIT)
        self._local: dict[str, str] = {}

    def _key(self, address: str) -> str:
        return f"{self._prefix}:{address}"

    async def admit(self, address: str, sid: str) -> bool:
        """Count the socket in, unless its address is at the cap on all processes together."""
        admitted = await self._admit(keys=[self._key(address)], args=[time.time(), self.cap, sid, self.TTL_SECONDS])
        if admitted:
            self._local[sid] = address
        return bool(admitted)

    async def release(self, address: str, sid: str) -> None:
        """The socket closed."""
        self._local.pop(sid, None)
        await self._redis.zrem(self._key(address), sid)

    async def heartbeat(self) -> None:
        """Push this process's sockets' expiry forward."""
        if not self._local:
            return
        expiry = time.time() + self.TTL_SECONDS
        pipe = self._redis.pipeline()
        for sid, address in self._local.items():
            pipe.zadd(self._key(address), {sid: expiry}, xx=True)
        await pipe.execute()

    async def close(self) -> None:
        """Give this process's sockets back and close the connection."""
        for sid, address in list(self._local.items()):
            await self._redis.zrem(self._key(address), sid)
        self._local.clear()
        await self._redis.aclose()
