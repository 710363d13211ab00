"""Column types shared by core and plugins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone on every backend and always returns an aware UTC datetime.

    SQLite has no time zones; keeping naive UTC in the database and converting at the edge
    means comparisons and indexes behave the same on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    @property
    def python_type(self) -> type:
        """``datetime``, so typed listing criteria convert values typed for these columns."""
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; CRM datetimes must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
