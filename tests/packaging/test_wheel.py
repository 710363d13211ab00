"""The distribution as a user installs it: a wheel, a fresh virtualenv, no source tree.

An editable clone finds templates, static files, catalogs and migrations beside the code; a
wheel holds only what ``setup.cfg`` declares. This test builds the wheel, installs it in a new
virtualenv (dependencies from the package index, as ``pip install`` does for a user), runs
``crm init`` and ``crm demo`` against the test back end from an empty folder, serves it and
reads a page, a static file and a Spanish page through real HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crm_core.testing.database import scratch_database

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # A clean copy of the tracked files, so nothing untracked (instance/, caches) can leak in.
    src = tmp_path_factory.mktemp("src")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / rel).read_bytes())
    # The front-end libraries are build output of scripts/assets (npm ci), which the test
    # command runs first: the build step the README documents before `python -m build`.
    vendor = ROOT / "crm_core" / "static" / "vendor"
    assert (vendor / "versions.json").is_file(), "run scripts/assets before building the wheel"
    shutil.copytree(vendor, src / "crm_core" / "static" / "vendor")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("crm_framework-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with only the wheel and its declared dependencies."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    proc = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return env_dir / "bin"


def test_wheel_holds_templates_static_files_catalogs_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ["crm_core", "plugins/sales", "plugins/activities", "plugins/erp_gl7", "plugins/messaging"]:
        tracked = subprocess.run(
            ["git", "ls-files", package], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.split()
        data = [f for f in tracked if not f.endswith(".py") and "/tests/" not in f]
        missing = [f for f in data if f not in names]
        assert not missing, f"files of {package} missing from the wheel: {missing[:10]}"
    assert "crm_core/translations/es/LC_MESSAGES/messages.mo" in names
    versions = json.loads((ROOT / "crm_core" / "static" / "vendor" / "versions.json").read_text())
    assert "crm_core/static/vendor/versions.json" in names
    for library in ("fullcalendar", "echarts", "sortablejs", "swagger-ui-dist"):
        assert library in versions
        assert any(n.startswith(f"crm_core/static/vendor/{library}/") for n in names), f"{library} not in the wheel"
    assert any(n.startswith("plugins/sales/migrations/versions/") for n in names)


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[str]:
    with scratch_database(str(tmp_path)) as url:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "PYTHON", "VIRTUAL_ENV"))
        }
        env.update(CRM_ENV="development", CRM_DATABASE_URL=url, CRM_SECRET_KEY="x" * 40)
        for cmd in ("init", "demo"):
            proc = subprocess.run(
                [str(installed / "crm"), cmd], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
            )
            assert proc.returncode == 0, f"crm {cmd} failed: {proc.stderr[-3000:]}"
        port = _free_port()
        server = subprocess.Popen(
            [str(installed / "crm"), "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=2)
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        server.kill()
                        pytest.fail(f"the installed server did not start: {server.communicate()[1][-3000:]}")
                    time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_installed_wheel_migrates_loads_demo_data_and_serves(served: str) -> None:
    page = httpx.get(f"{served}/login", timeout=10)
    assert page.status_code == 200 and "<form" in page.text
    spanish = httpx.get(f"{served}/login", headers={"Accept-Language": "es"}, timeout=10)
    assert "Contraseña" in spanish.text, "the compiled Spanish catalog is not in the wheel"
    with httpx.Client(base_url=served, timeout=10) as http:
        login = http.get("/login")
        token = login.text.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        done = http.post("/login", data={"username": "leader", "password": "demo1234", "csrf_token": token})
        assert done.status_code in (302, 303), done.text[:500]
        leads = http.get("/s/leads")
        assert leads.status_code == 200
        assert "<tbody" in leads.text and "<tr" in leads.text.split("<tbody", 1)[1]
        css = [part.split('"', 1)[0] for part in leads.text.split('href="')[1:] if ".css" in part.split('"', 1)[0]]
        assert css, "no stylesheet linked"
        for href in css:
            assert http.get(href).status_code == 200, f"stylesheet {href} not served from the wheel"
