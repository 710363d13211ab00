"""``crm serve``: the production server (gunicorn), configured by options or ``CRM_SERVE_*``.

Flask's ``crm run`` is a development server: one process, no graceful restarts, no access log
worth keeping. gunicorn runs several worker processes (each with its own threads, database pool
and app built by :func:`crm_core.app.create_app` after the fork, so no connection is shared
between processes) and stops them gracefully on SIGTERM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click
from flask.cli import ScriptInfo
from gunicorn.app.base import BaseApplication

#: option name → (setting, gunicorn setting); an option left out falls back to the setting.
SERVE_OPTIONS = {
    "bind": ("CRM_SERVE_BIND", "bind"),
    "workers": ("CRM_SERVE_WORKERS", "workers"),
    "threads": ("CRM_SERVE_THREADS", "threads"),
    "access_log": ("CRM_SERVE_ACCESS_LOG", "accesslog"),
    "graceful_timeout": ("CRM_SERVE_GRACEFUL_TIMEOUT", "graceful_timeout"),
    "timeout": ("CRM_SERVE_TIMEOUT", "timeout"),
}


class CrmServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's application: every worker builds its own app from the same settings."""

    def __init__(self, options: Mapping[str, Any], factory: Callable[[], Any]) -> None:
        self.options = dict(options)
        self.factory = factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def gunicorn_options(settings: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """gunicorn's settings from the command line options, else from the CRM settings."""
    options: dict[str, Any] = {}
    for name, (setting, key) in SERVE_OPTIONS.items():
        value = given.get(name)
        options[key] = settings[setting] if value is None else value
    options["bind"] = [options["bind"]]
    if not options["accesslog"]:
        options["accesslog"] = None  # empty setting: no access log
    options["errorlog"] = "-"
    options["proc_name"] = "crm"
    options["control_socket_disable"] = True  # one fixed socket path would clash between instances
    return options


@click.command("serve")
@click.option("--bind", "-b", help="address:port to listen on  [setting CRM_SERVE_BIND]")
@click.option("--workers", "-w", type=click.IntRange(1, 64), help="worker processes  [CRM_SERVE_WORKERS]")
@click.option("--threads", type=click.IntRange(1, 64), help="threads per worker  [CRM_SERVE_THREADS]")
@click.option("--access-log", help="access log file, '-' for standard output, '' for none  [CRM_SERVE_ACCESS_LOG]")
@click.option("--graceful-timeout", type=click.IntRange(1, 3600),
              help="seconds a stopping worker may finish its requests  [CRM_SERVE_GRACEFUL_TIMEOUT]")
@click.option("--timeout", type=click.IntRange(1, 3600),
              help="seconds before a silent worker is restarted  [CRM_SERVE_TIMEOUT]")
@click.pass_context
def serve(ctx: click.Context, **given: Any) -> None:
    """Production server (gunicorn): worker processes with threads, access log, graceful stop."""
    # Deferred like every app import of the ``crm`` command: ``crm --help``, ``crm plugin new``
    # and ``crm i18n`` start without loading the app, its models and plugins.
    from crm_core.app import create_app

    info = ctx.ensure_object(ScriptInfo)
    # Built once here so a configuration error stops the command before any worker starts.
    app = info.load_app()
    app.extensions["crm_db"].dispose()
    options = gunicorn_options(app.config, given)
    click.echo(f"crm serving on http://{options['bind'][0]} ({options['workers']} worker(s), "
               f"{options['threads']} thread(s) each)")
    CrmServer(options, create_app).run()
