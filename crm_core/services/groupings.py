"""Groupings: named sets of elements of one session (CORE-13).

A grouping is itself an element (owner, audit, ownership filter). Its members are the elements
of ``grouping.session_name``; reading them goes through the same ownership filter as any list, so a
member the reader may not see is counted as *skipped*, never shown. The activities plugin calls
:func:`members` to generate one activity per member (ACT-03).

A *smart list* is a grouping with saved ``criteria`` (the grid's query arguments, checked when
saved by :func:`parse_criteria`) instead of chosen members: :func:`members` computes them when
used, with the grid's one list query (:func:`crm_core.services.queries.build`) for the user who
uses it — their ownership rules, row filters and field access, like their grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.models.notes import Grouping, GroupingMember
from crm_core.request_input import column_holds
from crm_core.security.access import Access, check_element, scoped
from crm_core.security.field_access import restricted
from crm_core.services import queries
from crm_core.services.queries import Criterion, ListQuery
from crm_core.validation_messages import translate

SESSION = "groupings"
#: The most members a smart list yields at once (the grid's count cap).
SMART_LIMIT = queries.COUNT_CAP
CRITERIA_KEYS = ("q", "status", "only", "filter", "match")


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
    criteria = fields.Str(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "label": _l("Criteria (smart list)"),
            "help": _l("Leave empty to choose the members one by one. Otherwise the grid's filters, e.g. "
                       "q=acme&status=active&filter=country:=:ES: the members are the records that match "
                       "when the list is used."),
        },
    )
    owner_id = fields.Int(metadata={"label": _l("Owner")})
    version = fields.Int(dump_only=True)

    @validates_schema
    def _criteria_fit_the_session(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Criteria are checked when saved, against the session the grouping holds."""
        from crm_core.custom_fields.context import EDITED

        text = data.get("criteria")
        if not text:
            return
        element = EDITED.get()
        session_name = data.get("session_name") or getattr(element, "session_name", "")
        sdef = _registry().sessions.get(session_name)
        if sdef is None or not sdef.has_grid:
            return  # session_name reports its own error
        parse_criteria(sdef, text)


@dataclass
class Members:
    """The members a reader may see, and how many others the ownership rules hid."""

    elements: list[Any] = field(default_factory=list)
    skipped: int = 0
    #: computed from a smart list's criteria (nothing is skipped: the criteria run for the reader)
    smart: bool = False


def _criterion(sdef: SessionDef, spec: str) -> Criterion:
    """``field:op:value`` as the grid's API filter writes it (``between`` takes ``low,high``)."""
    name, _sep, rest = spec.partition(":")
    op, _sep, raw = rest.partition(":")
    declared = schema_fields(sdef.schema)  # type: ignore[arg-type]
    if name not in declared or not queries.is_column(sdef, name):
        raise ValidationError({"criteria": [_("Unknown field “%(f)s”.", f=name)]})
    if op not in queries.OPERATORS:
        raise ValidationError({"criteria": [_("Unknown operator “%(o)s”.", o=op)]})
    if op == "empty":
        return Criterion(name, op)
    if op in ("contains", "startswith"):
        return Criterion(name, op, raw)

    def value(text: str) -> Any:
        try:
            return declared[name].deserialize(text)
        except ValidationError as exc:
            messages = [_("%(field)s: %(message)s", field=name, message=translate(m)) for m in exc.messages]
            raise ValidationError({"criteria": messages}) from None

    if op == "between":
        low, sep, high = raw.partition(",")
        if not sep:
            raise ValidationError({"criteria": [_("“between” needs two values: low,high.")]})
        return Criterion(name, op, (value(low), value(high)))
    return Criterion(name, op, value(raw))


def parse_criteria(sdef: SessionDef, text: str) -> ListQuery:
    """A smart list's criteria → the grid's query over every record the user may see; anything
    unknown (key, field, operator, status, named filter, a value of the wrong type) is a
    ``ValidationError`` on ``criteria`` naming it."""
    args = parse_qs(text.strip().lstrip("?"), keep_blank_values=False)
    unknown = sorted(set(args) - set(CRITERIA_KEYS))
    if unknown:
        raise ValidationError({"criteria": [_("Unknown criterion “%(c)s”: use q, status, only, filter or match.",
                                              c=unknown[0])]})
    if not args:
        raise ValidationError({"criteria": [_("Give at least one criterion, e.g. q=acme or status=active.")]})
    known = {s.code for s in sdef.statuses}
    statuses = args.get("status", [])
    for code in statuses:
        if code not in known:
            raise ValidationError({"criteria": [_("Unknown status “%(s)s”.", s=code)]})
    only = args.get("only", [])
    for name in only:
        if sdef.named_filter(name) is None:
            raise ValidationError({"criteria": [_("Unknown filter “%(f)s”.", f=name)]})
    match = args.get("match", ["all"])[-1]
    if match not in ("all", "any"):
        raise ValidationError({"criteria": [_("Use “all” or “any”.")]})
    return ListQuery(
        all_records=True,
        status=tuple(statuses),
        only=tuple(only),
        text=" ".join(args.get("q", []))[:200],
        criteria=tuple(_criterion(sdef, spec) for spec in args.get("filter", [])),
        match=match,
        sort="id",  # members in the order they were created, like a static grouping's
        per_page=SMART_LIMIT,
    )


def smart_members(db: DbSession, grouping: Grouping, access: Access) -> Members:
    """A smart list's members for ``access``: the grid's query with its criteria, run for this
    user (their ownership rules, row filters and field access), at most :data:`SMART_LIMIT`."""
    sdef = member_sdef(grouping)
    if not access.can(sdef, "view"):
        return Members([], 0, True)
    stmt = queries.build(restricted(sdef, access), access, _saved_criteria(sdef, grouping)).limit(SMART_LIMIT)
    return Members(list(db.scalars(stmt)), 0, True)


def visible_grouping(db: DbSession, sdef: SessionDef, access: Access, grouping_id: int) -> Grouping:
    """The grouping ``grouping_id`` of ``sdef``'s elements, if ``access`` may see it; anything
    else (no such grouping, another session's, someone else's, groupings not enabled) is the
    same *unknown grouping* error, so a number never reveals whether a grouping exists."""
    gdef = _registry().sessions.get(SESSION)
    grouping = None
    # an id past the id column is no grouping (PostgreSQL would refuse the query)
    if (gdef is not None and access.can(gdef, "view") and sdef.name != SESSION and grouping_id > 0
            and column_holds(Grouping.__table__.c.id, grouping_id)):
        stmt = scoped(gdef, access, all_records=True).where(Grouping.id == grouping_id)
        grouping = db.scalars(stmt).first()
    if grouping is None or grouping.session_name != sdef.name:
        raise BusinessRuleError(_("Unknown grouping “%(g)s”.", g=grouping_id), field="grouping")
    return grouping


def member_ids(sdef: SessionDef, access: Access, grouping: Grouping) -> Select:
    """``SELECT id`` of the members of ``grouping`` (one :func:`visible_grouping` gave): the
    chosen ones of a static grouping, or the records a smart list's criteria match for
    ``access``. A grid, an export, a listing or an API list asked for ``grouping=<id>`` puts it
    in its list query (``ListQuery.members``), on top of its own filters and the reader's
    ownership rules, so a member the reader may not see never appears."""
    if not grouping.criteria:
        return select(GroupingMember.element_id).where(GroupingMember.grouping_id == grouping.id)
    smart = _saved_criteria(sdef, grouping)
    return queries.build(restricted(sdef, access), access, smart).order_by(None).with_only_columns(sdef.model.id)


def members_filter(db: DbSession, sdef: SessionDef, access: Access, grouping_id: int) -> Select:
    """:func:`member_ids` of the grouping ``grouping_id`` after :func:`visible_grouping` — what
    an export, a listing or the API puts in ``ListQuery.members`` for ``grouping=<id>``."""
    return member_ids(sdef, access, visible_grouping(db, sdef, access, grouping_id))


def _saved_criteria(sdef: SessionDef, grouping: Grouping) -> ListQuery:
    """A smart list's criteria as the list query; criteria saved before a field or status went
    away are a ``BusinessRuleError`` naming them."""
    try:
        return parse_criteria(sdef, grouping.criteria or "")
    except ValidationError as exc:
        raise BusinessRuleError(" ".join(map(str, exc.messages_dict.get("criteria", [])))) from None


def member_count(db: DbSession, grouping: Grouping, access: Access) -> int:
    """How many members ``access`` sees (a smart list's counted up to :data:`SMART_LIMIT`)."""
    if grouping.criteria:
        sdef = member_sdef(grouping)
        if not access.can(sdef, "view"):
            return 0
        query = parse_criteria(sdef, grouping.criteria)
        return queries.capped_count(db, restricted(sdef, access), access, query, SMART_LIMIT)
    return len(members(db, grouping, access).elements)


def member_sdef(grouping: Grouping) -> SessionDef:
    sdef = _registry().sessions.get(grouping.session_name)
    if sdef is None or not sdef.has_grid:
        raise BusinessRuleError(_("The session of this grouping is not enabled."))
    return sdef


def members(db: DbSession, grouping: Grouping, access: Access) -> Members:
    """Members of ``grouping`` that ``access`` may see (ownership filter), plus the skipped count;
    a smart list's computed from its criteria (:func:`smart_members`)."""
    if grouping.criteria:
        return smart_members(db, grouping, access)
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
    if grouping.criteria:
        raise BusinessRuleError(
            _("%(name)s is a smart list: its members follow its criteria.", name=grouping.name), field="grouping_id"
        )
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
