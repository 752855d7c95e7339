"""Client faults on the socket end in one log line each, never a traceback (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest
import websockets

from tests.support import Server, SocketRecorder

LOGGERS = ("engineio", "socketio", "ventanilla", "uvicorn", "asyncio")


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith(LOGGERS) and (r.exc_info or r.exc_text)]


async def until(check: object, timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():  # type: ignore[operator]
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_malformed_packets_log_one_line_each(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    socketio_level = ["42[", "4x", '42{"a":', "49", "4", "43abc", '42["join"', "44{}", "40/x,{"]
    engineio_level = ["x", "9", ""]
    with caplog.at_level(logging.INFO):
        for frames, closes in ((socketio_level, False), *(([f], True) for f in engineio_level)):
            async with websockets.connect(url) as ws:
                assert (await ws.recv()).startswith("0")
                await ws.send("40")
                assert (await ws.recv()).startswith("40")
                for frame in frames:
                    await ws.send(frame)
                await ws.send('421["join","nope"]')
                if closes:
                    with pytest.raises(websockets.ConnectionClosed):
                        await asyncio.wait_for(ws.recv(), 10)
                else:
                    assert (await asyncio.wait_for(ws.recv(), 10)).startswith("431")

        def warned() -> int:
            return sum(1 for r in caplog.records if r.levelno == logging.WARNING and "malformed" in r.getMessage())

        await until(lambda: warned() >= len(socketio_level) + len(engineio_level))
    assert tracebacks(caplog) == []


async def test_joins_queued_behind_the_disconnect_log_no_traceback(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    with caplog.at_level(logging.INFO):
        async with websockets.connect(url) as ws:
            assert (await ws.recv()).startswith("0")
            await ws.send("40")
            assert (await ws.recv()).startswith("40")
            for n in range(500):
                await ws.send(f'42["join",{{"room":"ticket_municipio_{n + 1}"}}]')
            while (await asyncio.wait_for(ws.recv(), 20)) != "41":
                pass  # the server cut the socket off after too many failed joins
        # A round trip on a fresh socket after the frames were queued: the server has handled them by then.
        probe = await SocketRecorder().connect(server.url)
        try:
            assert (await probe.join("sala-que-no-existe"))["ok"] is False
        finally:
            await probe.close()
        gc.collect()  # failed handler tasks report "Task exception was never retrieved" when collected
    assert any("failed room joins" in r.getMessage() for r in caplog.records)
    assert tracebacks(caplog) == []
