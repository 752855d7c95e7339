"""Integration fixtures shared by several modules."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.fake_graph import running_fake_graph
from tests.support import Clock, running_server
from tests.whatsapp_support import Env, tune, wa_settings


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def env(request: pytest.FixtureRequest, tmp_root: Path) -> AsyncIterator[Env]:
    """One server with WhatsApp configured per backend, and the fake Graph API it talks to."""
    tmp = tmp_root / f"wa-{uuid.uuid4().hex[:6]}"
    async with (
        running_fake_graph() as graph,
        fresh_database(request.param, tmp_root) as url,
        running_server(wa_settings(tmp, url, graph), Clock()) as server,
    ):
        tune(server)
        yield Env(server, graph, request.param, tmp)
