"""A loopback double of Banco BP's Core system: a real HTTP server on 127.0.0.1 that can
answer, refuse, hang and fail (``mode``), executes a write once per ``Idempotency-Key`` (a
repeat gets the first answer) and counts what it executed."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class CoreDouble:
    def __init__(self) -> None:
        self.mode = "answer"  # answer | refuse | hang | fail | garble | flaky (one 503, then answer)
        #: Paths (ending) that hang whatever the mode: one slow source among several.
        self.hang_paths: tuple[str, ...] = ()
        self.delay = 0.0
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self.executed: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, str]] = []
        self.release = threading.Event()
        self.clients: dict[str, dict[str, Any]] = {}
        self._flaky_done = False
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                """The double's requests stay out of the test output."""

            def _send(self, status: int, body: Any, raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _serve(self) -> None:
                key = self.headers.get("Idempotency-Key", "")
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                double.requests.append((self.command, self.path, key))
                if double.mode == "hang" or (double.hang_paths and self.path.endswith(double.hang_paths)):
                    double.release.wait(30)
                    return
                if double.mode == "fail":
                    return self._send(500, {"error": "internal error"})
                if double.mode == "garble":
                    return self._send(200, None, raw=b"<html>oops")
                with double._lock:
                    if double.mode == "flaky" and not double._flaky_done:
                        double._flaky_done = True
                        return self._send(503, {"error": "busy"})
                    if key and key in double.answers:
                        return self._send(*double.answers[key])
                    status, answer = double.answer(self.command, self.path, body)
                    if key and self.command != "GET":
                        double.answers[key] = (status, answer)
                    if status < 300 and self.command != "GET":
                        double.executed.append({"path": self.path, "key": key, **body})
                if double.delay:  # executed, but the answer comes late (lost to a timeout)
                    double.release.wait(double.delay)
                with contextlib.suppress(OSError):  # the caller may have given up waiting
                    self._send(status, answer)

            do_GET = do_POST = do_PATCH = _serve

        return Handler

    def answer(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.mode == "refuse":
            return 409, {"error": "Insufficient funds"}
        parts = path.strip("/").split("/")
        if parts == ["clients"] and method == "POST":  # the marketing system's feed
            return 200, {"received": len(body.get("clients", []))}
        if parts[0] == "clients" and method == "PATCH":
            client = self.clients.setdefault(parts[1], {"version": 0})
            client.update(body)
            client["version"] += 1
            return 200, {"client": parts[1], **client}
        if parts[0] == "clients" and parts[-1] == "products":
            return 200, {"products": [
                {"product": "Savings account", "number": "1002003001", "balance": "2450.10", "opened": "2019-03-01"},
                {"product": "Credit card", "number": "4111 **** **** 1111", "balance": "-320.00", "opened": "2021-07-15"}]}
        if parts[0] == "clients" and parts[-1] == "movements":
            return 200, {"movements": [
                {"date": "2026-11-28", "concept": "Nómina / payroll", "amount": "1200.00", "product": "1002003001"},
                {"date": "2026-11-29", "concept": "Supermercado", "amount": "-54.20", "product": "4111 **** **** 1111"}]}
        if parts[0] == "clients":
            return 200, {"client": parts[1], "name": "Carlos Mendoza", "segment": "Preferente"}
        if parts == ["transactions"] and method == "POST":
            return 200, {"reference": f"TX{len(self.executed) + 1:06d}", "status": "executed"}
        if parts[0] == "transactions" and parts[-1] == "reversal":
            known = {e.get("reference") for e in self.executed}
            if not any(e["path"] == "/transactions" for e in self.executed) and parts[1] not in known:
                return 404, {"error": f"Unknown transaction {parts[1]}"}
            return 200, {"reference": f"RV{len(self.executed) + 1:06d}", "reversed": parts[1]}
        return 404, {"error": "not found"}

    def money_executions(self) -> int:
        return sum(1 for e in self.executed if e["path"].startswith("/transactions"))


@contextmanager
def running() -> Iterator[CoreDouble]:
    double = CoreDouble()
    thread = threading.Thread(target=double.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        double.release.set()
        double.server.shutdown()
        double.server.server_close()
        thread.join()
