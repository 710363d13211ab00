"""The page where users create and revoke their own API tokens (``/account/tokens``).

A new token's secret is shown once, on the page that created it; afterwards only its prefix
is displayed, because only the SHA-256 digest is stored.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_core.api.auth import create_token, revoke_token, user_tokens
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError

account_bp = Blueprint("account", __name__, url_prefix="/account")


@account_bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():  # type: ignore[no-untyped-def]
    secret = None
    error = None
    status = 200
    if request.method == "POST":
        try:
            with unit_of_work() as db:
                _token, secret = create_token(db, current_user, request.form.get("name", ""))
        except BusinessRuleError as exc:
            error, status = str(exc), 400
    rows = user_tokens(db_session(), current_user)
    return render_template("api/tokens.html", tokens=rows, secret=secret, error=error), status


@account_bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        token = revoke_token(db, current_user, token_id)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("account.tokens"))
