"""Login throttling: too many failures per account or per address lock further tries for a
while (CORE-01). Failures are rows in the database so every worker process agrees."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.models.auth import LoginAttempt
from crm_core.models.types import utcnow


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["CRM_LOGIN_WINDOW_SECONDS"])


def is_throttled(db: DbSession, username: str, address: str) -> bool:
    since = utcnow() - _window()
    limit = current_app.config["CRM_LOGIN_MAX_FAILURES"]
    for column, value in ((LoginAttempt.username, username.lower()), (LoginAttempt.address, address)):
        count = db.scalar(select(func.count()).where(column == value, LoginAttempt.at >= since))
        if count >= limit:
            return True
    return False


def record_failure(db: DbSession, username: str, address: str) -> None:
    db.add(LoginAttempt(username=username.lower()[:80], address=address[:64]))
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - 4 * _window()))


def clear_failures(db: DbSession, username: str) -> None:
    # Only the account's own failures: succeeding on one account must not reset the
    # address counter an attacker is spraying from.
    db.execute(delete(LoginAttempt).where(LoginAttempt.username == username.lower()))
