"""The API's one JSON error format: ``{"error": {"status", "code", "message", "fields"}}``.

Every failure on an ``/api/`` path answers in this format — validation (400 with ``fields``),
authentication (401, never a redirect to the login page), permissions, missing elements,
conflicts, business rules (422) and HTTP errors raised by Werkzeug — so no HTML page leaks.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from crm_core.api.auth import CsrfRequired, Unauthenticated
from crm_core.db import session
from crm_core.errors import BusinessRuleError, Conflict, NotFound, PermissionDenied
from crm_core.uploads import too_large_answer
from crm_core.validation_messages import translated

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
        }
    },
}


def json_error(status: int, code: str, message: str, fields: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify({"error": body}), status


def validation_fields(exc: ValidationError) -> dict[str, Any]:
    messages = translated(exc.normalized_messages())
    return messages if isinstance(messages, dict) else {"_schema": messages}


def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    body, status = json_error(status, code, exc.description or exc.name or "")
    if status == 405 and exc.response is None:
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            body.headers["Allow"] = ", ".join(allowed)
    return body, status


def _unauthenticated(exc: Unauthenticated):  # type: ignore[no-untyped-def]
    body, status = json_error(401, "unauthenticated", str(exc))
    body.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
    return body, status


def _business(exc: BusinessRuleError):  # type: ignore[no-untyped-def]
    fields = {exc.field: [str(exc)]} if exc.field else None
    return json_error(422, "business_rule", str(exc), fields)


def _out_of_range(_exc: Exception):  # type: ignore[no-untyped-def]
    # A value the schema accepted but the column cannot hold (a huge integer, say). The database
    # transaction is unusable after such an error on PostgreSQL, so it is rolled back here.
    session().rollback()
    return json_error(400, "invalid_value", _("A value is out of the range the database can store."))


def register(bp: Blueprint) -> None:
    """Error handlers for the API blueprint, plus app-level ones for ``/api/`` paths that fail
    before reaching a view (no matching route or method)."""
    register_handlers(bp)

    def for_api_paths(exc: HTTPException) -> Any:
        if request.path.startswith(bp.url_prefix or "/api/"):
            return _http(exc)
        return exc

    bp.app_errorhandler(405)(for_api_paths)
    bp.app_errorhandler(500)(for_api_paths)


def register_handlers(bp: Blueprint) -> None:
    """The JSON answers of one API blueprint's errors (the core's, or a plugin's under
    ``/api/v1``: :func:`crm_core.api.plugin_api.api_blueprint`)."""
    bp.register_error_handler(ValidationError, lambda e: json_error(400, "validation_error", _("Invalid input."),
                                                                   validation_fields(e)))
    bp.register_error_handler(Unauthenticated, _unauthenticated)
    bp.register_error_handler(CsrfRequired, lambda e: json_error(400, "csrf_failed", str(e)))
    bp.register_error_handler(PermissionDenied, lambda e: json_error(403, "forbidden", str(e)))
    bp.register_error_handler(NotFound, lambda e: json_error(404, "not_found", str(e)))
    bp.register_error_handler(Conflict, lambda e: json_error(409, "conflict", str(e)))
    bp.register_error_handler(BusinessRuleError, _business)
    bp.register_error_handler(RequestEntityTooLarge, lambda e: json_error(413, "too_large", too_large_answer()))
    bp.register_error_handler(HTTPException, _http)
    bp.register_error_handler(OverflowError, _out_of_range)
    bp.register_error_handler(DataError, _out_of_range)
    bp.register_error_handler(IntegrityError, lambda e: json_error(
        409, "conflict", _("This clashes with an existing record (a value that must be unique is taken).")))


def etag(response: Response, version: int) -> Response:
    response.headers["ETag"] = f'"{version}"'
    return response
