"""Plugin routes under the REST API: ``api_blueprint`` (toolkit) gives a plugin a blueprint at
``/api/v1/<name>`` that authenticates, exempts bearer calls from CSRF and answers errors in the
API's JSON format exactly as the generated endpoints do (CORE-16)."""

from __future__ import annotations

from flask import Blueprint

from crm_core.api.auth import authenticate
from crm_core.api.errors import register_handlers
from crm_core.security import csrf


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint for a plugin's own API routes, mounted at ``/api/v1/<name>``; return it from
    ``crm_register_blueprints``. Its views read ``current_access()`` like any page: the caller is
    the bearer token's user or the logged-in browser user (writes then need ``X-CSRFToken``)."""
    bp = Blueprint(f"api_{name}", import_name, url_prefix=f"/api/v1/{name}")
    bp.before_request(authenticate)
    register_handlers(bp)
    csrf.exempt(bp)
    return bp
