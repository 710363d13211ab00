"""Which field-level access rules make sense on a session (EXT-16): checked where they are
declared — customer.toml at start-up, Configuration → Fields when saved. Applied by
``crm_core.security.field_access``."""

from __future__ import annotations

from collections.abc import Mapping

from crm_core.declarations import SessionDef, schema_fields

HIDDEN = "hidden"
READ_ONLY = "read_only"
MODES = (HIDDEN, READ_ONLY)


def name_fields(sdef: SessionDef) -> tuple[str, ...]:
    """The fields a record's name is made of (the model's ``__name_fields__``)."""
    return tuple(getattr(sdef.model, "__name_fields__", ()))


def rule_problems(sdef: SessionDef, names: Mapping[str, str]) -> list[str]:
    """What is wrong with ``{field: mode}`` on ``sdef`` (empty when nothing): unknown fields,
    unknown modes, the id, required fields (a group that creates records must fill them), and
    hidden name fields (:func:`name_fields`: the name shows on every link to the record)."""
    if sdef.schema is None:
        return [f"session {sdef.name!r} has no fields"]
    declared = schema_fields(sdef.schema)
    problems = []
    for name, mode in names.items():
        if mode not in MODES:
            problems.append(f"{name!r}: unknown access {mode!r}; expected one of {', '.join(MODES)}")
        elif name not in declared:
            problems.append(f"unknown field {name!r} of {sdef.name!r}; fields: {', '.join(sorted(declared))}")
        elif name == "id" or name in sdef.where:
            problems.append(f"{name!r} cannot be hidden or read-only")
        elif declared[name].required:
            problems.append(f"{name!r} is required, so a group cannot be kept from filling it")
        elif mode == HIDDEN and name in name_fields(sdef):
            problems.append(f"{name!r} makes up the record's name, shown wherever it is linked, so it can be "
                            "read-only but not hidden")
    return problems
