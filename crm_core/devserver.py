"""``crm run``: Werkzeug's development server without its ``Server: Werkzeug/x Python/y``.

Werkzeug's request handler writes that header itself, before the application's headers, so
the app's own ``Server`` header (set for every response in :mod:`crm_core.security`) would
come second and the versions would still show. This handler leaves the header to the app.
"""

from __future__ import annotations

import click
from flask.cli import ScriptInfo, pass_script_info
from werkzeug.serving import WSGIRequestHandler, run_simple


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler minus the version-revealing ``Server`` header."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


@click.command("run")
@click.option("--host", "-h", default="127.0.0.1", show_default=True)
@click.option("--port", "-p", default=5000, show_default=True, type=int)
@click.option("--reload/--no-reload", default=None, help="restart on code changes (default: in debug mode)")
@pass_script_info
def run_command(info: ScriptInfo, host: str, port: int, reload: bool | None) -> None:
    """Development server."""
    app = info.load_app()
    use_reloader = app.debug if reload is None else reload
    run_simple(host, port, app, use_reloader=use_reloader, threaded=True, request_handler=QuietRequestHandler)
