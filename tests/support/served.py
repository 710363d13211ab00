"""The CRM as production runs it: ``crm serve`` (gunicorn) in a subprocess, on a committed
database, driven over real HTTP.

Flask's test client hides streaming, teardown, cookies and the server itself; these helpers
give the end-to-end tests the real thing. :func:`prepare_database` migrates and seeds a
database the way ``crm init`` would (plus the kit's test users); :func:`served_crm` starts the
server on a free loopback port, waits (bounded) until it answers and always stops it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from crm_core.testing import PASSWORD, TEST_SECRET
from crm_core.testing.plugin import TEST_USERS, base_settings

CRM_COMMAND = str(Path(sys.executable).with_name("crm"))
START_SECONDS = 90.0
STOP_SECONDS = 10.0
CSRF_INPUT = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


def prepare_database(url: str, plugins: tuple[str, ...] | None = None, **settings: object) -> None:
    """Migrate ``url`` for every installed plugin (or only ``plugins``) and add the default
    groups and test users."""
    from sqlalchemy import select

    from crm_core.app import create_app
    from crm_core.bootstrap import ensure_groups
    from crm_core.db import unit_of_work
    from crm_core.migrate import upgrade
    from crm_core.models.auth import User
    from crm_core.security.passwords import hash_password

    app = create_app(base_settings(url, CRM_PLUGINS=plugins, **settings))
    upgrade(app)
    with app.app_context(), unit_of_work() as s:
        groups = ensure_groups(s, app.extensions["crm"].registry)
        pw = hash_password(PASSWORD)
        for username, group, is_admin in TEST_USERS:
            if s.scalar(select(User).where(User.username == username)) is None:
                s.add(User(username=username, full_name=username.title(), email=f"{username}@example.com",
                           password_hash=pw, is_admin=is_admin, group_id=groups[group].id))
    app.extensions["crm_db"].engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServedCrm:
    """A running ``crm serve``: its base URL and the environment every ``crm`` command needs."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def output(self) -> str:
        """What the server printed so far (start-up lines, errors, the access log if on)."""
        return _read(self.log)

    def crm(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another ``crm`` command (``worker --once`` …) on the same settings and database."""
        return subprocess.run([CRM_COMMAND, *args], env=self.env, capture_output=True, text=True,
                              timeout=60, check=False)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=20.0)

    def login(self, username: str, password: str = PASSWORD) -> httpx.Client:
        """A client logged in through the login form; it sends the new session's CSRF token in
        the ``X-CSRFToken`` header, which forms and the JSON API both accept."""
        client = self.client()
        response = client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302, response.text
        client.headers["X-CSRFToken"] = csrf_token(client, "/")
        return client


def csrf_token(client: httpx.Client, path: str) -> str:
    """The CSRF token of the form served at ``path``."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = CSRF_INPUT.search(page.text)
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a production-like CRM (plain HTTP on loopback, so no Secure cookies)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_ENV="production", CRM_SECRET_KEY=TEST_SECRET, CRM_DATABASE_URL=database_url,
               CRM_SECURE_COOKIES="0", **settings)
    return env


@contextmanager
def served_crm(env: Mapping[str, str], cwd: str, *options: str, workers: int = 2, threads: int = 2) -> Iterator[ServedCrm]:
    """``crm serve`` on a free loopback port until the block ends; its output on a failed start.
    ``options`` are added to the command line (a repeated option's last value wins)."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [CRM_COMMAND, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--threads", str(threads), "--access-log", "", "--graceful-timeout", "5", *options],
            env=dict(env), cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
        )
        served = ServedCrm(f"http://127.0.0.1:{port}", dict(env), process, log)
        try:
            _wait_until_up(served)
            yield served
        finally:
            _stop(process)


def _wait_until_up(served: ServedCrm) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"crm serve exited with {served.process.returncode}:\n{served.output()}")
        try:
            if httpx.get(f"{served.url}/login", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"crm serve did not answer within {START_SECONDS:.0f} s:\n{served.output()}")


def _read(log: IO[bytes]) -> str:
    log.flush()
    log.seek(0)
    text = log.read().decode(errors="replace")
    log.seek(0, os.SEEK_END)
    return text


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_SECONDS)
