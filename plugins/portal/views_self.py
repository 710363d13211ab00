"""The customer's own pages: requests (list, new, one with its public thread, comment and
file), help articles, billing and account settings (EXT-13). Every page is
``customer_required`` and reads through :mod:`plugins.portal.requests`' account rule."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError

from crm_core.toolkit import BusinessRuleError, crm_state, int_arg, session, translated_errors, unit_of_work
from plugins.portal import accounts, requests
from plugins.portal.forms import AccountForm, CommentForm, RequestForm
from plugins.portal.realm import customer_required

ARTICLES_LIMIT = 20


def billing_rows() -> list[tuple[str, str]] | None:
    user = g.portal_user
    return crm_state().pm.hook.crm_portal_billing(account_id=user.account_id, language=str(get_locale()),
                                                  db=session())


def _field_errors(form: object, messages: dict) -> None:
    for name, errors in translated_errors(messages).items():
        field = getattr(form, name, None)
        text = [str(e) for e in (errors if isinstance(errors, list) else [errors])]
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *text]
        else:
            form.form_errors.extend(text)  # type: ignore[attr-defined]


def register(bp: Blueprint) -> None:
    @bp.route("/")
    @customer_required
    def home():  # type: ignore[no-untyped-def]
        page = int_arg("page", 1)
        cases, total = requests.list_cases(session(), g.portal_user, page)
        pages = max(1, -(-total // requests.PAGE_SIZE))
        return render_template("portal/home.html", cases=cases, total=total, page=page, pages=pages,
                               status_label=requests.status_label)

    @bp.route("/requests/new", methods=["GET", "POST"])
    @customer_required
    def new_request():  # type: ignore[no-untyped-def]
        form = RequestForm()
        form.type.choices = requests.type_choices()
        status = 200
        if form.validate_on_submit():
            db = session()
            try:
                with unit_of_work():
                    case = requests.open_request(db, g.portal_user, form.subject.data, form.description.data,
                                                 form.type.data)
            except ValidationError as exc:
                db.rollback()
                _field_errors(form, exc.messages)
                status = 400
            except BusinessRuleError as exc:
                db.rollback()
                form.form_errors.append(str(exc))
                status = 409
            else:
                flash(_("Your request %(number)s is registered.", number=case.number), "success")
                return redirect(url_for("portal.request_page", number=case.number))
        elif request.method == "POST":
            status = 400
        return render_template("portal/new_request.html", form=form), status

    @bp.route("/requests/<number>", methods=["GET", "POST"])
    @customer_required
    def request_page(number: str):  # type: ignore[no-untyped-def]
        db = session()
        case = requests.get_case(db, g.portal_user, number)
        form = CommentForm()
        status = 200
        if request.method == "POST":
            status = 400
            if form.validate_on_submit():
                upload = None
                storage = form.attachment.data
                if storage and getattr(storage, "filename", ""):
                    upload = (storage.filename, storage.read())
                try:
                    with unit_of_work():
                        requests.comment(db, g.portal_user, case, form.body.data, upload)
                except BusinessRuleError as exc:
                    db.rollback()
                    form.body.errors = [*form.body.errors, str(exc)]
                else:
                    flash(_("Your comment is added."), "success")
                    return redirect(url_for("portal.request_page", number=case.number))
        return render_template("portal/request.html", case=case, form=form, thread=requests.thread(db, case),
                               status_label=requests.status_label, final_states=requests.FINAL_STATES), status

    @bp.route("/help")
    @customer_required
    def help_index():  # type: ignore[no-untyped-def]
        text = (request.args.get("q") or "").strip()[:100]
        found = crm_state().pm.hook.crm_portal_articles(text=text, language=str(get_locale()),
                                                        limit=ARTICLES_LIMIT, db=session())
        articles = [a for answer in found for a in answer or []][:ARTICLES_LIMIT]
        return render_template("portal/help.html", articles=articles, q=text)

    @bp.route("/help/<int:article_id>")
    @customer_required
    def help_article(article_id: int):  # type: ignore[no-untyped-def]
        article = crm_state().pm.hook.crm_portal_article(article_id=article_id, db=session())
        if article is None:
            abort(404)
        return render_template("portal/article.html", article=article)

    @bp.route("/billing")
    @customer_required
    def billing():  # type: ignore[no-untyped-def]
        rows = billing_rows()
        if rows is None:
            abort(404)
        return render_template("portal/billing.html", rows=rows)

    @bp.route("/account", methods=["GET", "POST"])
    @customer_required
    def account():  # type: ignore[no-untyped-def]
        user = g.portal_user
        form = AccountForm(obj=user)
        if form.validate_on_submit():
            with unit_of_work():
                user.second_factor = bool(form.second_factor.data)
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("portal.account"))
        return render_template("portal/account.html", form=form, user=user), 400 if request.method == "POST" else 200

    @bp.context_processor
    def _portal_globals() -> dict[str, object]:
        user = g.get("portal_user")
        has_billing = False
        if user is not None:
            has_billing = bool(crm_state().pm.hook.crm_portal_billing.get_hookimpls())
        return {"portal_user": user, "portal_has_billing": has_billing, "portal_languages": accounts.LANGUAGES}
