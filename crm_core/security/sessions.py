"""Server-side revocation of browser sessions (CORE-01, NF-03).

A signed Flask session cookie stays valid until it expires, whoever holds a copy. To end it on
the server each user has a *session generation*: the login stores ``"<user id>:<generation>"``
in the cookie (flask-login's ``get_id()``) and the user loader accepts a cookie only while its
generation is the user's current one. Logout, a password change or reset, a deactivation and
the administrator's "sign out everywhere" button raise the generation, so every cookie issued
before stops opening anything — on every path, screens and the cookie-authenticated API alike.
This costs no table and no write per request (the user row is read on every request anyway);
the price is that ending one session ends all of that user's sessions.
"""

from __future__ import annotations

from crm_core.models.auth import User


def parse_session_id(value: str) -> tuple[int, int] | None:
    """``(user id, generation)`` from a cookie's id (``User.get_id()``); None if malformed."""
    user_id, sep, generation = value.partition(":")
    if not sep:
        return None
    try:
        return int(user_id), int(generation)
    except ValueError:
        return None


def is_current(user: User | None, generation: int) -> bool:
    """Whether a cookie of this generation still opens ``user``'s session."""
    return user is not None and bool(user.active) and (user.session_generation or 0) == generation


def end_sessions(user: User) -> None:
    """Invalidate every session cookie issued to ``user`` so far (in the caller's transaction)."""
    user.session_generation = (user.session_generation or 0) + 1
