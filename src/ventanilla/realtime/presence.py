"""Which agents have a panel socket open: in-process, or shared through Redis across processes."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Protocol

import redis.asyncio as aioredis


class Presence(Protocol):
    """Tracks the panel sockets of each agent."""

    async def add(self, entity_id: int, user_id: int, sid: str) -> None: ...

    async def remove(self, entity_id: int, user_id: int, sid: str) -> None: ...

    async def online(self, entity_id: int) -> set[int]: ...

    async def view(self, ticket_id: int, user_id: int, sid: str) -> None: ...

    async def unview(self, ticket_id: int, user_id: int, sid: str) -> None: ...

    async def viewers(self, ticket_id: int, user_id: int) -> set[str]: ...

    async def attend(self, room: str, sid: str, client: str) -> None: ...

    async def absent(self, room: str, sid: str) -> None: ...

    async def attendees(self, room: str) -> dict[str, str]: ...

    async def heartbeat(self) -> None: ...

    async def reachable(self) -> None: ...

    async def close(self) -> None: ...


class LocalPresence:
    """Presence for a single process."""

    def __init__(self) -> None:
        self._sockets: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._views: dict[tuple[int, int], set[str]] = defaultdict(set)
        self._rooms: dict[str, dict[str, str]] = defaultdict(dict)

    async def add(self, entity_id: int, user_id: int, sid: str) -> None:
        """An agent's socket connected."""
        self._sockets[entity_id][user_id].add(sid)

    async def remove(self, entity_id: int, user_id: int, sid: str) -> None:
        """An agent's socket disconnected."""
        agents = self._sockets.get(entity_id)
        if agents is None:
            return
        agents[user_id].discard(sid)
        if not agents[user_id]:
            del agents[user_id]

    async def online(self, entity_id: int) -> set[int]:
        """Agents of an entity with at least one socket."""
        return {uid for uid, sids in self._sockets.get(entity_id, {}).items() if sids}

    async def view(self, ticket_id: int, user_id: int, sid: str) -> None:
        """An agent's socket opened a ticket's conversation."""
        self._views[(ticket_id, user_id)].add(sid)

    async def unview(self, ticket_id: int, user_id: int, sid: str) -> None:
        """An agent's socket left a ticket's conversation."""
        sids = self._views.get((ticket_id, user_id))
        if sids is not None:
            sids.discard(sid)
            if not sids:
                del self._views[(ticket_id, user_id)]

    async def viewers(self, ticket_id: int, user_id: int) -> set[str]:
        """The agent's sockets that show the ticket's conversation."""
        return set(self._views.get((ticket_id, user_id), ()))

    async def attend(self, room: str, sid: str, client: str) -> None:
        """A widget socket joined a chat room (ticket or session); `client` names the browser it runs in."""
        self._rooms[room][sid] = client

    async def absent(self, room: str, sid: str) -> None:
        """A widget socket left a chat room (or disconnected)."""
        members = self._rooms.get(room)
        if members is not None:
            members.pop(sid, None)
            if not members:
                del self._rooms[room]

    async def attendees(self, room: str) -> dict[str, str]:
        """The widget sockets in a chat room, each with its browser."""
        return dict(self._rooms.get(room, {}))

    async def heartbeat(self) -> None:
        """Nothing to refresh in-process."""

    async def reachable(self) -> None:
        """Always: nothing to reach."""

    async def close(self) -> None:
        """Nothing to release."""


class RedisPresence:
    """Presence shared by every process through a Redis sorted set per entity, scored by expiry time.

    Each process refreshes the expiry of its own sockets; a crashed process's entries lapse by themselves.
    """

    TTL_SECONDS = 60

    def __init__(self, url: str, prefix: str = "ventanilla:presence") -> None:
        self._redis = aioredis.from_url(url)
        self._prefix = prefix
        self._local: dict[str, tuple[int, int]] = {}
        self._rooms: dict[str, dict[str, str]] = {}

    def _key(self, entity_id: int) -> str:
        return f"{self._prefix}:{entity_id}"

    async def add(self, entity_id: int, user_id: int, sid: str) -> None:
        """An agent's socket connected."""
        self._local[sid] = (entity_id, user_id)
        await self._redis.zadd(self._key(entity_id), {f"{user_id}:{sid}": time.time() + self.TTL_SECONDS})

    async def remove(self, entity_id: int, user_id: int, sid: str) -> None:
        """An agent's socket disconnected."""
        self._local.pop(sid, None)
        await self._redis.zrem(self._key(entity_id), f"{user_id}:{sid}")

    async def online(self, entity_id: int) -> set[int]:
        """Agents with at least one unexpired socket on any process."""
        members = await self._redis.zrangebyscore(self._key(entity_id), time.time(), "+inf")
        return {int(_text(m).split(":", 1)[0]) for m in members}

    def _view_key(self, ticket_id: int, user_id: int) -> str:
        return f"{self._prefix}:view:{ticket_id}:{user_id}"

    async def view(self, ticket_id: int, user_id: int, sid: str) -> None:
        """An agent's socket opened a ticket's conversation (kept a day at most if the process dies)."""
        key = self._view_key(ticket_id, user_id)
        pipe = self._redis.pipeline()
        pipe.sadd(key, sid)
        pipe.expire(key, 86400)
        await pipe.execute()

    async def unview(self, ticket_id: int, user_id: int, sid: str) -> None:
        """An agent's socket left a ticket's conversation."""
        await self._redis.srem(self._view_key(ticket_id, user_id), sid)

    async def viewers(self, ticket_id: int, user_id: int) -> set[str]:
        """The agent's sockets, on any process, that show the ticket's conversation."""
        return {_text(m) for m in await self._redis.smembers(self._view_key(ticket_id, user_id))}

    def _room_key(self, room: str) -> str:
        return f"{self._prefix}:room:{room}"

    async def attend(self, room: str, sid: str, client: str) -> None:
        """A widget socket joined a chat room: a member `sid|browser` scored by its expiry, refreshed by heartbeat
        (a crashed process's sockets lapse, so they never make a live widget skip its news)."""
        self._rooms.setdefault(sid, {})[room] = client
        pipe = self._redis.pipeline()
        pipe.zadd(self._room_key(room), {f"{sid}|{client}": time.time() + self.TTL_SECONDS})
        pipe.expire(self._room_key(room), self.TTL_SECONDS * 2)
        await pipe.execute()

    async def absent(self, room: str, sid: str) -> None:
        """A widget socket left a chat room (or disconnected)."""
        client = self._rooms.get(sid, {}).pop(room, None)
        if sid in self._rooms and not self._rooms[sid]:
            del self._rooms[sid]
        if client is not None:
            await self._redis.zrem(self._room_key(room), f"{sid}|{client}")

    async def attendees(self, room: str) -> dict[str, str]:
        """The widget sockets, on any process, in a chat room, each with its browser."""
        members = await self._redis.zrangebyscore(self._room_key(room), time.time(), "+inf")
        return dict(_text(m).split("|", 1) for m in members if "|" in _text(m))

    async def heartbeat(self) -> None:
        """Push the expiry of this process's sockets forward and drop lapsed entries."""
        now = time.time()
        pipe = self._redis.pipeline()
        entities: set[int] = set()
        for sid, (entity_id, user_id) in self._local.items():
            pipe.zadd(self._key(entity_id), {f"{user_id}:{sid}": now + self.TTL_SECONDS})
            entities.add(entity_id)
        for entity_id in entities:
            pipe.zremrangebyscore(self._key(entity_id), "-inf", now)
        for sid, rooms in self._rooms.items():
            for room, client in rooms.items():
                pipe.zadd(self._room_key(room), {f"{sid}|{client}": now + self.TTL_SECONDS})
                pipe.expire(self._room_key(room), self.TTL_SECONDS * 2)
                pipe.zremrangebyscore(self._room_key(room), "-inf", now)
        await pipe.execute()

    async def reachable(self) -> None:
        """Raise (redis ConnectionError / TimeoutError) when Redis, which carries every live event, is out of reach."""
        await self._redis.ping()

    async def close(self) -> None:
        """Remove this process's sockets and close the connection."""
        for sid, (entity_id, user_id) in list(self._local.items()):
            await self._redis.zrem(self._key(entity_id), f"{user_id}:{sid}")
        for sid, rooms in list(self._rooms.items()):
            for room, client in rooms.items():
                await self._redis.zrem(self._room_key(room), f"{sid}|{client}")
        self._local.clear()
        self._rooms.clear()
        await self._redis.aclose()


def _text(member: object) -> str:
    return member.decode() if isinstance(member, bytes) else str(member)
