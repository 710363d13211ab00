"""The API's one JSON error format: ``{"error": {"status", "code", "message", "fields"}}``."""

from __future__ import annotations

from typing import Any

from flask import jsonify


def json_error(status: int, code: str, message: str, fields: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify({"error": body}), status
