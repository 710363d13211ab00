"""A small HTTP/JSON client for GL7 and its settings (``[settings.erp_gl7]`` in customer.toml).

The contract (paths, bodies, answers) is documented in ``docs/erp_gl7.md``. Every request
carries the outbox message's ``Idempotency-Key`` header, so a request repeated after a timeout
or a worker crash does not create a second entity in GL7.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate


class Gl7Settings(Schema):
    """Validated at start-up; an empty ``base_url`` makes deliveries fail visibly (and retry)."""

    base_url = fields.Str(load_default="", validate=validate.Length(max=300))
    username = fields.Str(load_default="")
    password = fields.Str(load_default="")
    api_token = fields.Str(load_default="")
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.05, max=300))


class Gl7Error(Exception):
    """GL7 refused the request, answered garbage, or could not be reached (the outbox retries)."""


@dataclass(frozen=True)
class Gl7Client:
    base_url: str
    timeout_seconds: float = 10.0
    username: str = ""
    password: str = ""
    api_token: str = ""

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Gl7Client:
        if not settings.get("base_url"):
            raise Gl7Error("GL7 is not configured: set base_url in [settings.erp_gl7]")
        return cls(
            base_url=settings["base_url"].rstrip("/"),
            timeout_seconds=settings.get("timeout_seconds", 10.0),
            username=settings.get("username", ""),
            password=settings.get("password", ""),
            api_token=settings.get("api_token", ""),
        )

    def _headers(self, key: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": key}
        if self.api_token:
            headers["Authorization"] = f"Bearer {self.api_token}"
        elif self.username:
            pair = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        return headers

    def post(self, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        """POST JSON; returns GL7's JSON answer or raises :class:`Gl7Error` with the reason."""
        request = urllib.request.Request(
            self.base_url + path, data=json.dumps(body).encode(), headers=self._headers(key), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise Gl7Error(f"GL7 answered HTTP {exc.code} to POST {path}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise Gl7Error(f"GL7 unreachable at {self.base_url}: {exc}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as exc:
            raise Gl7Error(f"GL7 answered non-JSON to POST {path}") from exc
        if not isinstance(answer, dict):
            raise Gl7Error(f"GL7 answered an unexpected body to POST {path}")
        return answer
