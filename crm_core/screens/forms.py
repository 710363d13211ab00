"""HTML forms generated from marshmallow schemas (CORE-09).

The schema stays the single source of validation: this module only decides which widget shows
each field, turns submitted strings into the input the schema expects, and turns stored values
back into strings for the form. Detail screens and action screens use the same generator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from marshmallow import Schema, fields, missing
from sqlalchemy import select

from crm_core.declarations import SessionDef, schema_fields
from crm_core.models.auth import User
from crm_core.security.access import Access
from crm_core.security.field_access import read_only_names
from crm_core.services.display import choices_of

TEXT_WIDGETS = ("text", "textarea", "email")


@dataclass(frozen=True)
class FieldSpec:
    """How one schema field is shown: widget, label, requiredness and choices."""

    name: str
    label: str
    widget: str  # text, textarea, phone, email, number, date, datetime, checkbox, select, lookup
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    lookup: str | None = None
    step: str | None = None
    allow_none: bool = False
    #: a line of help under the field (``metadata={"help": ...}``, per-client fields' ``help``).
    help: str = ""
    #: read-only for the user's group (field-level access): the value is shown, no input.
    locked: bool = False
    #: a lookup whose session is the value of another field of the form (``metadata=
    #: {"lookup_from": "session_name"}``): an activity's linked record is picked in the area
    #: chosen beside it (issue 17 item 6), never typed as a bare id.
    lookup_from: str | None = None
    #: what a new record's form starts with: the field's ``load_default`` when the form requires
    #: a field the API and imports may leave out (``metadata={"required": True}``), e.g. the
    #: client's currency.
    default: str = ""


def _label(name: str, field: fields.Field) -> str:
    return str(field.metadata.get("label") or name.replace("_", " ").capitalize())


def _widget(field: fields.Field) -> tuple[str, str | None]:
    if field.metadata.get("widget") in ("textarea", "phone"):
        return field.metadata["widget"], None  # a phone number shows with its tel: call link
    if isinstance(field, fields.Boolean):
        return "checkbox", None
    if isinstance(field, fields.Email):
        return "email", None
    if isinstance(field, fields.Integer):
        return "number", "1"
    if isinstance(field, fields.Decimal):
        quantum = getattr(field, "places", None)  # marshmallow keeps it as a Decimal, e.g. 0.01
        return "number", (str(quantum) if quantum is not None else "any")
    if isinstance(field, fields.Number):
        return "number", "any"
    if isinstance(field, fields.Date):
        return "date", None
    if isinstance(field, fields.DateTime):
        return "datetime", None
    return "text", None


def lookup_targets(sdef: SessionDef) -> dict[str, str]:
    """Field name → referenced session, from ``sdef.lookups`` and fields' ``lookup`` metadata."""
    assert sdef.schema is not None
    found = {name: f.metadata["lookup"] for name, f in schema_fields(sdef.schema).items() if f.metadata.get("lookup")}
    return {**found, **dict(sdef.lookups)}


def owner_choices(db: Any) -> tuple[tuple[str, str], ...]:
    users = db.scalars(select(User).where(User.active).order_by(User.full_name, User.username))
    return tuple((str(u.id), u.display_name()) for u in users)


def form_fields(
    schema: type[Schema], sdef: SessionDef | None = None, access: Access | None = None, db: Any = None
) -> list[FieldSpec]:
    """The editable fields of ``schema`` in declaration order. ``owner_id`` appears only for
    users with the change-owner permission; the session's fixed ``where`` values never do."""
    specs = []
    lookups = lookup_targets(sdef) if sdef else {}
    locked = read_only_names(schema)
    for name, field in schema_fields(schema).items():
        if (field.dump_only and name not in locked) or field.metadata.get("hidden") or (sdef and name in sdef.where):
            continue
        if name in locked:
            specs.append(_locked(name, field, lookups.get(name) or field.metadata.get("lookup")))
            continue
        label, required = _label(name, field), bool(field.required or field.metadata.get("required"))
        if name == "owner_id" and sdef is not None:
            if access is None or not access.can(sdef, "change_owner"):
                continue
            specs.append(FieldSpec(name, label, "select", required, owner_choices(db)))
            continue
        target = lookups.get(name) or field.metadata.get("lookup")  # action schemas have no session
        choices = choices_of(field)
        hint = str(field.metadata.get("help") or "")
        if field.metadata.get("lookup_from"):
            specs.append(FieldSpec(name, label, "lookup", required, allow_none=field.allow_none, help=hint,
                                   lookup_from=field.metadata["lookup_from"]))
        elif target:
            specs.append(
                FieldSpec(name, label, "lookup", required, lookup=target, allow_none=field.allow_none, help=hint)
            )
        elif choices is not None:
            specs.append(FieldSpec(name, label, "select", required, choices, allow_none=field.allow_none, help=hint))
        else:
            widget, step = _widget(field)
            specs.append(FieldSpec(name, label, widget, required, step=step, allow_none=field.allow_none, help=hint,
                                   default=_form_default(field)))
    return specs


def _form_default(field: fields.Field) -> str:
    if not field.metadata.get("required") or field.load_default is missing:
        return ""
    value = field.load_default() if callable(field.load_default) else field.load_default
    return to_text(value)


def _locked(name: str, field: fields.Field, target: str | None) -> FieldSpec:
    """A field the user's group may read but not change: shown with its value, never parsed."""
    choices = choices_of(field)
    source = field.metadata.get("lookup_from")
    widget = "lookup" if target or source else "select" if choices is not None else _widget(field)[0]
    return FieldSpec(name, _label(name, field), widget, choices=choices or (), lookup=target, locked=True,
                     lookup_from=source)


def _aware(raw: str) -> str:
    """A ``datetime-local`` value is wall time in the user's zone; the schema gets ISO with offset."""
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        return raw  # the schema reports the bad value
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(str(get_timezone())))
    return local.isoformat()


def parse(specs: list[FieldSpec], form: Mapping[str, str]) -> dict[str, Any]:
    """Submitted strings → schema input. An empty box clears text; other empty inputs become
    ``None`` where the field allows it and are left out otherwise (so *required* is reported)."""
    data: dict[str, Any] = {}
    for spec in specs:
        if spec.locked:
            continue  # a read-only field is never written from the form
        if spec.widget == "checkbox":
            data[spec.name] = spec.name in form
            continue
        raw = form.get(spec.name)
        if raw is None:
            continue
        if spec.widget != "textarea":
            raw = raw.strip()
        if raw == "":
            if spec.widget in ("text", "textarea", "phone"):
                data[spec.name] = ""
            elif spec.allow_none:
                data[spec.name] = None
            continue
        data[spec.name] = _aware(raw) if spec.widget == "datetime" else raw
    return data


def to_text(value: Any, widget: str = "text") -> str:
    """A stored value as the string an HTML input holds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(str(get_timezone())))
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))  # a multi-choice field: codes separated by commas
    return str(value)


def values_of(specs: list[FieldSpec], obj: Any) -> dict[str, str]:
    return {s.name: to_text(getattr(obj, s.name, None), s.widget) for s in specs}


def submitted(specs: list[FieldSpec], form: Mapping[str, str], element: Any = None) -> dict[str, str]:
    """What the user typed, to show again after an error (their input is never lost); read-only
    fields show the stored value of ``element``."""
    out = {}
    for s in specs:
        if s.locked:
            out[s.name] = to_text(getattr(element, s.name, None), s.widget)
        elif s.widget == "checkbox":
            out[s.name] = "1" if s.name in form else ""
        else:
            out[s.name] = form.get(s.name, "")
    return out
