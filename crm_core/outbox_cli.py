"""``crm worker``: the outbox delivery loop and periodic jobs, a core command registered
through the core's own ``crm_register_cli`` hook."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--once", is_flag=True, help="one pass (due jobs, one batch per thread), then exit")
@click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000), help="messages per claim")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
              help="delivery threads (use 1 on SQLite)")
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60), help="idle sleep, seconds")
@with_appcontext
def worker(once: bool, batch: int, concurrency: int, poll: float) -> None:
    """Deliver the outbox (retries, back-off) and run the plugins' periodic jobs."""
    import signal
    import threading

    from crm_core.outbox import Worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    runner = Worker(app, batch=batch, concurrency=concurrency, poll_seconds=poll)
    if once:
        report = runner.run_once()
        click.echo(f"sent {report.sent}, failed {report.failed}, dead {report.dead}, jobs run {report.jobs}")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    click.echo(f"worker started ({concurrency} thread(s), batch {batch}); Ctrl+C to stop")
    runner.run_forever(stop)
