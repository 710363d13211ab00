"""The generic write path for elements: create, update, delete and actions.

Screens, the REST API and imports all call these functions, so validation (the session's
marshmallow schema), permissions and ownership (``crm_core.security.access``), optimistic
locking, the audit trail and event hooks behave the same on every path. Each function runs in
the caller's transaction; callers wrap it in ``unit_of_work()``. The audit rows are written by
the unit of work itself (``crm_core.services.audit``); these functions only say who acts and
under which action (``audit_context``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from typing import Any

import pluggy
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm.exc import StaleDataError

from crm_core import events
from crm_core.custom_fields.context import EDITED
from crm_core.custom_fields.storage import pack_custom
from crm_core.declarations import ActionContext, SessionDef, schema_fields
from crm_core.errors import BusinessRuleError, Conflict, CrmError, NotFound, PermissionDenied
from crm_core.extensions import crm_state
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import User
from crm_core.models.types import utcnow
from crm_core.orm_detach import detach
from crm_core.request_input import INT64_MAX, INT64_MIN
from crm_core.security.access import Access, check_element, get_element, visible_ids
from crm_core.security.field_access import refuse_writes
from crm_core.services import audit, bulk, workflow


def _event(name: str, sdef: SessionDef, without: Iterable[Any] = ()) -> pluggy.HookCaller:
    """The element event ``name`` with only the implementations that handle ``session``."""
    return events.caller(crm_state().pm, name, sdef, without)


#: The element whose changes the session schema is validating (``None`` while creating).
_edited: ContextVar[Any | None] = EDITED  # shared with the custom fields' rules


def edited_element() -> Any | None:
    """The element being changed while its schema validates, ``None`` for a new one.

    A rule that compares with stored rows (a unique code) must not find the record being
    saved itself; marshmallow 4 schemas have no per-call context, so the element travels in a
    context variable set by :func:`validate`.
    """
    return _edited.get()


def validate(
    sdef: SessionDef,
    data: Mapping[str, Any],
    partial: bool = False,
    schema: Schema | None = None,
    element: Any | None = None,
) -> dict[str, Any]:
    """Load ``data`` through the session schema; raises ``marshmallow.ValidationError``.

    Pass ``schema`` (an instance of the session's schema) to reuse it across many rows: building
    a marshmallow schema deep-copies its fields and costs more than loading one row. Pass the
    ``element`` being changed so the schema's rules can tell it from other rows
    (:func:`edited_element`).
    """
    assert sdef.schema is not None
    too_large = _too_large(sdef.schema, data)
    if too_large:
        raise ValidationError({k: [_("This number is out of the range that can be stored.")] for k in too_large})
    token = _edited.set(element)
    try:
        loaded = (schema or sdef.schema()).load(dict(data), partial=partial)
    finally:
        _edited.reset(token)
    for key, value in sdef.where.items():
        if key in loaded and loaded[key] != value:
            raise ValidationError({key: [_("This value is fixed for %(s)s.", s=sdef.label)]})
    workflow.check_edit(sdef, element, loaded)
    return loaded


@lru_cache(maxsize=512)
def _integer_keys(schema: type[Schema]) -> tuple[str, ...]:
    """The input keys of a schema's integer fields (once per schema, not per row)."""
    return tuple(fld.data_key or name for name, fld in schema_fields(schema).items() if isinstance(fld, fields.Integer))


#: A decimal integer of at most this many digits always fits a signed 64-bit column.
_SAFE_DIGITS = 18


def _too_large(schema: type[Schema], data: Mapping[str, Any]) -> list[str]:
    """Integer fields whose value no 64-bit column holds. Checked before loading: marshmallow
    takes any integer, and schema validators may already look the value up in the database.
    Runs per imported row, so the usual short values are passed over without parsing."""
    out = []
    for key in _integer_keys(schema):
        raw = data.get(key)
        if raw is None or (isinstance(raw, str) and len(raw) <= _SAFE_DIGITS):
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            continue  # not a number: the field itself says so
        if not INT64_MIN <= value <= INT64_MAX:
            out.append(key)
    return out


def lookup_targets(sdef: SessionDef) -> dict[str, str]:
    """Reference fields → the session whose elements they point at (declaration or schema)."""
    targets = dict(sdef.lookups)
    if sdef.schema is not None:
        for name, fld in schema_fields(sdef.schema).items():
            if fld.metadata.get("lookup"):
                targets.setdefault(name, fld.metadata["lookup"])
    return targets


def unusable_reference(field_name: str) -> ValidationError:
    """THE answer for a reference (id or code) the user may not use, whether the record is
    missing, someone else's or of the wrong kind: one message, so the answer never tells which
    ids and codes exist in records the user may not see. Plugins' code lookups use it too."""
    return ValidationError({field_name: [_("No such record, or not one you may use.")]})


def check_references(db: DbSession, sdef: SessionDef, access: Access, values: Mapping[str, Any]) -> None:
    """A reference may only point at an element the user may see: otherwise a user could
    attach records to (and learn about) someone else's account by guessing ids."""
    registry = crm_state().registry
    for field_name, target in lookup_targets(sdef).items():
        value = values.get(field_name)
        if value is None or target not in registry.sessions:
            continue
        try:
            get_element(db, registry.sdef(target), access, value)
        except (NotFound, PermissionDenied):
            raise unusable_reference(field_name) from None


def _owner_change(access: Access, sdef: SessionDef, db: DbSession, owner_id: Any) -> int:
    access.require(sdef, "change_owner")
    owner = db.get(User, owner_id) if isinstance(owner_id, int) else None
    if owner is None or not owner.active:
        raise ValidationError({"owner_id": [_("Unknown or inactive user.")]})
    return owner.id


def _new_element(db: DbSession, sdef: SessionDef, access: Access, values: dict[str, Any]) -> Any:
    """The unsaved element for validated ``values``, owned by the user (or the owner they may set)."""
    owner_id = values.pop("owner_id", None)
    values = pack_custom(sdef.custom_fields, values)
    element = sdef.model(**values, **dict(sdef.where))
    element.creator_id = access.user.id
    element.owner_id = access.user.id
    if owner_id is not None and owner_id != access.user.id:
        element.owner_id = _owner_change(access, sdef, db, owner_id)
    return element


def create(db: DbSession, sdef: SessionDef, access: Access, data: Mapping[str, Any]) -> Any:
    """Validate and insert a new element owned by the current user (or the given owner)."""
    access.require(sdef, "modify")
    values = validate(sdef, refuse_writes(sdef, access, data))
    check_references(db, sdef, access, values)
    return add_element(db, sdef, access, _new_element(db, sdef, access, values))


def add_element(db: DbSession, sdef: SessionDef, access: Access, element: Any) -> Any:
    """Insert ``element``, built by a service from values it made itself, exactly as :func:`create`
    inserts a validated one: audited under the user, then ``crm_element_created`` fired (its
    hookimpls — notifications, integrations, a client's rules — see it like a form's create).

    For records a form's schema would refuse from a user on purpose (a provisional account's "OP"
    code, SAL-02: "+ New customer" in the account picker); anything typed goes through
    :func:`create`. Needs the modify right; runs in the caller's transaction.
    """
    access.require(sdef, "modify")
    with audit.audit_context(user=access.user):
        db.add(element)
        db.flush()
        _event("crm_element_created", sdef)(sdef=sdef, element=element, access=access, user=access.user, db=db)
    return element


def _refuse_hidden_references(db: DbSession, sdef: SessionDef, access: Access, batch: list[Any]) -> None:
    """Replace, in ``batch``, each loaded row that points at an element the user may not see by
    the same ``ValidationError`` :func:`check_references` raises (one query per target session)."""
    registry = crm_state().registry
    for field_name, target in lookup_targets(sdef).items():
        if target not in registry.sessions:
            continue
        rows = [(i, values) for i, values in enumerate(batch) if isinstance(values, dict)]
        wanted = {_as_id(values.get(field_name)) for _i, values in rows} - {None}
        visible = visible_ids(db, registry.sdef(target), access, wanted)  # type: ignore[arg-type]
        for i, values in rows:
            if values.get(field_name) is not None and _as_id(values[field_name]) not in visible:
                batch[i] = unusable_reference(field_name)


def _as_id(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def create_many(db: DbSession, sdef: SessionDef, access: Access, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Create a batch of elements under exactly the rules of :func:`create`, at import speed (CORE-11):
    :func:`validate_many` then :func:`create_validated`.

    Returns one entry per row, in order: the new element's id, or the ``ValidationError``/
    ``CrmError`` that refused the row (nothing of it is written). A database error or a hook's
    refusal propagates: the caller rolls the whole batch back (a savepoint) and may retry row by
    row with :func:`create` to find the culprit.
    """
    access.require(sdef, "modify")
    out: list[dict[str, Any] | ValidationError] = []
    allowed: list[tuple[int, Mapping[str, Any]]] = []
    for i, data in enumerate(rows):
        try:
            allowed.append((i, refuse_writes(sdef, access, data)))
            out.append({})
        except ValidationError as exc:
            out.append(exc)
    for (i, _data), loaded in zip(allowed, validate_many(sdef, [d for _i, d in allowed]), strict=True):
        out[i] = loaded
    return create_validated(db, sdef, access, out)


def validate_many(
    sdef: SessionDef, rows: Sequence[Mapping[str, Any]], schema: Schema | None = None
) -> list[dict[str, Any] | ValidationError]:
    """:func:`validate` for each row with one schema instance (building a schema costs more than
    loading a row); each entry is the loaded values or the row's ``ValidationError``."""
    assert sdef.schema is not None
    schema = schema or sdef.schema()
    out: list[dict[str, Any] | ValidationError] = []
    for data in rows:
        try:
            out.append(validate(sdef, data, schema=schema))
        except ValidationError as exc:
            out.append(exc)
    return out


def create_validated(
    db: DbSession, sdef: SessionDef, access: Access, loaded: Sequence[dict[str, Any] | Exception]
) -> list[Any]:
    """Write the rows :func:`validate_many` loaded (errors pass through), as :func:`create` would.

    References are checked with one query per referenced session for the whole batch; owners
    once per distinct owner; the valid rows are written by :mod:`crm_core.services.bulk`
    (``COPY`` on PostgreSQL, one ``executemany`` on SQLite) with the values the ORM would write
    and one timestamp for the batch, and their audit rows in one more batch, with the same
    ``changes`` as :func:`create`. If any plugin handles the session's creations, the new
    elements are then loaded (one query) and ``crm_elements_created`` fires once for the batch
    (``crm_element_created`` once per element, in row order, for plugins without the batch hook),
    inside the caller's transaction; they are flushed and detached afterwards, so a batch of
    100,000 rows does not pile up in the session. Returns what :func:`create_many` returns.
    """
    access.require(sdef, "modify")
    out = list(loaded)
    _refuse_hidden_references(db, sdef, access, out)
    plan = bulk.plan_for(sdef.model)
    owners = _Owners(db, sdef, access)
    user_id, now = access.user.id, utcnow()
    stamp = {**dict(sdef.where), "creator_id": user_id, "created_at": now, "updated_at": now}
    pending: list[int] = []
    records: list[dict[str, Any]] = []
    for i, values in enumerate(out):
        if not isinstance(values, dict):
            continue
        try:
            owner_id = owners.check(values.get("owner_id"))
        except (ValidationError, CrmError) as exc:
            out[i] = exc
            continue
        pending.append(i)
        records.append(plan.complete({**pack_custom(sdef.custom_fields, values), **stamp, "owner_id": owner_id}))
    ids = bulk.insert_rows(db, plan, records)
    for i, pk in zip(pending, ids, strict=True):
        out[i] = pk
    if ids:
        _audit_created(db, sdef, user_id, now, ids, records)
        with audit.audit_context(user=access.user):
            _fire_created(db, sdef, access, ids)
    return out


class _Owners:
    """The owner of each new row: the user, or another user they may give it to (checked once per owner)."""

    def __init__(self, db: DbSession, sdef: SessionDef, access: Access) -> None:
        self.db, self.sdef, self.access = db, sdef, access
        self.checked: dict[Any, int | Exception] = {None: access.user.id, access.user.id: access.user.id}

    def check(self, owner_id: Any) -> int:
        if owner_id not in self.checked:
            try:
                self.checked[owner_id] = _owner_change(self.access, self.sdef, self.db, owner_id)
            except (ValidationError, CrmError) as exc:
                self.checked[owner_id] = exc
        outcome = self.checked[owner_id]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def _audit_created(
    db: DbSession,
    sdef: SessionDef,
    user_id: int,
    now: datetime,
    ids: list[int],
    records: list[dict[str, Any]],
) -> None:
    """One "create" audit row per element, in one bulk insert: the row the unit of work would
    write for the element (``audit.created_changes``), without loading the elements. The rows
    differ only in the element and its values: the first is completed by the audit table's plan,
    the others copy it (a plan's ``complete`` per row was a fifth of the audit's Python)."""
    model = sdef.model
    audit_plan = bulk.plan_for(AuditEntry)
    template = audit_plan.complete(audit.bulk_entry(model.__element_type__, ids[0], user_id, now, {}))
    entries = [{**template, "element_id": pk, "changes": audit.created_changes(model, row)}
               for pk, row in zip(ids, records, strict=True)]
    bulk.insert_rows(db, audit_plan, entries)


def _fire_created(db: DbSession, sdef: SessionDef, access: Access, ids: list[int]) -> None:
    """``crm_elements_created`` once for the batch, then ``crm_element_created`` per element for
    the plugins that handle ``session`` without the batch hook; the elements are loaded (one
    query) only when some implementation handles the session."""
    batch = _event("crm_elements_created", sdef)
    handled = {impl.plugin for impl in batch.get_hookimpls()}
    single = _event("crm_element_created", sdef, without=handled)
    if not handled and not single.get_hookimpls():
        return
    model = sdef.model
    loaded = {element.id: element for element in db.scalars(select(model).where(model.id.in_(ids)))}
    try:
        if handled:
            created = [loaded[pk] for pk in ids]
            batch(sdef=sdef, elements=created, access=access, user=access.user, db=db)
        if single.get_hookimpls():
            for pk in ids:
                single(sdef=sdef, element=loaded[pk], access=access, user=access.user, db=db)
        db.flush()  # what the hooks changed on the elements
    finally:
        # Loaded, not added: a rolled-back batch would leave them in the identity map, where a
        # retry (SQLite reuses rolled-back ids) would collide with them.
        detach(db, list(loaded.values()))


def update(
    db: DbSession,
    sdef: SessionDef,
    access: Access,
    element: Any,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    partial: bool = True,
) -> dict[str, list[Any]]:
    """Apply validated changes; a stale ``expected_version`` raises ``Conflict``."""
    check_element(sdef, access, element, "modify")
    if expected_version is not None and expected_version != element.version:
        raise Conflict(_("Someone else saved this record first. Reload it and apply your change again."))
    values = validate(sdef, refuse_writes(sdef, access, data, element), partial=partial, element=element)
    check_references(db, sdef, access, {k: v for k, v in values.items() if getattr(element, k, None) != v})
    owner_id = values.pop("owner_id", None)
    if owner_id is not None and owner_id != element.owner_id:
        element.owner_id = _owner_change(access, sdef, db, owner_id)
    for key, value in pack_custom(sdef.custom_fields, values, element).items():
        if value == "" and getattr(element, key, None) is None:
            continue  # an empty box over a value never given (a form sends "" for it): no change
        setattr(element, key, value)
    changes = audit.pending_changes(element)
    if not changes:
        return changes
    with audit.audit_context(user=access.user):
        try:
            db.flush()
        except StaleDataError as exc:
            raise Conflict(_("Someone else saved this record first. Reload it and apply your change again.")) from exc
        _event("crm_element_changed", sdef)(
            sdef=sdef, element=element, changes=changes, access=access, user=access.user, db=db
        )
    return changes


def change_owner(
    db: DbSession, sdef: SessionDef, access: Access, element: Any, owner_id: int, actor: User | None = None
) -> dict[str, list[Any]]:
    """Give ``element`` to the user ``owner_id`` under the rules of an owner change on the edit
    form, whatever the session's schema exposes: ``access`` must be allowed to change the element
    (its modify right and ownership) and its owner (the change-owner right), and the new owner
    must be an active user. Audited (under ``actor``, default ``access.user``: who the history
    names when a change is made on someone else's authority) and ``crm_element_changed`` fires.
    Returns the changes (empty when the owner is already ``owner_id``)."""
    check_element(sdef, access, element, "modify")
    if owner_id == element.owner_id:
        return {}
    element.owner_id = _owner_change(access, sdef, db, owner_id)
    changes = audit.pending_changes(element)
    with audit.audit_context(user=actor or access.user):
        try:
            db.flush()
        except StaleDataError as exc:
            raise Conflict(_("Someone else saved this record first. Reload it and apply your change again.")) from exc
        _event("crm_element_changed", sdef)(
            sdef=sdef, element=element, changes=changes, access=access, user=access.user, db=db
        )
    return changes


def delete(db: DbSession, sdef: SessionDef, access: Access, element: Any) -> None:
    """Delete an element where the session allows deleting (accounts, opportunities never)."""
    check_element(sdef, access, element, "modify")
    if not sdef.deletable:
        raise BusinessRuleError(_("%(s)s cannot be deleted.", s=sdef.label))
    # Worded before the flush: after a failed flush the session cannot even look up the locale.
    refused = _("%(name)s cannot be deleted: other records refer to it.", name=element.display_name())
    with audit.audit_context(user=access.user):
        _event("crm_element_deleted", sdef)(sdef=sdef, element=element, access=access, user=access.user, db=db)
        db.delete(element)
        try:
            db.flush()
        except IntegrityError:  # the caller's unit of work rolls the attempt back
            raise BusinessRuleError(refused) from None


def run_action(
    db: DbSession, sdef: SessionDef, access: Access, element: Any, name: str, data: Mapping[str, Any]
) -> Any:
    """Validate the action's input, check the session's workflow allows it in the element's
    state (:func:`crm_core.services.workflow.check_action`), run it."""
    action = sdef.action(name)
    if action is None:
        raise NotFound(_("Unknown action."))
    check_element(sdef, access, element, action.permission)
    workflow.check_action(sdef, element, name)
    values = action.schema().load(dict(data)) if action.schema else {}
    with audit.audit_context(action=name, user=access.user):
        result = action.handler(ActionContext(sdef, element, values, access.user, db, access))
        db.flush()  # inside the context: what the action changed is recorded under its name
    return result
