"""Security: login, password hashing, CSRF, headers and the one permission/ownership check."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from crm_core.db import session
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.security.access import Access, check_element, get_element, load_access, scoped
from crm_core.security.sessions import is_current, parse_session_id

csrf = CSRFProtect()
login_manager = LoginManager()

#: What every response says it is served by: no product version for an attacker to look up.
SERVER_HEADER = "CRM"
CSP = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def setup_security(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please log in to see this page.")

    @app.before_request
    def _per_request_state() -> None:
        # A request normally has its own app context; when one is reused (tests, CLI calls
        # into views) the identity and permissions must still be resolved per request.
        # Flask-WTF caches the session's CSRF token in ``g`` too: a stale copy would outlive
        # a logout.
        for key in ("crm_access", "crm_menu", "_login_user", "api_user", app.config["WTF_CSRF_FIELD_NAME"]):
            g.pop(key, None)

    @app.after_request
    def _headers(response):  # type: ignore[no-untyped-def]
        h = response.headers
        h["Server"] = SERVER_HEADER  # never the server's name and version (NF-03)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.endswith("static"):
            h.setdefault("Cache-Control", "no-store")
        return response


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of a session cookie, unless the cookie was revoked (see ``sessions``)."""
    parsed = parse_session_id(user_id)
    if parsed is None:
        return None
    user = session().get(User, parsed[0])
    return user if is_current(user, parsed[1]) else None


def current_access() -> Access:
    """The current user's permissions, resolved once per request (one query; on the web pages
    with the menu's settings, which every page shows)."""
    if "crm_access" not in g:
        api_user = g.get("api_user")
        user = api_user or current_user._get_current_object()
        g.crm_access = load_access(session(), user, crm_state().row_filters, menu=api_user is None)
    return g.crm_access


__all__ = [
    "Access",
    "check_element",
    "csrf",
    "current_access",
    "get_element",
    "load_access",
    "login_manager",
    "scoped",
    "setup_security",
]
