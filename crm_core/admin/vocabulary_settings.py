"""Configuration → Vocabularies (EXT-15): the values of the lists choice fields use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.custom_fields import vocabularies
from crm_core.custom_fields.declarations import NAME
from crm_core.errors import BusinessRuleError
from crm_core.models.vocabularies import VocabularyValue

LANGUAGES = ("en", "es")


def lists(db: DbSession) -> dict[str, list[VocabularyValue]]:
    """Every vocabulary's values, by vocabulary name, in their order."""
    out: dict[str, list[VocabularyValue]] = {}
    rows = db.scalars(select(VocabularyValue).order_by(VocabularyValue.vocabulary, VocabularyValue.position,
                                                       VocabularyValue.code))
    for row in rows:
        out.setdefault(row.vocabulary, []).append(row)
    return out


def save_value(db: DbSession, form: Mapping[str, Any]) -> VocabularyValue:
    """Add a value, or change the labels, parent and position of the value with that code."""
    vocabulary = str(form.get("vocabulary", "")).strip()
    code = str(form.get("code", "")).strip()
    parent = str(form.get("parent_code", "")).strip() or None
    if not NAME.match(vocabulary):
        raise BusinessRuleError(_("A list name is lower-case letters, digits and _, starting with a letter."),
                                field="vocabulary")
    if not code or len(code) > 60 or any(c in code for c in ", \t\n"):
        raise BusinessRuleError(_("A code has 1 to 60 characters, without spaces or commas."), field="code")
    labels = {lang: str(form.get(f"label_{lang}", "")).strip() for lang in LANGUAGES}
    labels = {lang: text for lang, text in labels.items() if text}
    if not labels:
        raise BusinessRuleError(_("Give the value a label in at least one language."), field="label_en")
    if any(len(text) > 120 for text in labels.values()):
        raise BusinessRuleError(_("Labels have at most 120 characters."), field="label_en")
    raw_position = str(form.get("position", "")).strip() or "100"
    if not raw_position.isdigit() or int(raw_position) > 9999:
        raise BusinessRuleError(_("The position must be a whole number from 0 to 9999."), field="position")
    if parent is not None and len(parent) > 60:
        raise BusinessRuleError(_("A code has 1 to 60 characters, without spaces or commas."), field="parent_code")
    row = db.scalar(select(VocabularyValue).where(VocabularyValue.vocabulary == vocabulary,
                                                  VocabularyValue.code == code))
    if row is None:
        row = VocabularyValue(vocabulary=vocabulary, code=code, active=True)
        db.add(row)
    row.labels, row.parent_code, row.position = labels, parent, int(raw_position)
    db.flush()
    vocabularies.forget()
    return row
