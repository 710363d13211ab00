"""Marshmallow fields of custom fields, and a session schema with a client's fields applied:
the schema every path already reads (form, grid labels, API and OpenAPI, import, export,
listing criteria), so a declared field appears on all of them at once."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from marshmallow import Schema, fields, validate
from marshmallow.utils import missing

from crm_core.custom_fields.declarations import FieldDecl
from crm_core.custom_fields.texts import Texts
from crm_core.declarations import schema_fields


class Codes(fields.List):
    """A multi-choice value: a list of codes, or (from a form or a file) codes separated by
    commas."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def _metadata(decl: FieldDecl) -> dict[str, Any]:
    meta: dict[str, Any] = {"custom": True}
    if decl.label:
        meta["label"] = Texts(decl.label)
    if decl.help:
        meta["help"] = Texts(decl.help)
    if not decl.importable:
        meta["importable"] = False
    if not decl.exportable:
        meta["exportable"] = False
    return meta


def custom_field(decl: FieldDecl) -> fields.Field:
    """The marshmallow field of a custom field declaration."""
    meta = _metadata(decl)
    required = bool(decl.required) and decl.default is None
    options: dict[str, Any] = {"required": required, "allow_none": not decl.required, "metadata": meta}
    if decl.default is not None:
        options["load_default"] = decl.default
    nonempty = [validate.Length(min=1)] if decl.required else []
    kind = decl.type
    if kind == "text":
        return fields.String(validate=[validate.Length(max=decl.max_length), *nonempty], **options)
    if kind == "long_text":
        meta["widget"] = "textarea"
        return fields.String(validate=[validate.Length(max=max(decl.max_length, 4000)), *nonempty], **options)
    if kind == "integer":
        return fields.Integer(**options)
    if kind in ("decimal", "money"):
        return fields.Decimal(places=2 if kind == "money" else None, as_string=True, **options)
    if kind == "date":
        return fields.Date(**options)
    if kind == "datetime":
        return fields.AwareDateTime(default_timezone=UTC, **options)
    if kind == "boolean":
        return fields.Boolean(**options)
    if kind in ("choice", "multi_choice") and decl.vocabulary:
        from crm_core.custom_fields import vocabularies

        meta["choices"] = vocabularies.choices(decl.vocabulary)
        check = vocabularies.InVocabulary(decl.vocabulary, decl.name)
        if kind == "choice":
            return fields.String(validate=check, **options)
        return Codes(fields.String(validate=check, metadata={"choices": meta["choices"]}), **options)
    if kind in ("choice", "multi_choice"):
        codes = [code for code, _labels in decl.choices]
        labels = [Texts(texts) for _code, texts in decl.choices]
        one_of = validate.OneOf(codes, labels=labels)  # type: ignore[arg-type]
        if kind == "choice":
            return fields.String(validate=one_of, **options)
        meta["choices_of_items"] = True
        return Codes(fields.String(validate=one_of), **options)
    if kind == "lookup":
        meta["lookup"] = decl.lookup
        return fields.Integer(**options)
    if kind == "email":
        return fields.Email(validate=validate.Length(max=decl.max_length), **options)
    if kind == "phone":
        meta["widget"] = "phone"
        return fields.String(validate=[validate.Length(max=40), *nonempty], **options)
    if kind == "url":
        return fields.Url(validate=validate.Length(max=decl.max_length), **options)
    raise ValueError(f"unknown custom field type {kind!r}")


def builtin_field(original: fields.Field, decl: FieldDecl) -> fields.Field:
    """A copy of a built-in field with the client's settings (label, help, required, hidden)."""
    fld = copy.copy(original)
    fld.metadata = dict(original.metadata)
    if decl.label:
        fld.metadata["label"] = Texts(decl.label)
    if decl.help:
        fld.metadata["help"] = Texts(decl.help)
    if decl.hidden:
        fld.metadata["hidden"] = True
    if decl.vocabulary:
        from crm_core.custom_fields import vocabularies

        fld.metadata["choices"] = vocabularies.choices(decl.vocabulary)
        fld.validators = [v for v in original.validators if not hasattr(v, "choices")]
        fld.validators.append(vocabularies.InVocabulary(decl.vocabulary, decl.name))
    if decl.required is True and not original.required:
        fld.required, fld.allow_none = True, False
        fld.load_default = missing
        if isinstance(fld, fields.String):
            fld.validators = [*original.validators, validate.Length(min=1)]
    elif decl.required is False and original.required:
        fld.required = False
    return fld


def _ordered(names: Sequence[str], positions: Mapping[str, int]) -> list[str]:
    """``names`` with each positioned name at its (1-based) place; the others keep their order."""
    rest = [n for n in names if n not in positions]
    for name, position in sorted(positions.items(), key=lambda item: item[1]):
        rest.insert(min(position - 1, len(rest)), name)
    return rest


def _parents_rule(decls: Sequence[FieldDecl]) -> Any:
    """A schema rule: each hierarchical field's value belongs to its parent field's value (the
    parent taken from the input, else from the element being changed)."""
    from marshmallow import ValidationError, validates_schema

    from crm_core.custom_fields import vocabularies
    from crm_core.custom_fields.context import EDITED

    @validates_schema
    def rule(self: Schema, data: dict[str, Any], **_kwargs: Any) -> None:
        element = EDITED.get()
        for decl in decls:
            if decl.name not in data and decl.parent not in data:
                continue
            value = data.get(decl.name, getattr(element, decl.name, None))
            parent = data.get(decl.parent, getattr(element, decl.parent or "", None))
            problem = vocabularies.parent_problem(decl.vocabulary or "", value, parent)
            if problem:
                raise ValidationError({decl.name: [problem]})

    return rule


def client_schema(base: type[Schema], decls: Sequence[FieldDecl]) -> type[Schema]:
    """``base`` with the client's custom fields added and built-in settings applied, its fields
    in the client's order (a subclass: the plugin's validators and hooks still run)."""
    declared = schema_fields(base)
    attrs: dict[str, Any] = {}
    for decl in decls:
        attrs[decl.name] = custom_field(decl) if decl.custom else builtin_field(declared[decl.name], decl)
    parents = [d for d in decls if d.parent and d.vocabulary]
    if parents:
        attrs["_crm_vocabulary_parents"] = _parents_rule(parents)
    derived = type(base.__name__, (base,), attrs)
    fields_now = derived._declared_fields  # type: ignore[attr-defined]
    # positions count the fields a form shows; read-only ones (id, status …) follow them
    editable = [n for n, f in fields_now.items() if not f.dump_only]
    names = _ordered(editable, {d.name: d.position for d in decls if d.position})
    names += [n for n, f in fields_now.items() if f.dump_only]
    derived._declared_fields = {n: fields_now[n] for n in names}  # type: ignore[attr-defined]
    derived.__module__ = base.__module__
    return derived
