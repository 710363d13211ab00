"""Forms of the configuration screens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from crm_core.i18n import LANGUAGES


def _group_id(value: object) -> int | None:
    """The chosen group's id; the empty "Choose a group" entry is no group."""
    return None if value in ("", None) else int(value)  # type: ignore[call-overload]


class UserForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(r"^[\w.@+-]+$", message=_l("Letters, digits and . @ + - _ only.")),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=255)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    group_id = SelectField(
        _l("Group"), coerce=_group_id, validators=[DataRequired(message=_l("Choose a group."))]
    )
    language = SelectField(_l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    timezone = StringField(_l("Time zone"), default="UTC", validators=[DataRequired(), Length(max=64)])
    is_admin = BooleanField(_l("Administrator"))
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=255)])
    sees_all = BooleanField(_l("Leader group: may see all records"))


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is the confirmation of a destructive POST."""
