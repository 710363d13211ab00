"""Groupings: named sets of elements of one session (CORE-13).

A grouping is itself an element (owner, audit, ownership filter). Its members are the elements
of ``grouping.session_name``; reading them goes through the same ownership filter as any list, so a
member the reader may not see is counted as *skipped*, never shown. The activities plugin calls
:func:`members` to generate one activity per member (ACT-03).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.models.notes import Grouping, GroupingMember
from crm_core.security.access import Access, check_element, scoped

SESSION = "groupings"


def _registry():  # type: ignore[no-untyped-def]
    return crm_state().registry


def grouped_sessions() -> list[tuple[str, str]]:
    """``(name, label)`` of the sessions whose elements may be grouped (all grids but this one)."""
    return [(s.name, str(s.label)) for s in _registry().grid_sessions() if s.name != SESSION]


def _known_session(value: str) -> None:
    if value not in dict(grouped_sessions()):
        raise ValidationError(_("Choose one of the listed sessions."))


class GroupingSchema(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=120), metadata={"label": _l("Name")})
    description = fields.Str(
        validate=validate.Length(max=2000), metadata={"label": _l("Description"), "widget": "textarea"}
    )
    session_name = fields.Str(
        required=True, validate=_known_session, metadata={"label": _l("Elements of"), "choices": grouped_sessions}
    )
    owner_id = fields.Int(metadata={"label": _l("Owner")})
    version = fields.Int(dump_only=True)


@dataclass
class Members:
    """The members a reader may see, and how many others the ownership rules hid."""

    elements: list[Any] = field(default_factory=list)
    skipped: int = 0


def member_sdef(grouping: Grouping) -> SessionDef:
    sdef = _registry().sessions.get(grouping.session_name)
    if sdef is None or not sdef.has_grid:
        raise BusinessRuleError(_("The session of this grouping is not enabled."))
    return sdef


def members(db: DbSession, grouping: Grouping, access: Access) -> Members:
    """Members of ``grouping`` that ``access`` may see (ownership filter), plus the skipped count."""
    ids = list(db.scalars(select(GroupingMember.element_id).where(GroupingMember.grouping_id == grouping.id)))
    if not ids:
        return Members()
    try:
        sdef = member_sdef(grouping)
    except BusinessRuleError:
        return Members([], len(ids))
    if not access.can(sdef, "view"):
        return Members([], len(ids))
    stmt = scoped(sdef, access, all_records=True).where(sdef.model.id.in_(ids)).order_by(sdef.model.id)
    visible = list(db.scalars(stmt))
    return Members(visible, len(ids) - len(visible))


def groupings_for(db: DbSession, sdef: SessionDef, access: Access, element: Any) -> list[tuple[Grouping, bool]]:
    """The groupings of ``session`` the user may see, each with whether ``element`` is in it."""
    check_element(sdef, access, element, "view")
    gdef = _registry().sessions.get(SESSION)
    if gdef is None or not access.can(gdef, "view"):
        return []
    rows = list(
        db.scalars(
            scoped(gdef, access, all_records=True).where(Grouping.session_name == sdef.name).order_by(Grouping.name)
        )
    )
    inside = set(
        db.scalars(
            select(GroupingMember.grouping_id).where(
                GroupingMember.element_id == element.id, GroupingMember.grouping_id.in_([g.id for g in rows])
            )
        )
    )
    return [(g, g.id in inside) for g in rows]


def _checked(db: DbSession, sdef: SessionDef, access: Access, element: Any, grouping_id: Any) -> Grouping:
    check_element(sdef, access, element, "modify")
    gdef = _registry().sdef(SESSION)
    grouping = db.get(Grouping, int(grouping_id)) if str(grouping_id).isdigit() else None
    check_element(gdef, access, grouping, "modify")
    if grouping.session_name != sdef.name:
        raise BusinessRuleError(_("This grouping holds elements of another kind."), field="grouping_id")
    return grouping


def add_member(db: DbSession, sdef: SessionDef, access: Access, element: Any, grouping_id: Any) -> Grouping:
    """Put ``element`` in a grouping of its session (idempotent)."""
    grouping = _checked(db, sdef, access, element, grouping_id)
    exists = db.scalar(
        select(func.count())
        .select_from(GroupingMember)
        .where(GroupingMember.grouping_id == grouping.id, GroupingMember.element_id == element.id)
    )
    if not exists:
        db.add(GroupingMember(grouping_id=grouping.id, element_id=element.id))
        db.flush()
    return grouping


def remove_member(db: DbSession, sdef: SessionDef, access: Access, element: Any, grouping_id: Any) -> Grouping:
    """Take ``element`` out of a grouping (idempotent)."""
    grouping = _checked(db, sdef, access, element, grouping_id)
    _delete_members(db, GroupingMember.grouping_id == grouping.id, GroupingMember.element_id == element.id)
    return grouping


def forget_element(db: DbSession, sdef: SessionDef, element: Any) -> None:
    """Drop a deleted element's memberships, so groupings never list a ghost."""
    in_session = select(Grouping.id).where(Grouping.session_name == sdef.name)
    _delete_members(db, GroupingMember.element_id == element.id, GroupingMember.grouping_id.in_(in_session))


def _delete_members(db: DbSession, *where: Any) -> None:
    """Delete memberships through the ORM (not one ``DELETE``), so each leaving is audited."""
    for member in db.scalars(select(GroupingMember).where(*where)):
        db.delete(member)
    db.flush()
