"""Login, logout and the language switch (CORE-01, CORE-17)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.i18n import LANGUAGES
from crm_core.models.auth import User
from crm_core.security import throttle, user_fields
from crm_core.security.passwords import hash_password, needs_rehash, password_problem, verify_password
from crm_core.security.sessions import end_sessions

bp = Blueprint("auth", __name__)

#: Hash compared against when the user does not exist, so timing does not reveal user names.
_DUMMY_HASH = hash_password("not-a-real-password")


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    if "\\" in target:
        return url_for("home.index")
    return target


def client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = client_address()
        db = db_session()
        if throttle.is_throttled(db, username, address):
            form.form_errors.append(
                _("Too many failed attempts. Wait a few minutes and try again.")
            )
            status = 429
        else:
            user = db.scalar(select(User).where(func.lower(User.username) == username.lower()))
            ok = verify_password(user.password_hash if user else _DUMMY_HASH, form.password.data)
            if user is not None and ok and user.active:
                with unit_of_work():
                    throttle.clear_failures(db, username)
                    if needs_rehash(user.password_hash):
                        user.password_hash = hash_password(form.password.data)
                cookie_session.clear()
                login_user(user)
                return redirect(safe_next(request.args.get("next")))
            with unit_of_work():
                throttle.record_failure(db, username, address)
            form.form_errors.append(_("Wrong user name or password."))
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    """Log out and revoke the session server-side: a copy of the cookie opens nothing after."""
    with unit_of_work() as db:
        end_sessions(db.get(User, current_user.id))
    logout_user()
    cookie_session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
def language(code: str):  # type: ignore[no-untyped-def]
    if code not in LANGUAGES:
        flash(_("Unknown language."), "danger")
        return redirect(url_for("home.index"))
    cookie_session["lang"] = code
    if current_user.is_authenticated:
        with unit_of_work() as db:
            user = db.get(User, current_user.id)
            user.language = code
    return redirect(safe_next(request.referrer and urlsplit(request.referrer).path))


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[Length(max=120)])
    language = SelectField(_l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    current_password = PasswordField(_l("Current password"), validators=[Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[Length(max=200)],
                                 render_kw={"autocomplete": "new-password"})


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():  # type: ignore[no-untyped-def]
    """A user's own settings: name, language, time zone and password."""
    from zoneinfo import available_timezones

    db = db_session()
    user = db.get(User, current_user.id)
    extra = user_fields.declared(self_service=True)
    form = user_fields.with_fields(ProfileForm, extra)(obj=user)
    if request.method == "GET":
        user_fields.fill(form, extra, db, user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            if form.timezone.data not in available_timezones():
                form.timezone.errors = [_("Unknown time zone.")]
            elif form.new_password.data:
                if not verify_password(user.password_hash, form.current_password.data or ""):
                    form.current_password.errors = [_("The current password is not right.")]
                elif problem := password_problem(
                    form.new_password.data, user_inputs=(user.username, form.full_name.data, user.email)
                ):
                    form.new_password.errors = [problem]
            if not any(f.errors for f in form):
                try:
                    with unit_of_work():
                        user.full_name = form.full_name.data.strip()
                        user.language = form.language.data
                        user.timezone = form.timezone.data
                        user_fields.save(form, extra, db, user)
                        if form.new_password.data:
                            user.password_hash = hash_password(form.new_password.data)
                            end_sessions(user)  # other devices are logged out ...
                except BusinessRuleError as exc:
                    db.expire_all()
                    getattr(form, exc.field).errors = [str(exc)]
                    return render_template("auth/profile.html", form=form, extra=extra), status
                if form.new_password.data:
                    login_user(user)  # ... this one goes on with the new generation
                cookie_session["lang"] = user.language
                flash(_("Your settings are saved."), "success")
                return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, extra=extra), status
