"""Outbox throughput: messages per second delivered to a loopback HTTP receiver, 1 vs 4 workers.

Runs on PostgreSQL (SKIP LOCKED claims) in a scratch database that is dropped afterwards:

    .venv/bin/python bench/outbox_bench.py [--messages 1000] [--rounds 3] [--batch 20]

``CRM_TEST_DATABASE_URL`` (or the test kit's default) names the server. Prints the median of
the rounds for each worker count; skips with a message when PostgreSQL is not reachable.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import delete

from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.outbox import OutboxMessage
from crm_core.outbox import DeliveryPolicy, enqueue, process_batch
from crm_core.testing import make_plugin
from crm_core.testing.database import DEFAULT_PG, create_pg_database, drop_pg_database, pg_available
from crm_core.testing.plugin import base_settings


class Receiver(BaseHTTPRequestHandler):
    """The remote system: accepts every POST with 200."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        return None


def start_receiver() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/receive"


def http_handler(url: str):  # type: ignore[no-untyped-def]
    def deliver(payload: dict[str, Any], key: str) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    return deliver


def one_round(app: Any, messages: int, workers: int, batch: int) -> float:
    with app.app_context(), unit_of_work() as s:
        s.execute(delete(OutboxMessage))
        for n in range(messages):
            enqueue(s, "bench.http", {"n": n, "text": "x" * 200}, f"bench-{uuid.uuid4().hex}")
    policy = DeliveryPolicy(lease_seconds=300)

    def work() -> None:
        with app.app_context():
            busy = True
            while busy:  # until a pass finds nothing to deliver
                busy = process_batch(batch=batch, policy=policy).delivered_or_tried

    threads = [threading.Thread(target=work) for _ in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return messages / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    base = os.environ.get("CRM_TEST_DATABASE_URL", "")
    base = base if base.startswith("postgresql") else DEFAULT_PG
    reason = pg_available(base)
    if reason:
        print(f"skipped: {reason}")
        return 0
    server, url = start_receiver()
    name = f"crm_bench_{uuid.uuid4().hex[:10]}"
    db_url = create_pg_database(base, name)
    try:
        plugin = make_plugin("bench", crm_register_outbox_handlers=lambda: {"bench.http": http_handler(url)})
        app = create_app(base_settings(db_url, CRM_PLUGINS="bench"), extra_plugins={"bench": plugin})
        upgrade(app)
        print(f"{args.messages} messages per round, {args.rounds} rounds, batch {args.batch}, PostgreSQL")
        for workers in (1, 4):
            rates = [one_round(app, args.messages, workers, args.batch) for _ in range(args.rounds)]
            print(
                f"{workers} worker(s): median {statistics.median(rates):.0f} msg/s "
                f"(rounds: {', '.join(f'{r:.0f}' for r in rates)})"
            )
        app.extensions["crm_db"].engine.dispose()
    finally:
        drop_pg_database(base, name)
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
