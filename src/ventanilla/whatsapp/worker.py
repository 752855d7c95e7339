"""Background loops: process the webhook inbox, send the outbound queue; both survive restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ventanilla.context import AppContext
from ventanilla.whatsapp import service

log = logging.getLogger(__name__)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
    event.clear()


async def _pause(ctx: AppContext, runtime: service.Runtime, *, outbound: bool) -> float:
    try:
        return await service.seconds_until_due(ctx, runtime, outbound=outbound)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("whatsapp worker could not read the next due time")
        return runtime.poll_seconds


async def inbox_loop(ctx: AppContext) -> None:
    """Process stored webhook events one by one; woken by new ones, polling for other processes' work."""
    runtime = service.runtime_of(ctx)
    while True:
        try:
            while await service.process_next(ctx, runtime):
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("whatsapp inbox loop failed; retrying")
        await _wait(runtime.inbox_wake, await _pause(ctx, runtime, outbound=False))


async def outbox_loop(ctx: AppContext) -> None:
    """Send due outbound messages; woken after commits that queued some."""
    runtime = service.runtime_of(ctx)
    try:
        while True:
            try:
                while await service.send_due(ctx, runtime):
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("whatsapp outbox loop failed; retrying")
            await _wait(runtime.outbox_wake, await _pause(ctx, runtime, outbound=True))
    finally:
        with contextlib.suppress(Exception):
            await runtime.sender.aclose()
