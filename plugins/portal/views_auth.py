"""The portal's sign-in pages: login (with the optional one-time code), logout, the invitation
and reset links, and the language switch (EXT-13). Rules in :mod:`plugins.portal.accounts`."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_babel import gettext as _
from flask_babel import refresh
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm_core.toolkit import BusinessRuleError, logins, session, unit_of_work
from plugins.portal import accounts, realm
from plugins.portal.forms import CodeForm, LoginForm, PasswordForm, ResetForm

LANGUAGES = {"en": "English", "es": "Español"}


def safe_next(target: str | None) -> str:
    """Only portal paths are followed after sign-in: never a staff page, never another site."""
    if not target or "\\" in target:
        return url_for("portal.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/portal/") or target.startswith("//"):
        return url_for("portal.home")
    return target


def _signed(user: accounts.PortalUser, stage: str, target: str) -> Response:
    cookie_session["lang"] = user.language
    return realm.set_cookie(redirect(target), user, stage)


def _throttled(form: FlaskForm, throttled: bool) -> bool:
    """Whether the sign-in step is refused for too many failures; the form then says why."""
    if throttled:
        form.form_errors.append(_("Too many failed attempts. Wait a few minutes and try again."))
    return throttled


def register(bp: Blueprint) -> None:
    @bp.route("/login", methods=["GET", "POST"])
    def login():  # type: ignore[no-untyped-def]
        if realm.signed_in() is not None:
            return redirect(url_for("portal.home"))
        form = LoginForm()
        status = 200
        if form.validate_on_submit():
            db = session()
            email, address = form.email.data.strip().lower(), logins.client_address()
            if _throttled(form, accounts.throttled(db, email, address)):
                status = 429
            else:
                with unit_of_work():
                    user = accounts.authenticate(db, email, form.password.data, address)
                    if user is not None and user.second_factor:
                        accounts.send_code(db, user)
                if user is not None:
                    if user.second_factor:
                        return _signed(user, "code", url_for("portal.code", next=request.args.get("next")))
                    return _signed(user, "in", safe_next(request.args.get("next")))
                form.form_errors.append(_("Wrong e-mail or password."))
                status = 401
        elif request.method == "POST":
            status = 400
        return render_template("portal/login.html", form=form), status

    @bp.route("/code", methods=["GET", "POST"])
    def code():  # type: ignore[no-untyped-def]
        user = realm.signed_in("code")
        if user is None:
            return redirect(url_for("portal.login"))
        form = CodeForm()
        status = 200
        if form.validate_on_submit():
            db = session()
            name, address = accounts.THROTTLE_PREFIX + user.email, logins.client_address()
            if _throttled(form, logins.is_throttled(db, name, address)):
                status = 429
            else:
                with unit_of_work():
                    ok = accounts.check_code(db, user, form.code.data)
                    if not ok:
                        logins.record_failure(db, name, address)
                if ok:
                    return _signed(user, "in", safe_next(request.args.get("next")))
                form.form_errors.append(_("This code is not right or no longer valid."))
                status = 401
        elif request.method == "POST":
            status = 400
        return render_template("portal/code.html", form=form), status

    @bp.route("/code/again", methods=["POST"])
    def code_again():  # type: ignore[no-untyped-def]
        user = realm.signed_in("code")
        if user is None:
            return redirect(url_for("portal.login"))
        db = session()
        name, address = accounts.THROTTLE_PREFIX + user.email, logins.client_address()
        if logins.is_throttled(db, name, address):
            flash(_("Too many failed attempts. Wait a few minutes and try again."), "danger")
            return redirect(url_for("portal.code"))
        with unit_of_work():
            accounts.send_code(db, user)
            logins.record_failure(db, name, address)  # resends count: no flooding the mailbox
        flash(_("A new code is on its way."), "info")
        return redirect(url_for("portal.code"))

    @bp.route("/logout", methods=["POST"])
    def logout():  # type: ignore[no-untyped-def]
        """Ends the session on the server: a copy of the cookie opens nothing after."""
        user = realm.signed_in() or realm.signed_in("code")
        if user is not None:
            with unit_of_work():
                realm.end_sessions(user)
        flash(_("You have been signed out."), "info")
        return realm.clear_cookie(redirect(url_for("portal.login")))

    @bp.route("/welcome/<token>", methods=["GET", "POST"], endpoint="welcome")
    @bp.route("/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
    def set_password(token: str):  # type: ignore[no-untyped-def]
        db = session()
        if accounts.live_token(db, token, ("invite", "reset")) is None:
            return render_template("portal/link_expired.html"), 410
        form = PasswordForm()
        status = 200
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    user = accounts.set_password(db, token, form.password.data)
            except BusinessRuleError as exc:
                db.rollback()
                form.password.errors = [*form.password.errors, str(exc)]
                status = 400
            else:
                flash(_("Your password is set. Sign in with it."), "success")
                cookie_session["lang"] = user.language
                return realm.clear_cookie(redirect(url_for("portal.login")))
        elif request.method == "POST":
            status = 400
        return render_template("portal/set_password.html", form=form), status

    @bp.route("/reset", methods=["GET", "POST"])
    def reset():  # type: ignore[no-untyped-def]
        form = ResetForm()
        status = 200
        if form.validate_on_submit():
            db = session()
            email, address = form.email.data.strip().lower(), logins.client_address()
            if _throttled(form, accounts.throttled(db, email, address)):
                status = 429
            else:
                with unit_of_work():
                    accounts.request_reset(db, email)
                    # Each request counts like a failure: resets cannot be used to flood a mailbox.
                    logins.record_failure(db, accounts.THROTTLE_PREFIX + email, address)
                flash(_("If this address has a portal login, a link to choose a new password is on its way."), "info")
                return redirect(url_for("portal.login"))
        elif request.method == "POST":
            status = 400
        return render_template("portal/reset.html", form=form), status

    @bp.route("/language/<code>", methods=["POST"])
    def language(code: str):  # type: ignore[no-untyped-def]
        if code not in LANGUAGES:
            flash(_("Unknown language."), "danger")
        else:
            cookie_session["lang"] = code
            user = realm.signed_in()
            if user is not None:
                with unit_of_work() as db:
                    db.merge(user).language = code
        referrer = urlsplit(request.referrer or "").path
        return redirect(safe_next(referrer))

    @bp.before_request
    def _per_request() -> None:
        # Per request, even where an app context is reused (tests, CLI): who is signed in and
        # which language they chose a moment ago.
        g.pop("portal_identity", None)
        refresh()
