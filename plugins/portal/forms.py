"""The portal's forms (Flask-WTF: every POST carries the CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from plugins.portal.requests import MAX_COMMENT


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=255)], render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=12)],
                       render_kw={"autocomplete": "one-time-code"})


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the password"),
        render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ResetForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(message=_l("Not a valid e-mail address.")),
                                                 Length(max=255)])


class RequestForm(FlaskForm):
    type = SelectField(_l("What is it about?"), validators=[DataRequired()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Describe what happens"), validators=[DataRequired(), Length(max=MAX_COMMENT)])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT)])
    attachment = FileField(_l("Attach a file"))


class AccountForm(FlaskForm):
    second_factor = BooleanField(_l("Ask for a code sent by e-mail each time I sign in"))
