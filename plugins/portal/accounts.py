"""Portal accounts: invitation, password set and reset, sign-in with throttling, and the
optional one-time code (EXT-13). Rules only; the pages are in :mod:`plugins.portal.views_auth`.

Links and codes are single-use secrets stored as SHA-256 digests with an expiry; issuing a new
one of a purpose retires the older ones. Mail goes through the outbox on the messaging plugin's
e-mail topic, in the caller's transaction: a refused invitation queues nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from flask import render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import BusinessRuleError, crm_state, enqueue, logins, utcnow
from plugins.portal.models import PortalToken, PortalUser
from plugins.portal.realm import end_sessions

#: The messaging plugin's e-mail topic (named, not imported: plugins do not import each other).
EMAIL_TOPIC = "messaging.email"
LANGUAGES = ("en", "es")
MAX_CODE_FAILURES = 5
#: Throttling names of the portal realm: apart from staff user names in the core's table.
THROTTLE_PREFIX = "portal:"
_DUMMY_HASH = logins.hash_password("not-a-real-password")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _setting(key: str, default: Any) -> Any:
    return crm_state().setting("portal", key, default)


def base_url() -> str:
    url = _setting("base_url", "") or crm_state().setting("messaging", "base_url", "") or ""
    return str(url).rstrip("/")


def by_email(db: DbSession, email: str) -> PortalUser | None:
    return db.scalar(select(PortalUser).where(PortalUser.email == email.strip().lower()))


def issue(db: DbSession, user: PortalUser, purpose: str, lifetime: timedelta, secret: str | None = None,
          salt: str = "") -> str:
    """A new secret of ``purpose`` for ``user``; the older unused ones stop working."""
    now = utcnow()
    db.execute(
        update(PortalToken)
        .where(PortalToken.portal_user_id == user.id, PortalToken.purpose == purpose, PortalToken.used_at.is_(None))
        .values(used_at=now)
    )
    secret = secret or secrets.token_urlsafe(32)
    db.add(PortalToken(portal_user_id=user.id, purpose=purpose, digest=digest(secret), salt=salt,
                       expires_at=now + lifetime))
    db.flush()
    return secret


def live_token(db: DbSession, secret: str, purposes: tuple[str, ...]) -> PortalToken | None:
    """The unused, unexpired token of one of ``purposes`` that ``secret`` opens, else None."""
    if not secret or len(secret) > 200:
        return None
    token = db.scalar(select(PortalToken).where(PortalToken.digest == digest(secret)))
    if token is None or token.purpose not in purposes or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def _mail(db: DbSession, user: PortalUser, template: str, key: str, **context: Any) -> None:
    language = user.language if user.language in LANGUAGES else "en"
    with force_locale(language):
        subject = render_template(f"portal/email/{language}/{template}.subject.txt", user=user, **context)
        body = render_template(f"portal/email/{language}/{template}.body.txt", user=user, **context)
    payload = {"to": user.email, "subject": " ".join(subject.split())[:255], "body": body.strip() + "\n",
               "language": language}
    enqueue(db, EMAIL_TOPIC, payload, key)


def invite(db: DbSession, contact: Any, inviter_id: int, language: str | None = None) -> PortalUser:
    """Give ``contact`` a portal login (or renew the link of one not yet used) and e-mail a
    single-use link to set the password, in ``language`` (default: the inviter's). The caller
    checked the inviter may modify the contact."""
    email = (contact.email or "").strip().lower()
    if not email:
        raise BusinessRuleError(_("The contact has no e-mail address to send the invitation to."))
    user = db.scalar(select(PortalUser).where(PortalUser.contact_id == contact.id))
    other = by_email(db, email)
    if other is not None and (user is None or other.id != user.id):
        raise BusinessRuleError(_("Another contact already uses %(email)s on the portal.", email=email))
    if user is None:
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        user = PortalUser(contact_id=contact.id, account_id=contact.account_id, email=email, full_name=name[:200],
                          invited_by_id=inviter_id)
        db.add(user)
        db.flush()
    elif user.password_hash:
        raise BusinessRuleError(_("%(email)s already uses the portal; they can reset their password there.",
                                  email=email))
    user.email, user.account_id, user.active = email, contact.account_id, True
    chosen = language or str(get_locale() or "en")[:2]
    user.language = chosen if chosen in LANGUAGES else "en"
    hours = int(_setting("invite_hours", 72))
    secret = issue(db, user, "invite", timedelta(hours=hours))
    link = f"{base_url()}/portal/welcome/{secret}"
    _mail(db, user, "invitation", f"portal.invite:{digest(secret)}", link=link, hours=hours)
    return user


def set_password(db: DbSession, secret: str, password: str) -> PortalUser:
    """Use an invitation or reset link: check the password like a staff one, store its argon2
    hash, spend the link and end the user's other portal sessions."""
    token = live_token(db, secret, ("invite", "reset"))
    if token is None:
        raise BusinessRuleError(_("This link is not valid any more. Ask for a new one."))
    user = db.get(PortalUser, token.portal_user_id)
    if user is None or not user.active:
        raise BusinessRuleError(_("This link is not valid any more. Ask for a new one."))
    problem = logins.password_problem(password, user_inputs=(user.email, user.full_name))
    if problem:
        raise BusinessRuleError(problem, field="password")
    user.password_hash = logins.hash_password(password)
    token.used_at = utcnow()
    end_sessions(user)
    logins.clear_failures(db, THROTTLE_PREFIX + user.email)
    return user


def request_reset(db: DbSession, email: str) -> None:
    """Mail a reset link when ``email`` is an active portal user who has set a password. Says
    nothing either way, so the form does not reveal who uses the portal."""
    user = by_email(db, email)
    if user is None or not user.active or not user.password_hash:
        return
    minutes = int(_setting("reset_minutes", 60))
    secret = issue(db, user, "reset", timedelta(minutes=minutes))
    _mail(db, user, "reset", f"portal.reset:{digest(secret)}", link=f"{base_url()}/portal/reset/{secret}",
          minutes=minutes)


def throttled(db: DbSession, email: str, address: str) -> bool:
    return logins.is_throttled(db, THROTTLE_PREFIX + email.strip().lower(), address)


def authenticate(db: DbSession, email: str, password: str, address: str) -> PortalUser | None:
    """The user whose e-mail and password these are (a failure is counted), else None. The
    same work is done for an unknown address, so timing does not reveal who has a login."""
    user = by_email(db, email)
    ok = logins.verify_password(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    name = THROTTLE_PREFIX + email.strip().lower()
    if user is None or not ok or not user.active or not user.password_hash:
        logins.record_failure(db, name, address)
        return None
    logins.clear_failures(db, name)
    if logins.needs_rehash(user.password_hash):
        user.password_hash = logins.hash_password(password)
    user.last_login_at = utcnow()
    return user


def send_code(db: DbSession, user: PortalUser) -> None:
    """Mail a fresh six-digit sign-in code (the second factor); older codes stop working."""
    minutes = int(_setting("code_minutes", 10))
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    secret = f"{user.id}:{salt}:{code}"
    issue(db, user, "code", timedelta(minutes=minutes), secret=secret, salt=salt)
    _mail(db, user, "code", f"portal.code:{digest(secret)}", code=code, minutes=minutes)


def check_code(db: DbSession, user: PortalUser, code: str) -> bool:
    """Whether ``code`` is the user's live sign-in code; spends it on success, and kills it
    after :data:`MAX_CODE_FAILURES` wrong tries."""
    token = db.scalar(
        select(PortalToken).where(PortalToken.portal_user_id == user.id, PortalToken.purpose == "code",
                                  PortalToken.used_at.is_(None), PortalToken.expires_at > utcnow())
        .order_by(PortalToken.id.desc()).limit(1)
    )
    if token is None:
        return False
    code = "".join((code or "").split())[:12]
    if hmac.compare_digest(digest(f"{user.id}:{token.salt}:{code}"), token.digest):
        token.used_at = utcnow()
        return True
    token.failures += 1
    if token.failures >= MAX_CODE_FAILURES:
        token.used_at = utcnow()
    return False


def notify_answer(db: DbSession, user: PortalUser, case: Any, entry: Any) -> None:
    """Tell the customer an agent answered their request (the text stays on the portal)."""
    link = f"{base_url()}/portal/requests/{case.number}"
    _mail(db, user, "answer", f"portal.answer:{entry.id}:{user.id}", case=case, link=link)
