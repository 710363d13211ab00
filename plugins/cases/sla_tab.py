"""The "SLA" tab of a case's detail (CAS-02): when the first answer and the resolution are due,
whether the case is on time or breached, and the escalation steps taken (when, to whom)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_core.toolkit import Group, SessionDef, Tab, User, session
from plugins.cases import services
from plugins.cases.models import Case, CaseEscalation


def _when(value: Any) -> str:
    return format_datetime(value, "short") if value is not None else "—"


def render(_sdef: SessionDef, case: Case) -> str:
    """The detail screen has already checked that the viewer may see ``case``."""
    db = session()
    rows = db.execute(
        select(CaseEscalation.step, CaseEscalation.escalated_at, Group.name, User.full_name, User.username)
        .outerjoin(Group, Group.id == CaseEscalation.group_id)
        .outerjoin(User, User.id == CaseEscalation.user_id)
        .where(CaseEscalation.case_id == case.id)
        .order_by(CaseEscalation.step)
    ).all()
    steps = [(step, _when(at), group or full_name or username) for step, at, group, full_name, username in rows]
    return render_template(
        "cases/sla_tab.html",
        respond_by=_when(case.respond_by),
        due_at=_when(case.due_at),
        state=str(services.SLA_LABELS.get(case.sla_state, "—")),
        breached=case.sla_state == "breached",
        steps=steps,
    )


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    return [Tab("sla", _l("SLA"), render, order=30)] if sdef.model is Case else []
