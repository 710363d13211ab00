"""The telephony plugin's part of a client's 360 view (CAS-04): the calls linked to the client,
its contacts and opportunities, through the calls session's one ownership filter."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, or_
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, Section, crm_state, scoped
from plugins.telephony import services
from plugins.telephony.models import Call

LIMIT = 50


def sections(related: dict[str, list[int]], access: Access, db: DbSession) -> list[Section]:
    sdef = crm_state().registry.sdef(services.SESSION)
    links = [and_(Call.session_name == name, Call.element_id.in_(ids)) for name, ids in related.items() if ids]
    if not links or not access.can(sdef, "view"):
        return []
    stmt = scoped(sdef, access, all_records=True).where(or_(*links)).order_by(Call.started_at.desc()).limit(LIMIT)
    rows = tuple({"started_at": c.started_at, "direction": c.direction, "number": c.number,
                  "result": crm_state().registry.status_label(sdef, c.result), "talk_seconds": c.talk_seconds}
                 for c in db.scalars(stmt))
    columns = (("started_at", _("When")), ("direction", _("Direction")), ("number", _("Number")),
               ("result", _("Result")), ("talk_seconds", _("Talk (s)")))
    return [Section("calls", _("Calls"), columns, rows, order=55)]
