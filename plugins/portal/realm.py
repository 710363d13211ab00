"""The portal's own sign-in realm: a cookie of its own, never the staff session.

The staff login lives in Flask's session cookie (flask-login). The portal never reads or writes
that identity: a portal sign-in is a separate signed cookie, ``crm_portal``, scoped to the path
``/portal`` — so the browser does not even send it to a staff page — and holding
``(portal user id, session generation, stage)``. The generation is the user's current one or
the cookie opens nothing: logout and a password set or reset raise it, ending every portal
session of that user on the server. ``stage`` is ``"code"`` between the password and the
one-time code when the user has the second factor, ``"in"`` after.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from crm_core.toolkit import crm_state, session
from plugins.portal.models import PortalUser

COOKIE = "crm_portal"
COOKIE_PATH = "/portal"
SALT = "crm.portal.session"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def max_age() -> int:
    return int(crm_state().setting("portal", "session_hours", 12)) * 3600


def _read() -> tuple[PortalUser, str] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        user_id, generation, stage = _serializer().loads(raw, max_age=max_age())
    except (BadSignature, ValueError, TypeError):
        return None
    user = session().get(PortalUser, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or user.session_generation != generation or not user.password_hash:
        return None
    return user, str(stage)


def signed_in(stage: str = "in") -> PortalUser | None:
    """The portal user of this request at ``stage``, once per request."""
    if "portal_identity" not in g:
        g.portal_identity = _read()
    found = g.portal_identity
    return found[0] if found and found[1] == stage else None


def set_cookie(response: Response, user: PortalUser, stage: str) -> Response:
    value = _serializer().dumps([user.id, user.session_generation, stage])
    response.set_cookie(
        COOKIE, value, max_age=max_age(), path=COOKIE_PATH, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def clear_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def end_sessions(user: PortalUser) -> None:
    """Every portal cookie issued to ``user`` so far opens nothing (caller's transaction)."""
    user.session_generation = (user.session_generation or 0) + 1


def customer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A portal page: a signed-in customer, else the portal's own login (never the staff one)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = signed_in()
        if user is None:
            return redirect(url_for("portal.login", next=request.path))
        g.portal_user = user
        return view(*args, **kwargs)

    return wrapped
