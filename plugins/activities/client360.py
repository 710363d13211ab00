"""The activities plugin's part of a client's 360 view (CAS-04): tasks still planned, and the
history of contact points — meetings, calls, letters … done or planned — on the client, its
contacts and opportunities, through the activities session's one ownership filter."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, Section, crm_state, scoped
from plugins.activities import services
from plugins.activities.models import Activity

LIMIT = 50


def sections(related: dict[str, list[int]], access: Access, db: DbSession) -> list[Section]:
    sdef = crm_state().registry.sdef(services.SESSION)
    links = [and_(Activity.session_name == name, Activity.element_id.in_(ids)) for name, ids in related.items() if ids]
    if not links or not access.can(sdef, "view"):
        return []
    stmt = scoped(sdef, access, all_records=True).where(or_(*links)).order_by(Activity.starts_at.desc())
    items = list(db.scalars(stmt.limit(LIMIT * 2)))
    columns = (("starts_at", _("When")), ("type", _("Type")), ("subject", _("Subject")), ("status", _("Status")))

    def row(a: Any) -> dict[str, Any]:
        return {"starts_at": a.starts_at, "type": a.type, "subject": a.subject,
                "status": crm_state().registry.status_label(sdef, a.status)}

    tasks = tuple(row(a) for a in items if a.type == "task" and a.status == "planned")[:LIMIT]
    return [
        Section("tasks", _("Open tasks"), columns, tasks, order=40),
        Section("history", _("Contact history"), columns, tuple(row(a) for a in items[:LIMIT]), order=60),
    ]
