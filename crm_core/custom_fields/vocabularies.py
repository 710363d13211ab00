"""Vocabularies for choice fields (EXT-15): the values administrators keep on Configuration →
Vocabularies (:class:`~crm_core.models.vocabularies.VocabularyValue`), read once per request.

A field with ``vocabulary = "<name>"`` offers the active values, shows every value's label in
the user's language (an inactive one marked so, on the records that hold it), accepts a new value
only when active — an inactive one only on a record that already holds it — and, with
``parent = "<field>"``, only a value whose parent is that field's value (case type → subtype).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import JSON, Boolean, Integer, String, column, select, table

from crm_core.custom_fields.context import EDITED
from crm_core.custom_fields.texts import Texts

#: ``crm_vocabulary_value`` (model: ``crm_core.models.vocabularies.VocabularyValue``), read
#: without the model so that models may build on this package.
ROWS = table(
    "crm_vocabulary_value", column("vocabulary", String), column("code", String), column("parent_code", String),
    column("labels", JSON), column("active", Boolean), column("position", Integer),
)


#: Where a request keeps the vocabularies it read (the request's, not the app context's).
CACHE = "crm.vocabularies"


@dataclass(frozen=True)
class Value:
    code: str
    parent_code: str | None
    labels: dict[str, str]
    active: bool

    def label(self) -> str:
        text = str(Texts(self.labels)) if self.labels else self.code
        return text if self.active else _("%(label)s (inactive)", label=text)


def values(name: str) -> list[Value]:
    """The values of vocabulary ``name`` in their order (once per request)."""
    cache: dict[str, list[Value]] = request.environ.setdefault(CACHE, {}) if has_request_context() else {}
    if name not in cache:
        from crm_core.db import session

        rows = session().execute(
            select(ROWS.c.code, ROWS.c.parent_code, ROWS.c.labels, ROWS.c.active)
            .where(ROWS.c.vocabulary == name).order_by(ROWS.c.position, ROWS.c.code)
        )
        cache[name] = [Value(code, parent, dict(labels or {}), bool(active)) for code, parent, labels, active in rows]
    return cache[name]


def forget() -> None:
    """Drop this request's cache (after an administrator changed a vocabulary)."""
    if has_request_context():
        request.environ.pop(CACHE, None)


def choices(name: str) -> Any:
    """A ``metadata={"choices": ...}`` callable: ``(code, label)`` of every value."""

    def pairs() -> list[tuple[str, str]]:
        return [(v.code, v.label()) for v in values(name)]

    return pairs


class InVocabulary:
    """The validator of a vocabulary field's value (or of each value of a multi-choice)."""

    def __init__(self, name: str, field_name: str) -> None:
        self.name, self.field_name = name, field_name

    def __call__(self, value: Any) -> None:
        found = {v.code: v for v in values(self.name)}
        item = found.get(value)
        if item is None:
            known = ", ".join(v.code for v in found.values() if v.active)
            raise ValidationError(_("Not a value of the list: %(v)s. Values: %(known)s.", v=value, known=known))
        if not item.active and value not in _held(self.field_name):
            raise ValidationError(_("%(v)s is no longer in use; choose another value.", v=item.label()))


def _held(field_name: str) -> Iterable[Any]:
    """What the element being changed holds in the field (nothing for a new one)."""
    element = EDITED.get()
    current = getattr(element, field_name, None) if element is not None else None
    return current if isinstance(current, list) else [current]


def parent_problem(name: str, value: Any, parent_value: Any) -> str | None:
    """Why ``value`` cannot go with ``parent_value`` (``None`` when it can)."""
    if value in (None, "") or parent_value in (None, ""):
        return None
    item = next((v for v in values(name) if v.code == value), None)
    if item is not None and item.parent_code not in (None, parent_value):
        return _("%(v)s does not belong to %(p)s.", v=item.label(), p=parent_value)
    return None
