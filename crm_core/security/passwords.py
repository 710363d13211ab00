"""Password hashing with argon2 and the strength policy (CORE-01, NF-03)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
MIN_LENGTH = 8
ZXCVBN_MAX_LENGTH = 72


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """A user-facing reason the password is too weak, or None.

    Length alone lets ``12345678``, ``password`` or the user's own name through, so the
    password is also scored by zxcvbn (dictionaries of common passwords, names and words,
    keyboard patterns, dates, and ``user_inputs`` — the user name, full name and email) and
    refused below ``CRM_PASSWORD_MIN_SCORE`` (0 = anything, 4 = very hard to guess).
    """
    from flask import current_app
    from flask_babel import gettext as _

    if len(password) < MIN_LENGTH:
        return _("The password needs at least %(n)d characters.", n=MIN_LENGTH)
    # zxcvbn refuses inputs over 72 characters: score the first 72, which is plenty.
    inputs = [part for value in user_inputs if value for part in _words(value)]
    score = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs)["score"]
    if score < current_app.config["CRM_PASSWORD_MIN_SCORE"]:
        return _(
            "This password is too easy to guess (a common password, a word, a pattern or your "
            "own name). Choose a longer one, for example a few unrelated words."
        )
    return None


def _words(value: str) -> list[str]:
    """``value`` and its parts: "ana.lopez@example.com" also gives "ana", "lopez", "example"."""
    parts = [p for p in re.split(r"[\s.@_+-]+", value.lower()) if len(p) >= 3]
    return [value.lower(), *parts]
