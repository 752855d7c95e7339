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
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (it makes the test certificate)")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=reclamos.test",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
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
