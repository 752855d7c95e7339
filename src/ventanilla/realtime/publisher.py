"""Delivers collected events through the Socket.IO server (and its Redis manager when configured)."""

from __future__ import annotations

from collections.abc import Sequence

import socketio

from ventanilla.events import Event


class SocketPublisher:
    """Publishes events to Socket.IO rooms."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def publish(self, events: Sequence[Event]) -> None:
        """Emit each event to its room."""
        for event in events:
            await self._sio.emit(event.name, event.data, room=event.room, skip_sid=list(event.skip) or None)
