"""A GL7 stand-in on a real loopback HTTP server: records requests, honours Idempotency-Key,
and can be told to answer 500 or to hang (so the client times out after GL7 did the work)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Gl7Double:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.entities: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self.mode = "ok"  # ok | error | slow
        self.slow_seconds = 1.0
        self.lock = threading.Lock()
        self.url = ""

    def handle(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append({"path": path, "headers": headers, "body": body})
            if self.mode == "error":
                return 500, {"error": "GL7 is down for maintenance"}
            key = headers.get("idempotency-key", "")
            if key and key in self.answers:
                return self.answers[key]
            answer = self._apply(path, body)
            if key:
                self.answers[key] = answer
        if self.mode == "slow":  # the work is done, but the answer comes too late
            time.sleep(self.slow_seconds)
        return answer

    def _apply(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == "/api/entities":
            code = f"P-{len(self.entities) + 1:05d}"
            self.entities[body["crm_uid"]] = {**body, "code": code, "status": "potential"}
            return 201, {"code": code}
        if path.startswith("/api/entities/") and path.endswith("/promote"):
            uid = path.split("/")[3]
            if uid not in self.entities:
                return 404, {"error": "unknown entity"}
            entity = self.entities[uid]
            entity.update(status="customer", code=body["definitive_code"])
            return 200, {"code": entity["code"]}
        if path == "/api/contacts":
            code = f"K-{len(self.contacts) + 1:05d}"
            self.contacts[body["crm_uid"]] = {**body, "code": code}
            return 201, {"code": code}
        return 404, {"error": "no such path"}


def _handler_for(double: Gl7Double) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = double.handle(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (timeout test)

        def log_message(self, *args: Any) -> None:
            return None

    return Handler


@contextmanager
def running_gl7() -> Iterator[Gl7Double]:
    double = Gl7Double()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(double))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
