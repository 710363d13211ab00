"""Reading the audit trail in tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_core.models.audit import AuditEntry


def audit_rows(db: Any, element: Any) -> list[tuple[str, dict]]:
    """``(action, changes)`` of every audit row of ``element``, oldest first."""
    rows = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.element_type == element.element_type, AuditEntry.element_id == element.id)
        .order_by(AuditEntry.id)
    )
    return [(row.action, row.changes) for row in rows]
