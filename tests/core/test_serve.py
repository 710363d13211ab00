"""``crm serve`` (gunicorn) and the WSGI entry: options over settings, the configuration rules
of every command (production needs CRM_SECRET_KEY). Serving itself is exercised end to end
by ``tests/e2e/test_served_*.py``."""

from __future__ import annotations

import importlib
import sys
import time

import httpx
import pytest

from crm_core.config import load_settings
from crm_core.serve import gunicorn_options
from crm_core.testing import TEST_SECRET
from tests.support.served import prepare_database, served_crm, server_env


def test_options_win_over_settings_and_settings_fill_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_SERVE_THREADS", "8")
    settings = load_settings(tmp_path, {"CRM_ENV": "development", "CRM_SERVE_WORKERS": 3})
    options = gunicorn_options(settings, {"bind": "0.0.0.0:9000", "workers": 5, "threads": None,
                                          "access_log": "", "graceful_timeout": None, "timeout": None})
    assert options["bind"] == ["0.0.0.0:9000"] and options["workers"] == 5 and options["threads"] == 8
    assert options["accesslog"] is None  # '' turns the access log off
    assert options["graceful_timeout"] == 30 and options["timeout"] == 60
    assert options["control_socket_disable"] is True
    defaults = gunicorn_options(settings, {})
    assert defaults["bind"] == ["127.0.0.1:8000"] and defaults["workers"] == 3 and defaults["accesslog"] == "-"


def test_serve_refuses_to_start_in_production_without_a_secret_key_and_says_why(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "CRM_ENV": "production", "CRM_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    refused = pytest.raises(RuntimeError, match=r"crm serve exited with 2:\n.*CRM_SECRET_KEY is not set")
    with refused, served_crm(env, cwd=str(tmp_path)):
        pass  # pragma: no cover - never reached


def test_serve_logs_access_and_stops_gracefully_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path}/serve.db"
    prepare_database(url)
    env = server_env(url)
    with served_crm(env, str(tmp_path), "--access-log", "-", workers=1, threads=2) as server:
        assert httpx.get(f"{server.url}/login", headers={"User-Agent": "access-log-probe"}).status_code == 200
        deadline = time.monotonic() + 10  # the line is written just after the answer is sent
        while "access-log-probe" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert '"GET /login HTTP/1.1" 200' in server.output() and "access-log-probe" in server.output()
    assert server.process.returncode == 0  # SIGTERM: workers finished, the master exited cleanly


def test_wsgi_module_builds_the_app_from_the_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/wsgi.db"
    monkeypatch.setenv("CRM_ENV", "production")
    monkeypatch.setenv("CRM_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    monkeypatch.delitem(sys.modules, "crm_core.wsgi", raising=False)
    app = importlib.import_module("crm_core.wsgi").app
    try:
        assert app.config["CRM_DATABASE_URL"] == url and app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        app.extensions["crm_db"].engine.dispose()
        sys.modules.pop("crm_core.wsgi", None)
