"""REST endpoints of plugins under ``/api/v1``, with the core API's rules (CORE-16).

A plugin whose records are not a session (an inbox, a report) still offers an API: the
blueprint :func:`api_blueprint` returns authenticates like the generated endpoints (a bearer
token, or the browser session with ``X-CSRFToken`` on writes), answers every error in the API's
JSON format and lists the operations the plugin describes in the OpenAPI document. Permissions
stay the plugin's duty, through the toolkit's ``current_access`` / ``get_element`` / ``scoped``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app
from flask.blueprints import BlueprintSetupState

from crm_core.api.auth import authenticate
from crm_core.api.errors import register_handlers
from crm_core.security import csrf

API_PREFIX = "/api/v1"
#: ``app.extensions`` key of the OpenAPI paths plugins declared, full path → operations.
PATHS_KEY = "crm.api_paths"


def api_blueprint(
    name: str, import_name: str, prefix: str, paths: Mapping[str, Mapping[str, Any]] | None = None
) -> Blueprint:
    """A blueprint served at ``/api/v1/<prefix>`` with the API's authentication and JSON errors.

    ``paths`` describes its operations for the OpenAPI document: path below the prefix
    (``"/mine"``, ``"/{item_id}/take"``) → OpenAPI operations (``{"get": {...}}``); they may
    refer to ``#/components/schemas/Error`` and the ``bearerAuth`` scheme. Return the blueprint
    from ``crm_register_blueprints``.
    """
    base = f"{API_PREFIX}/{prefix.strip('/')}"
    bp = Blueprint(name, import_name, url_prefix=base)
    bp.before_request(authenticate)
    register_handlers(bp)
    described = {base + path: dict(ops) for path, ops in (paths or {}).items()}

    @bp.record_once
    def _wire(state: BlueprintSetupState) -> None:
        csrf.exempt(bp)  # cookie writes are checked by ``authenticate`` (X-CSRFToken)
        state.app.extensions.setdefault(PATHS_KEY, {}).update(described)

    return bp


def declared_paths() -> dict[str, dict[str, Any]]:
    """The plugin operations of the current app, for :func:`crm_core.api.openapi.build_spec`."""
    return dict(current_app.extensions.get(PATHS_KEY, {}))
