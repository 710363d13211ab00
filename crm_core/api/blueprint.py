"""The ``api`` blueprint and what every API request goes through (authentication, CSRF
exemption), on its own so the resource modules attach routes to it without importing the
package that imports them (which would be an import cycle)."""

from __future__ import annotations

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState

from crm_core.api.auth import authenticate
from crm_core.api.tokens import account_bp
from crm_core.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Endpoints anyone may read: the published API description and its reference page.
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs"})


@bp.before_request
def _authenticate() -> None:
    if request.endpoint not in PUBLIC_ENDPOINTS:
        authenticate()


@bp.record_once
def _wire(state: BlueprintSetupState) -> None:
    """Token requests carry no cookie, so the API checks CSRF itself (cookie writes only); the
    token management page for users lives outside ``/api``."""
    csrf.exempt(bp)
    state.app.register_blueprint(account_bp)
