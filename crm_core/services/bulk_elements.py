"""Writing many elements at once outside an import (demo data, a plugin's own loader): the rows
go through :mod:`crm_core.services.bulk` (``COPY`` on PostgreSQL, one ``executemany`` on SQLite)
and each gets the "create" audit row the unit of work would have written, in one more batch.

No schema validation and no ``crm_element_created``: the caller writes values it made itself
(already valid) and does what the events would do, e.g. the sales demo records each
opportunity's pipeline entry. Anything typed by a user goes through ``create_element`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.models.audit import AuditEntry
from crm_core.models.types import utcnow
from crm_core.services import audit, bulk


def insert_elements(db: DbSession, model: type, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` of the element ``model`` (values by attribute name, each with at least
    ``owner_id``; ``creator_id`` defaults to the owner, ``created_at``/``updated_at`` to now) and
    return their ids in row order; the audit "create" row of each is by its creator, at its
    ``created_at``. One transaction: the caller's."""
    if not rows:
        return []
    plan = bulk.plan_for(model)
    now = utcnow()
    records = []
    for values in rows:
        stamped = {"creator_id": values["owner_id"], "created_at": now, **values}
        stamped.setdefault("updated_at", stamped["created_at"])
        records.append(plan.complete(stamped))
    ids = bulk.insert_rows(db, plan, records)
    audit_plan = bulk.plan_for(AuditEntry)
    element_type = model.__element_type__
    entries = [
        audit_plan.complete(
            audit.bulk_entry(element_type, pk, row["creator_id"], row["created_at"], audit.created_changes(model, row))
        )
        for pk, row in zip(ids, records, strict=True)
    ]
    bulk.insert_rows(db, audit_plan, entries)
    return ids
