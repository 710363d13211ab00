"""A real server for tests: the CRM on a committed scratch database, served on 127.0.0.1.

Flask's test client runs a response body after the view in ways a WSGI server does not (it
can read a streamed body before the request's teardown), so defects of streamed downloads
only show through a real server. Browser tests (``tests/e2e``) and download tests share it;
import the fixtures into a ``conftest.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from flask import Flask
from werkzeug.serving import make_server

from crm_core.devserver import QuietRequestHandler
from crm_core.testing import PASSWORD
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from tests.support.served import CSRF_INPUT, prepare_database


@dataclass(frozen=True)
class LiveServer:
    """The served app (to seed data in ``app.app_context()``) and its base URL."""

    app: Flask
    url: str


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) in a thread while the block runs; yields the base
    URL, then stops the server and closes the app's database connections."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        app.extensions["crm_db"].engine.dispose()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The CRM with every plugin on a committed scratch database, served on 127.0.0.1."""
    from crm_core.app import create_app

    with scratch_database(str(tmp_path_factory.mktemp("live"))) as url:
        prepare_database(url)
        app = create_app(base_settings(url, CRM_PLUGINS=None, WTF_CSRF_ENABLED=True, CRM_IMPORT_INLINE=False, CRM_BULK_INLINE=False))
        with serving(app) as base:
            yield LiveServer(app, base)


@pytest.fixture(scope="module")
def live_server(live_app: LiveServer) -> str:
    """The base URL of :func:`live_app`."""
    return live_app.url


def http_login(client: httpx.Client, username: str, password: str = PASSWORD) -> None:
    """Log an ``httpx.Client`` (with ``base_url``) in through the login form, CSRF token included."""
    page = client.get("/login")
    token = CSRF_INPUT.search(page.text)
    assert token, "the login form has no CSRF token"
    response = client.post(
        "/login", data={"csrf_token": token.group(1), "username": username, "password": password}
    )
    assert response.status_code == 302, response.text
