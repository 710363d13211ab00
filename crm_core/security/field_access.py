"""Field-level access (EXT-16, CORE-04): per group, a field of a session may be *hidden* (never
shown, searched, filtered, sorted, exported or written) or *read-only* (shown, never written).

The rules travel in the :class:`~crm_core.security.access.Access` object beside the row rules,
so every path that already asks it — screens, REST API, imports, exports, listings, search,
history — applies them. Two functions carry them:

* :func:`restricted` — the session as this user may see it: a schema without the hidden fields
  and with the read-only ones ``dump_only``, the grid columns and text search without the
  hidden ones. Screens, the API, listings and exports resolve their session through it, so what
  they read, show and offer follows by itself.
* :func:`refuse_writes` — the write check of :mod:`crm_core.services.elements`: input that sets
  a hidden or read-only field to a value other than the stored one is refused with a field
  error naming the field, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from crm_core.custom_fields.field_rules import HIDDEN, MODES, READ_ONLY, rule_problems
from crm_core.declarations import SessionDef, schema_fields
from crm_core.extensions import crm_state

__all__ = ["HIDDEN", "MODES", "READ_ONLY", "FieldRules", "restricted", "refuse_writes", "rule_problems"]

if TYPE_CHECKING:
    from crm_core.security.access import Access

@dataclass(frozen=True)
class FieldRules:
    """One group's rules on one session's fields."""

    hidden: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.hidden or self.read_only)

    def merged(self, other: FieldRules) -> FieldRules:
        """Both sets of rules; a field hidden by either is hidden (not also read-only)."""
        hidden = self.hidden | other.hidden
        return FieldRules(hidden, (self.read_only | other.read_only) - hidden)


NO_RULES = FieldRules()


_CACHE: dict[tuple[int, FieldRules], tuple[SessionDef, SessionDef]] = {}


def restricted(sdef: SessionDef, access: Access) -> SessionDef:
    """``sdef`` as ``access`` may see it (itself when no rule applies). Built once per session
    and set of rules: a schema class costs more than a request should pay."""
    rules = access.field_rules(sdef)
    if not rules or sdef.schema is None:
        return sdef
    key = (id(sdef), rules)
    found = _CACHE.get(key)
    if found is not None and found[0] is sdef:
        return found[1]
    view = _restrict(sdef, rules)
    if len(_CACHE) > 512:
        _CACHE.clear()
    _CACHE[key] = (sdef, view)
    return view


def _restrict(sdef: SessionDef, rules: FieldRules) -> SessionDef:
    assert sdef.schema is not None
    base = sdef.schema
    declared = set(schema_fields(base))
    hidden = tuple(sorted(rules.hidden & declared))
    read_only = tuple(sorted((rules.read_only & declared) - rules.hidden))
    meta = type(
        "Meta",
        (base.Meta,),
        {
            "exclude": tuple(getattr(base.Meta, "exclude", ())) + hidden,
            "dump_only": tuple(getattr(base.Meta, "dump_only", ())) + read_only,
        },
    )
    schema: type[Schema] = type(base.__name__, (base,), {"Meta": meta, "crm_read_only": frozenset(read_only)})
    schema.__module__ = base.__module__
    return replace(
        sdef,
        schema=schema,
        columns=tuple(c for c in sdef.columns if c not in rules.hidden),
        search=tuple(f for f in sdef.search if f not in rules.hidden),
        custom_fields=tuple(d for d in sdef.custom_fields if d.name not in rules.hidden),
    )


def read_only_names(schema: type[Schema] | None) -> frozenset[str]:
    """The fields :func:`restricted` made read-only for this user (shown as values on forms)."""
    return frozenset(getattr(schema, "crm_read_only", frozenset()))


def refused_field(sdef: SessionDef, name: str) -> str:
    return _("Your group may not change the field “%(field)s”.", field=_label(sdef, name))


def _label(sdef: SessionDef, name: str) -> str:
    field = schema_fields(sdef.schema).get(name) if sdef.schema is not None else None
    return str(field.metadata.get("label") or name) if field is not None else name


def refuse_writes(
    sdef: SessionDef, access: Access, data: Mapping[str, Any], element: Any | None = None
) -> Mapping[str, Any]:
    """Raise a ``ValidationError`` naming each hidden or read-only field ``data`` would change;
    return ``data`` without the ones it sends back unchanged.

    The stored value is compared with the session's declared field, so a field sent back as it
    is (a whole record read, edited elsewhere and sent with ``PUT``) is not a change; on a new
    record any value given is one."""
    rules = access.field_rules(sdef)
    if not rules:
        return data
    shown = declared(sdef)
    fields_of = schema_fields(shown.schema)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    unchanged = set()
    for name in sorted(rules.hidden | rules.read_only):
        field = fields_of.get(name)
        key = (field.data_key or name) if field is not None else name
        if key not in data:
            continue
        if element is not None and field is not None and _same(field, data[key], getattr(element, name, None)):
            unchanged.add(key)
            continue
        errors[key] = [refused_field(shown, name)]
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in data.items() if k not in unchanged} if unchanged else data


def declared(sdef: SessionDef) -> SessionDef:
    """The session as the registry holds it (``sdef`` may be a :func:`restricted` view)."""
    return crm_state().registry.sessions.get(sdef.name, sdef)


def _same(field: Any, raw: Any, stored: Any) -> bool:
    """Whether ``raw`` (input) means the value already stored."""
    if raw in (None, "") and stored in (None, ""):
        return True
    try:
        value = field.deserialize(raw)
    except ValidationError:
        return False
    return bool(value == stored)
