"""Who is calling the API: a personal bearer token or the browser session (CORE-16, NF-03).

Tokens are stored as SHA-256 digests only; the secret is shown once when it is created. A
cookie-authenticated request that writes must carry the CSRF token in ``X-CSRFToken``, as a
form would; bearer requests cannot be forged cross-site, so they are exempt.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload
from wtforms.validators import ValidationError as CsrfInvalid

from crm_core.db import session, unit_of_work
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.models.auth import ApiToken, User
from crm_core.models.types import utcnow

TOKEN_PREFIX = "crm_"
#: ``last_used_at`` is refreshed at most this often, so reads do not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthenticated(Exception):
    """No valid credentials (HTTP 401)."""


class CsrfRequired(Exception):
    """A cookie-authenticated write without a valid ``X-CSRFToken`` header (HTTP 400)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(db: DbSession, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret, which is not stored."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise BusinessRuleError(_("Give the token a name of 1 to 80 characters."), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:12], token_hash=digest(secret))
    db.add(token)
    db.flush()
    return token, secret


def revoke_token(db: DbSession, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens (others' tokens read as not found)."""
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def user_tokens(db: DbSession, user: User) -> list[ApiToken]:
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def _bearer_user(header: str) -> User:
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated(_("Use “Authorization: Bearer <token>”."))
    db = session()
    token = db.scalar(  # the user (and its group) in the same query: one statement per request
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == digest(secret.strip()))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        raise Unauthenticated(_("The API token is unknown, revoked or its user is inactive."))
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        with unit_of_work():
            token.last_used_at = now
    return token.user


def authenticate() -> None:
    """Set ``g.api_user`` from the bearer token, or accept the logged-in session (with CSRF).

    Raises :class:`Unauthenticated` or :class:`CsrfRequired`; the blueprint turns them into JSON.
    """
    header = request.headers.get("Authorization", "")
    if header:
        g.api_user = _bearer_user(header)
        return
    if not current_user.is_authenticated:
        raise Unauthenticated(_("Log in or send an API token."))
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except CsrfInvalid as exc:
            raise CsrfRequired(_("Send the page's CSRF token in the X-CSRFToken header.")) from exc
