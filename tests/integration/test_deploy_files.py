"""Every file under deploy/ passes its own tool's check: systemd-analyze verify, nginx -t, caddy validate."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/ventanilla/.venv/bin/ventanilla"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def tool(name: str) -> str | None:
    """A tool on the PATH or in the sbin folders (nginx lives in /usr/sbin)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


def make_certificate(folder: Path) -> None:
    """A self-signed certificate and key in `folder` (cert.pem, key.pem)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (it makes the test certificate)")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=reclamos.test",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip


def test_every_unit_runs_the_installed_command() -> None:
    assert {unit.name for unit in UNITS} == {"ventanilla.service", "ventanilla@.service", "ventanilla-worker.service"}
    for unit in UNITS:
        text = unit.read_text()
        assert f"ExecStart={INSTALLED} " in text and "EnvironmentFile=/etc/ventanilla/ventanilla.env" in text
    assert "--port %i" in (DEPLOY / "systemd" / "ventanilla@.service").read_text()
    assert f"ExecStart={INSTALLED} worker\n" in (DEPLOY / "systemd" / "ventanilla-worker.service").read_text()


@pytest.mark.skipif(tool("systemd-analyze") is None, reason="systemd-analyze is not installed (package systemd)")
def test_systemd_units_verify(tmp_path: Path) -> None:
    # The units name the production path of the command; verify checks that it is executable, so point it here.
    here = str(Path(sys.executable).parent / "ventanilla")
    assert Path(here).exists(), "the ventanilla command of this environment"
    paths = []
    for unit in UNITS:
        name = unit.name.replace("@.service", "@5001.service")
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, here))
        if name != unit.name:
            (tmp_path / name).write_text((tmp_path / unit.name).read_text())
        paths.append(str(tmp_path / name))
    done = subprocess.run(
        [tool("systemd-analyze") or "", "verify", *paths], capture_output=True, text=True, timeout=120, check=False
    )
    # Warnings (an unknown key, a value it cannot parse) leave the exit code at 0: any line about our units fails.
    ours = [line for line in done.stderr.splitlines() if str(tmp_path) in line or "ventanilla" in line]
    assert done.returncode == 0 and not ours, done.stderr


@pytest.mark.skipif(tool("nginx") is None, reason="nginx is not installed (apt-get install nginx-light)")
def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    make_certificate(tmp_path)
    site = (DEPLOY / "nginx" / "ventanilla.conf").read_text()
    live = "/etc/letsencrypt/live/reclamos.example.gob.ar"
    assert f"{live}/fullchain.pem" in site and f"{live}/privkey.pem" in site
    site = site.replace(f"{live}/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace(f"{live}/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        [tool("nginx") or "", "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr
    assert "[warn]" not in done.stderr, done.stderr


@pytest.mark.skipif(tool("caddy") is None, reason="caddy is not installed (apt-get install caddy)")
def test_caddyfile_passes_caddy_validate(tmp_path: Path) -> None:
    done = subprocess.run(
        [tool("caddy") or "", "validate", "--config", str(DEPLOY / "caddy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True, text=True, timeout=60, check=False,
        env={"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0 and "Valid configuration" in done.stdout + done.stderr, done.stdout + done.stderr


@pytest.mark.skipif(tool("nginx") is None, reason="nginx is not installed (apt-get install nginx-light)")
async def test_nginx_site_routes_pages_api_and_sockets(tmp_path: Path) -> None:
    """The shipped site in front of a real server: pages get index.html, the API and Socket.IO reach Ventanilla."""
    import asyncio
    import os
    import uuid

    import httpx
    import socketio

    from tests.conftest import base_settings
    from tests.support import Clock, free_port, running_server

    make_certificate(tmp_path)
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root>the frontend</div>")
    (dist / "assets" / "app.js").write_text("console.log('the frontend');")
    http_port, https_port = free_port(), free_port()
    tag = uuid.uuid4().hex[:6]
    settings = base_settings(tmp_path / f"srv-{tag}", f"sqlite+aiosqlite:///{tmp_path / f'srv-{tag}.db'}")
    async with running_server(settings, Clock()) as srv:
        site = (DEPLOY / "nginx" / "ventanilla.conf").read_text()
        live = "/etc/letsencrypt/live/reclamos.example.gob.ar"
        for old, new in (
            (f"{live}/fullchain.pem", str(tmp_path / "cert.pem")),
            (f"{live}/privkey.pem", str(tmp_path / "key.pem")),
            ("server 127.0.0.1:5000;", f"server {srv.url.removeprefix('http://')};"),
            ("listen 80;", f"listen 127.0.0.1:{http_port};"),
            ("listen [::]:80;", ""),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
            ("listen [::]:443 ssl http2;", ""),
            ("root /srv/ventanilla-frontend;", f"root {dist};"),
        ):
            assert old in site, old
            site = site.replace(old, new)
        (tmp_path / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (tmp_path / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
            f"events {{}}\nhttp {{\n    access_log off;\n    client_body_temp_path {tmp_path}/body;\n"
            f"    proxy_temp_path {tmp_path}/proxy;\n    include {tmp_path}/site.conf;\n}}\n"
        )
        nginx = await asyncio.create_subprocess_exec(
            tool("nginx") or "", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log"),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        base = f"https://127.0.0.1:{https_port}"
        try:
            async with httpx.AsyncClient(base_url=base, verify=False, timeout=10) as client:
                for _ in range(100):
                    try:
                        await client.get("/healthz")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                html = {"Accept": "text/html,application/xhtml+xml"}
                for page in ("/", "/tickets", "/login", "/iframe"):
                    answer = await client.get(page, headers=html)
                    assert answer.status_code == 200 and "the frontend" in answer.text, page
                assert "the frontend" in (await client.get("/assets/app.js")).text
                listing = await client.get("/tickets", headers={"Accept": "application/json"})
                assert listing.status_code == 401 and "error" in listing.json()
                assert (await client.get("/healthz")).json() == {"status": "ok"}
                assert (await client.get("/api/healthz")).json() == {"status": "ok"}
                docs = await client.get("/docs", headers=html)
                assert "swagger-ui-bundle.js" in docs.text
                # An agent's e-mail link opened in the browser: the backend's page, never the frontend's 404.
                link = await client.get("/panel/tickets/1234567890123", headers=html)
                assert link.status_code == 200 and "the frontend" not in link.text, link.text
                assert 'http-equiv="refresh"' in link.text and "ventanilla_abrir_ticket" in link.headers["set-cookie"]
                moved = await client.get(f"http://127.0.0.1:{http_port}/tickets", follow_redirects=False)
                assert moved.status_code == 301 and moved.headers["location"].startswith("https://")
            for transports in (["websocket"], ["polling"]):
                sio = socketio.AsyncClient(reconnection=False, ssl_verify=False)
                await sio.connect(base, transports=transports, wait_timeout=10)
                assert sio.connected and sio.transport() == transports[0]
                # abort: a polling client's clean disconnect waits for its pending long-poll (up to the ping interval).
                await sio.eio.disconnect(abort=True)
        finally:
            nginx.terminate()
            await nginx.wait()


@pytest.mark.skipif(tool("caddy") is None, reason="caddy is not installed (apt-get install caddy)")
async def test_caddy_site_routes_pages_api_and_panel_links(tmp_path: Path) -> None:
    """The shipped Caddyfile in front of a real server (plain http on loopback): pages get index.html, the API and
    an agent's e-mail link (/panel/tickets/{id}) reach Ventanilla."""
    import asyncio
    import uuid

    import httpx

    from tests.conftest import base_settings
    from tests.support import Clock, free_port, running_server

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><div id=root>the frontend</div>")
    port = free_port()
    tag = uuid.uuid4().hex[:6]
    settings = base_settings(tmp_path / f"srv-{tag}", f"sqlite+aiosqlite:///{tmp_path / f'srv-{tag}.db'}")
    async with running_server(settings, Clock()) as srv:
        site = (DEPLOY / "caddy" / "Caddyfile").read_text()
        for old, new in (
            ("reclamos.example.gob.ar {", f"http://127.0.0.1:{port} {{"),
            ("root * /srv/ventanilla-frontend", f"root * {dist}"),
            ("to 127.0.0.1:5000", f"to {srv.url.removeprefix('http://')}"),
        ):
            assert old in site, old
            site = site.replace(old, new)
        (tmp_path / "Caddyfile").write_text("{\n\tadmin off\n\tauto_https off\n}\n\n" + site)
        env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
        caddy = await asyncio.create_subprocess_exec(
            tool("caddy") or "", "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, env=env,
        )  # fmt: skip
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                for _ in range(100):
                    try:
                        await client.get("/healthz")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                html = {"Accept": "text/html,application/xhtml+xml"}
                for page in ("/", "/tickets", "/login"):
                    answer = await client.get(page, headers=html)
                    assert answer.status_code == 200 and "the frontend" in answer.text, page
                listing = await client.get("/tickets", headers={"Accept": "application/json"})
                assert listing.status_code == 401 and "error" in listing.json()
                link = await client.get("/panel/tickets/1234567890123", headers=html)
                assert link.status_code == 200 and "the frontend" not in link.text, link.text
                assert 'http-equiv="refresh"' in link.text and "ventanilla_abrir_ticket" in link.headers["set-cookie"]
        finally:
            caddy.terminate()
            await caddy.wait()
