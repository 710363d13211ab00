"""Toolkit namespace ``logins``: the staff login's password hashing (argon2), strength policy
and failure throttling, for a plugin with a login realm of its own (the customer portal), so
both realms hash, judge and throttle passwords the same way (CORE-01, NF-03).

``is_throttled``/``record_failure``/``clear_failures`` count failures per account name and per
address in the core's one table; a realm keeps its names apart with a prefix of its own
(``"portal:ana@example.com"``). ``client_address()`` is the address the staff login counts.
"""

from __future__ import annotations

from crm_core.security.passwords import hash_password, needs_rehash, password_problem, verify_password
from crm_core.security.throttle import clear_failures, is_throttled, record_failure
from crm_core.security.views import client_address

__all__ = [
    "clear_failures",
    "client_address",
    "hash_password",
    "is_throttled",
    "needs_rehash",
    "password_problem",
    "record_failure",
    "verify_password",
]
