"""Bulk actions on a grid's selection (issue 17 item 5, CORE-08): reassign the owner, change
the status, add to a grouping, delete — on ticked records or on every record that matches the
grid's filters, at most :data:`BULK_CAP` at once.

Each record goes through the service a single edit would use (``elements.change_owner``,
``elements.update`` or the workflow's action, ``groupings.add_member``, ``elements.delete``), so
permissions, ownership, field access, the workflow and the audit trail apply per record exactly
as they do on the form. **Transaction rule: one savepoint per record.** A record that is refused
(no right, an illegal move, a record that other records refer to) is rolled back alone and
reported with the reason; the others are done — what users of CRMs expect of a bulk action. The
caller's unit of work commits the whole run at the end; an unexpected error rolls it all back.
A reassign tells each new owner once per run (a large action's chunk): "gave you N leads"
(``notifications.gathered``), not once per record.

A value that is wrong for every record (an unknown user, status or grouping) is refused before
any record is touched (``ValidationError``), so bad input changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import BusinessRuleError, CrmError
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.models.notes import Grouping
from crm_core.request_input import column_holds
from crm_core.security.access import Access, check_element, not_found, scoped
from crm_core.services import audit, elements, groupings, notifications, queries, workflow
from crm_core.services.queries import ListQuery
from crm_core.validation_messages import translated

#: The most records one bulk action takes ("all that match" beyond it is refused, not cut).
BULK_CAP = queries.COUNT_CAP
#: The actions, in the order the grid offers them.
ACTIONS: dict[str, Any] = {
    "owner": _l("Reassign owner"),
    "status": _l("Change status"),
    "grouping": _l("Add to a grouping"),
    "delete": _l("Delete"),
}


@dataclass(frozen=True)
class Outcome:
    """What happened to one record: ``done`` or refused, with the reason."""

    id: int
    name: str
    done: bool
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "result": "done" if self.done else "refused", "reason": self.reason}


def _status_loadable(sdef: SessionDef) -> bool:
    """Whether a plain update may write the status field (the schema loads it)."""
    assert sdef.schema is not None
    field = schema_fields(sdef.schema).get(sdef.status_field)
    return field is not None and not field.dump_only


def available(sdef: SessionDef, access: Access) -> list[tuple[str, str]]:
    """``(code, label)`` of the bulk actions ``access`` may start on ``sdef``'s grid: each needs
    the modify right; reassigning also the change-owner right; a status change statuses and a way
    to set them (a declared workflow, or a status the schema loads); adding to a grouping the
    groupings session; deleting a session that allows it."""
    if not access.can(sdef, "modify"):
        return []
    registry = crm_state().registry
    offered = {
        "owner": access.can(sdef, "change_owner"),
        "status": bool(sdef.statuses) and (sdef.workflow is not None or _status_loadable(sdef)),
        "grouping": sdef.name != groupings.SESSION and groupings.SESSION in registry.sessions
        and access.can(groupings.SESSION, "modify"),
        "delete": sdef.deletable,
    }
    return [(code, str(label)) for code, label in ACTIONS.items() if offered[code]]


def choices(db: DbSession, sdef: SessionDef, access: Access, action: str) -> list[tuple[str, str]]:
    """``(value, label)`` the action takes: active users, visible statuses, or the static
    groupings of this session the user may change; nothing for delete."""
    if action == "owner":
        users = db.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name, User.id))
        return [(str(u.id), u.full_name or u.username) for u in users]
    if action == "status":
        return [(code, label) for label, code in crm_state().registry.status_choices(sdef)]
    if action == "grouping":
        gdef = crm_state().registry.sdef(groupings.SESSION)
        stmt = scoped(gdef, access, all_records=True).where(
            Grouping.session_name == sdef.name, Grouping.criteria.is_(None) | (Grouping.criteria == "")
        )
        return [(str(g.id), g.name) for g in db.scalars(stmt.order_by(Grouping.name)) if _may_change(gdef, access, g)]
    return []


def _may_change(gdef: SessionDef, access: Access, grouping: Grouping) -> bool:
    try:
        check_element(gdef, access, grouping, "modify")
    except CrmError:
        return False
    return True


def check_request(db: DbSession, sdef: SessionDef, access: Access, action: str, value: Any) -> str:
    """The action's value as the services take it, or ``ValidationError`` (``action``/``value``)
    when the action is not offered or the value is not one of its :func:`choices`; checked once,
    before any record is touched; a missing right is ``PermissionDenied``, as on the form."""
    access.require(sdef, "modify")
    if action == "owner":
        access.require(sdef, "change_owner")
    if action == "grouping" and groupings.SESSION in crm_state().registry.sessions:
        access.require(groupings.SESSION, "modify")
    if action not in dict(available(sdef, access)):
        raise ValidationError({"action": [_("Choose one of the offered actions.")]})
    if action == "delete":
        return ""
    text = "" if value is None else str(value).strip()
    if text not in dict(choices(db, sdef, access, action)):
        raise ValidationError({"value": [_("Choose one of the listed values.")]})
    return text


def select_ids(db: DbSession, sdef: SessionDef, access: Access, ids: Iterable[int]) -> tuple[list[Any], list[int]]:
    """The ticked records ``access`` may see (in id order) and the ids it may not: those are
    refused as *not found*, so the answer never tells whether they exist."""
    wanted = sorted(set(ids))
    if len(wanted) > BULK_CAP:
        raise ValidationError({"ids": [_("At most %(n)d records at once.", n=BULK_CAP)]})
    model = sdef.model
    storable = [i for i in wanted if column_holds(model.id, i)]  # PostgreSQL refuses others in the IN list
    stmt = scoped(sdef, access, all_records=True).where(model.id.in_(storable)).order_by(model.id)
    found = list(db.scalars(stmt)) if storable else []
    seen = {el.id for el in found}
    return found, [i for i in wanted if i not in seen]


def select_matching(db: DbSession, sdef: SessionDef, access: Access, query: ListQuery) -> list[Any]:
    """Every record the grid's ``query`` shows (its filters, the user's ownership rules), at most
    :data:`BULK_CAP`; more than that is refused so no action silently stops half-way."""
    if queries.capped_count(db, sdef, access, query, BULK_CAP + 1) > BULK_CAP:
        raise ValidationError({"scope": [_("More than %(n)d records match: narrow the filters.", n=BULK_CAP)]})
    return list(db.scalars(queries.build(sdef, access, query).limit(BULK_CAP)))


def run(
    db: DbSession, sdef: SessionDef, access: Access, action: str, chosen: Sequence[Any], value: str,
    unseen: Sequence[int] = (),
) -> list[Outcome]:
    """Apply ``action`` with ``value`` (checked by :func:`check_request`) to each of ``chosen``,
    each in its own savepoint; ``unseen`` ids are reported refused as not found. Runs in the
    caller's transaction (wrap it in ``unit_of_work()``)."""
    value = check_request(db, sdef, access, action, value)
    apply = _appliers[action]
    names = {el.id: el.display_name() for el in chosen}  # read before a rollback expires them
    out = [Outcome(i, f"#{i}", False, str(not_found(sdef))) for i in unseen]
    with audit.audit_context(user=access.user), notifications.gathered(db, access.user) as told:
        for element in chosen:
            savepoint, mark = db.begin_nested(), told.mark()
            try:
                note = apply(db, sdef, access, element, value)
            except (CrmError, ValidationError, IntegrityError) as exc:
                savepoint.rollback()
                told.drop(mark)
                out.append(Outcome(element.id, names[element.id], False, _reason(exc)))
            else:
                savepoint.commit()
                out.append(Outcome(element.id, names[element.id], True, note))
    return sorted(out, key=lambda o: o.id)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        messages = translated(exc.normalized_messages())
        if isinstance(messages, dict):  # the field named, as a form would show it under the field
            return " ".join(m if key == "_schema" else f"{key}: {m}"
                            for key, ms in messages.items() for m in map(str, ms if isinstance(ms, list) else [ms]))
        return " ".join(map(str, messages))
    if isinstance(exc, IntegrityError):
        return _("This clashes with other records.")
    return str(exc)


def _owner(db: DbSession, sdef: SessionDef, access: Access, element: Any, value: str) -> str:
    changes = elements.change_owner(db, sdef, access, element, int(value))
    return "" if changes else _("Already theirs.")


def _status(db: DbSession, sdef: SessionDef, access: Access, element: Any, value: str) -> str:
    """A status change through the workflow when the session declares one: the action of the
    transition from the record's state (its permission, rules and audit), or a direct move the
    workflow allows; through a plain update otherwise."""
    field = sdef.workflow.field if sdef.workflow is not None else sdef.status_field
    if getattr(element, field) == value:
        check_element(sdef, access, element, "modify")
        return _("Already %(s)s.", s=workflow.state_name(sdef, value))
    flow = sdef.workflow
    if flow is not None:
        source = getattr(element, field)
        moves = [t for t in flow.transitions if t.source == source and t.target == value]
        action = next((t.action for t in moves if t.action is not None), None)
        if action is not None:
            elements.run_action(db, sdef, access, element, action, {})
            return ""
        if not moves or not _status_loadable(sdef):
            workflow.check_transition(sdef, element, value)  # raises with the workflow's message
            raise BusinessRuleError(_("The status cannot be set directly here."))
    elements.update(db, sdef, access, element, {field: value})
    return ""


def _grouping(db: DbSession, sdef: SessionDef, access: Access, element: Any, value: str) -> str:
    groupings.add_member(db, sdef, access, element, value)
    return ""


def _delete(db: DbSession, sdef: SessionDef, access: Access, element: Any, _value: str) -> str:
    elements.delete(db, sdef, access, element)
    return ""


_appliers: dict[str, Callable[[DbSession, SessionDef, Access, Any, str], str]] = {
    "owner": _owner, "status": _status, "grouping": _grouping, "delete": _delete,
}
