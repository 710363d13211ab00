"""Fields plugins add to the user profile (``crm_user_fields``): the users screen and My account
build their forms with them, fill them and save them in the form's one transaction."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session as DbSession
from wtforms import StringField
from wtforms.validators import Length, Optional

from crm_core.declarations import UserField
from crm_core.errors import BusinessRuleError, ConfigError
from crm_core.extensions import crm_state


def declared(self_service: bool = False) -> list[UserField]:
    """Every plugin's user fields (only those a user edits on My account when ``self_service``)."""
    out: list[UserField] = []
    for part in crm_state().pm.hook.crm_user_fields():
        out.extend(part or [])
    names = [f.name for f in out]
    if len(names) != len(set(names)):
        raise ConfigError(f"two plugins declare the user field {sorted(n for n in names if names.count(n) > 1)[0]!r}")
    return [f for f in out if f.self_service] if self_service else out


def with_fields(form_class: type[FlaskForm], extra: list[UserField]) -> type[FlaskForm]:
    """``form_class`` with one optional text field per user field."""
    if not extra:
        return form_class
    attrs = {
        f.name: StringField(f.label, description=f.description, validators=[Optional(), Length(max=f.max_length)])
        for f in extra
    }
    return type(form_class.__name__, (form_class,), attrs)


def fill(form: Any, extra: list[UserField], db: DbSession, user: Any) -> None:
    """Show each field's stored value (on the first display of the form only)."""
    for f in extra:
        getattr(form, f.name).data = f.load(db, user) if user is not None and user.id is not None else ""


def save(form: Any, extra: list[UserField], db: DbSession, user: Any) -> None:
    """Store what was typed; a refusal names its field so the form shows it there."""
    for f in extra:
        try:
            f.save(db, user, (getattr(form, f.name).data or "").strip())
        except BusinessRuleError as exc:
            raise BusinessRuleError(str(exc), field=f.name) from exc
