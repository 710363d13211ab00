"""The cases plugin's part of a client's 360 view (CAS-04): the client's cases, newest first,
through the cases session's one ownership filter."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, Section, crm_state, scoped
from plugins.cases import services
from plugins.cases.models import Case

LIMIT = 50


def sections(account: Any, access: Access, db: DbSession) -> list[Section]:
    sdef = services.cases_sdef()
    if not access.can(sdef, "view"):
        return []
    stmt = scoped(sdef, access, all_records=True).where(Case.account_id == account.id).order_by(Case.id.desc())
    types = dict(services.type_choices())
    rows = tuple({"number": c.number, "subject": c.subject, "type": types.get(c.type, c.type),
                  "status": crm_state().registry.status_label(sdef, c.status), "created_at": c.created_at}
                 for c in db.scalars(stmt.limit(LIMIT)))
    columns = (("number", _("Number")), ("subject", _("Subject")), ("type", _("Type")), ("status", _("Status")),
               ("created_at", _("Opened")))
    return [Section("cases", _("Cases"), columns, rows, order=45)]
