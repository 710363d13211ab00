"""REST API generated from the session declarations (CORE-16).

``/api/v1/<session>`` serves every session with a model; the OpenAPI document is at
``/api/v1/openapi.json``. Callers authenticate with a personal bearer token or the browser
session (see :mod:`crm_core.api.auth`); errors are JSON (see :mod:`crm_core.api.errors`).
"""

from __future__ import annotations

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Endpoints anyone may read: the published API description.
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


@bp.before_request
def _authenticate() -> None:
    from crm_core.api.auth import authenticate

    if request.endpoint not in PUBLIC_ENDPOINTS:
        authenticate()


@bp.record_once
def _wire(state: BlueprintSetupState) -> None:
    """Token requests carry no cookie, so the API checks CSRF itself (cookie writes only); the
    token management page for users lives outside ``/api``."""
    from crm_core.api.tokens import account_bp
    from crm_core.security import csrf

    csrf.exempt(bp)
    state.app.register_blueprint(account_bp)


from crm_core.api import errors, openapi, resources  # noqa: E402  (routes register on bp)

errors.register(bp)

__all__ = ["bp", "openapi", "resources"]
