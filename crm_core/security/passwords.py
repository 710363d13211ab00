"""Password hashing with argon2 (CORE-01)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """A user-facing reason the password is too weak, or None."""
    from flask_babel import gettext as _

    if len(password) < MIN_LENGTH:
        return _("The password needs at least %(n)d characters.", n=MIN_LENGTH)
    return None
