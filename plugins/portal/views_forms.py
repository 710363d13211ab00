"""Public web-to-lead forms at ``/forms/<slug>`` (EXT-08): served to anyone, embeddable in a
frame by the sites the form names (CSP ``frame-ancestors``), no script. The form carries no
CSRF token — nobody is signed in and a third-party frame may not keep cookies — but a signed
issue time (:func:`plugins.portal.webforms.issue_token`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from crm_core.toolkit import crm_state, csrf_exempt, logins, session, unit_of_work
from plugins.portal import webforms
from plugins.portal.models import WebForm

bp = Blueprint("webforms_public", __name__, url_prefix="/forms", template_folder="templates")
csrf_exempt(bp)


def _form(slug: str) -> WebForm | None:
    form = session().scalar(select(WebForm).where(WebForm.slug == slug[:60]))
    return form if form is not None and form.status == "active" else None


def _csp(form: WebForm | None) -> str:
    ancestors = " ".join(form.embed_origins.split()) if form is not None and form.embed_origins.strip() else "'none'"
    return (f"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            f"base-uri 'none'; frame-ancestors {ancestors}")


def _answer(form: WebForm | None, body: str, status: int) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _csp(form)
    if form is not None and form.embed_origins.strip():
        # CSP frame-ancestors decides in current browsers (they ignore this obsolete value);
        # set here so the core's default "DENY" is not added after this blueprint.
        response.headers["X-Frame-Options"] = f"ALLOW-FROM {form.embed_origins.split()[0]}"
    else:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def _render(form: WebForm, values: dict[str, str], errors: dict, status: int) -> Response:
    html = render_template("portal/webform.html", form=form, fields=webforms.form_fields(form), values=values,
                           errors=errors, token=webforms.issue_token(form.id), honeypot=webforms.HONEYPOT,
                           utm={k: values.get(k, "") for k in webforms.UTM_KEYS},
                           referrer=values.get("referrer", ""))
    return _answer(form, html, status)


@bp.route("/<slug>", methods=["GET", "POST"])
def public_form(slug: str) -> Response:
    form = _form(slug)
    if form is None:
        return _answer(None, render_template("portal/webform_gone.html"), 404)
    if request.method == "GET":
        values = {k: request.args.get(k, "")[:200] for k in webforms.UTM_KEYS if request.args.get(k)}
        values["referrer"] = (request.referrer or "")[:500]
        return _render(form, values, {}, 200)
    limit = int(crm_state().setting("portal", "form_max_bytes", 16_384))
    if (request.content_length or 0) > limit:
        return _answer(form, render_template("portal/webform_refused.html", form=form,
                                             message=_("The form is too large.")), 413)
    posted = {k: v[:5000] for k, v in request.form.items()}
    db = session()
    with unit_of_work():
        outcome = webforms.submit(db, form, posted, logins.client_address(), posted.get("referrer", ""))
    if outcome.status in ("created", "linked", "spam"):
        # Spam sees the same thank-you page as everyone: nothing tells a bot what it tripped.
        return _answer(form, render_template("portal/webform_thanks.html", form=form), 200)
    if outcome.status == "limited":
        return _answer(form, render_template("portal/webform_refused.html", form=form, message=_(
            "Too many forms were sent from your address. Please try again later.")), 429)
    if outcome.status == "too_fast":
        errors = {"": [_("That was quick! Please check the form and send it again.")]}
        return _render(form, posted, errors, 400)
    return _render(form, posted, outcome.errors, 422)
