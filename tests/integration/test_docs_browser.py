"""`/docs` in a real headless Chromium with no network: Swagger UI 5 reads our OpenAPI 3.1 and shows every operation."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.conftest import base_settings
from tests.support import Clock, running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
# Swagger UI renders one summary per operation: <span class="opblock-summary-method">GET</span> ... data-path="/x"
OPERATION = re.compile(r'opblock-summary-method">([A-Z]+)</span>.*?data-path="([^"]+)"', re.S)


async def rendered_dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, every host but loopback unresolvable (no CDN can load)."""
    assert CHROMIUM
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        "--virtual-time-budget=30000",
        "--dump-dom",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0
    return stdout.decode()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
async def test_docs_page_shows_every_operation_offline(tmp_root: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    settings = base_settings(tmp_root / f"docs-{tag}", f"sqlite+aiosqlite:///{tmp_root / f'docs-{tag}.db'}")
    async with running_server(settings, Clock()) as srv, srv.client() as client:
        spec = (await client.get("/openapi.json")).json()
        expected = {
            (method.upper(), path) for path, item in spec["paths"].items() for method in item if method in METHODS
        }
        with tempfile.TemporaryDirectory(prefix="ventanilla-chromium-") as profile:
            dom = await rendered_dom(f"{srv.url}/docs", Path(profile))
    assert spec["openapi"].startswith("3.1")
    assert "does not specify a valid version field" not in dom and "Unable to render" not in dom
    shown = {(method, html.unescape(path)) for method, path in OPERATION.findall(dom)}
    assert len(expected) > 50
    assert shown == expected, f"missing {sorted(expected - shown)}; unexpected {sorted(shown - expected)}"
