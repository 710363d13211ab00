"""Configuration screens: users, groups and the permission matrix (CORE-02..04)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm_core.admin import field_settings, services
from crm_core.admin.forms import ConfirmForm, GroupForm, UserForm
from crm_core.admin.menu import menu_rows, save_menu
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.extensions import crm_state
from crm_core.models.auth import ACTIONS, Group, Permission, User
from crm_core.navigation import stored_menu
from crm_core.request_input import int_arg, page_arg
from crm_core.security import current_access, user_fields
from crm_core.services.queries import like_text

bp = Blueprint("admin", __name__, url_prefix="/config")
PER_PAGE = 50


@bp.before_request
@login_required
def _logged_in() -> None:
    return None


def _get(model: type, ident: int) -> Any:
    obj = db_session().get(model, ident)
    if obj is None:
        raise NotFound(_("No such record."))
    return obj


def _populate(form: Any, target: Any, exclude: set[str]) -> None:
    """``form.populate_obj`` minus fields that are not columns (the clear-text password)."""
    for field in form:
        if field.name not in exclude and field.name != "csrf_token":
            field.populate_obj(target, field.name)


def _save(
    form: Any,
    existing: Any,
    make: Callable[[], Any],
    check: Callable[[DbSession, Any], None],
    message: Callable[[Any], str],
    back: str,
    exclude: frozenset[str] | set[str] = frozenset(),
    after: Callable[[DbSession, Any], None] | None = None,
) -> Response | None:
    """Validate the form and save ``existing`` (or a new ``make()``) in one transaction.

    Returns the redirect on success, None when the form must be shown again with its errors.
    ``after(db, target)`` runs in the same transaction once the target has its id (plugins'
    user fields).
    """
    if not form.validate():
        return None
    db = db_session()
    try:
        with unit_of_work():
            target = existing or make()
            _populate(form, target, set(exclude))
            check(db, target)
            if existing is None:
                db.add(target)
            if after is not None:
                db.flush()
                after(db, target)
    except BusinessRuleError as exc:
        db.expire_all()
        _form_error(form, exc)
        return None
    flash(message(target), "success")
    return redirect(back)


def _form_error(form: Any, exc: BusinessRuleError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        flash(str(exc), "danger")


# --- users --------------------------------------------------------------------------------


@bp.route("/users")
def users():  # type: ignore[no-untyped-def]
    current_access().require("users", "view")
    db = db_session()
    q = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.username)
    if q:
        stmt = stmt.where(like_text(func.lower(User.username), q) | like_text(func.lower(User.full_name), q))
    page = page_arg()
    rows = list(db.scalars(stmt.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)))
    return render_template(
        "admin/users.html", users=rows[:PER_PAGE], page=page, has_next=len(rows) > PER_PAGE, q=q
    )


def _user_form(user: User | None, extra: list[Any]) -> UserForm:
    """The user form with the plugins' user fields; a new user's group starts unchosen, so
    nobody lands in a powerful group by leaving the default."""
    form = user_fields.with_fields(UserForm, extra)(obj=user)
    if request.method == "GET":
        user_fields.fill(form, extra, db_session(), user)
    choices = [SelectChoice(g.id, g.name) for g in db_session().scalars(select(Group).order_by(Group.name))]
    if user is None:
        choices.insert(0, SelectChoice("", _("Choose a group")))
    form.group_id.choices = choices
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int | None = None):  # type: ignore[no-untyped-def]
    access = current_access()
    access.require("users", "view")
    user = _get(User, user_id) if user_id else None
    extra = user_fields.declared()
    form = _user_form(user, extra)
    status = 200
    if request.method == "POST":
        access.require("users", "modify")
        done = _save(
            form,
            user,
            lambda: User(password_hash=""),
            lambda db, target: services.check_user(
                db, target, form.password.data, creating=user is None, acting=access.user
            ),
            lambda target: _("User %(name)s saved.", name=target.username),
            url_for("admin.users"),
            exclude={"password", *(f.name for f in extra)},
            after=lambda db, target: user_fields.save(form, extra, db, target),
        )
        if done is not None:
            return done
        status = 400
    return render_template("admin/user_form.html", form=form, user=user, extra=extra), status


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
def user_delete(user_id: int):  # type: ignore[no-untyped-def]
    current_access().require("users", "modify")
    user = _get(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as db:
                services.delete_user(db, user, current_access().user)
            flash(_("User %(name)s deleted.", name=user.username), "success")
            return redirect(url_for("admin.users"))
        except BusinessRuleError as exc:
            flash(str(exc), "danger")
    return render_template(
        "admin/confirm.html",
        form=form,
        question=_("Delete the user %(name)s? This cannot be undone.", name=user.username),
        back=url_for("admin.user_edit", user_id=user.id),
    )


@bp.post("/users/<int:user_id>/sign-out")
def user_sign_out(user_id: int):  # type: ignore[no-untyped-def]
    """End every browser session of the user (a lost laptop, a leaked cookie)."""
    access = current_access()
    access.require("users", "modify")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work() as db:
            user = _get(User, user_id)
            services.sign_out_everywhere(db, user, access.user)
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
    else:
        flash(_("%(name)s is signed out everywhere.", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


# --- groups -------------------------------------------------------------------------------


@bp.route("/groups")
def groups():  # type: ignore[no-untyped-def]
    current_access().require("groups", "view")
    db = db_session()
    counts = dict(db.execute(select(User.group_id, func.count()).group_by(User.group_id)).all())
    rows = list(db.scalars(select(Group).order_by(Group.name)))
    return render_template("admin/groups.html", groups=rows, counts=counts)


@bp.route("/groups/new", methods=["GET", "POST"])
@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group_edit(group_id: int | None = None):  # type: ignore[no-untyped-def]
    access = current_access()
    access.require("groups", "view")
    group = _get(Group, group_id) if group_id else None
    form = GroupForm(obj=group)
    status = 200
    if request.method == "POST":
        access.require("groups", "modify")
        done = _save(
            form,
            group,
            Group,
            lambda db, target: services.check_group(db, target, access.user),
            lambda target: _("Group %(name)s saved.", name=target.name),
            url_for("admin.groups"),
        )
        if done is not None:
            return done
        status = 400
    return render_template("admin/group_form.html", form=form, group=group), status


@bp.route("/groups/<int:group_id>/delete", methods=["GET", "POST"])
def group_delete(group_id: int):  # type: ignore[no-untyped-def]
    current_access().require("groups", "modify")
    group = _get(Group, group_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as db:
                services.delete_group(db, group)
            flash(_("Group %(name)s deleted.", name=group.name), "success")
            return redirect(url_for("admin.groups"))
        except BusinessRuleError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("admin.groups"))
    return render_template(
        "admin/confirm.html",
        form=form,
        question=_("Delete the group %(name)s?", name=group.name),
        back=url_for("admin.groups"),
    )


# --- permission matrix --------------------------------------------------------------------


@bp.route("/permissions", methods=["GET", "POST"])
def permissions():  # type: ignore[no-untyped-def]
    access = current_access()
    access.require("permissions", "view")
    db = db_session()
    all_groups = list(db.scalars(select(Group).order_by(Group.name)))
    if not all_groups:
        flash(_("Create a group first."), "info")
        return redirect(url_for("admin.groups"))
    group_id = int_arg("group") or all_groups[0].id
    group = _get(Group, group_id)
    registry = crm_state().registry
    menu = registry.menu(with_unavailable=True)  # hidden sessions keep manageable rights
    names = [s.name for _m, sessions in menu for s in sessions]
    form = ConfirmForm()
    if request.method == "POST":
        access.require("permissions", "modify")
        if form.validate_on_submit():
            granted = {n: {a for a in ACTIONS if request.form.get(f"{n}:{a}")} for n in names}
            with unit_of_work():
                services.set_permissions(db, group, names, granted)
            flash(_("Permissions of %(name)s saved.", name=group.name), "success")
            return redirect(url_for("admin.permissions", group=group.id))
        abort(400)
    rows = {p.session_name: p for p in db.scalars(select(Permission).where(Permission.group_id == group.id))}
    return render_template(
        "admin/permissions.html", groups=all_groups, group=group, menu=menu, rows=rows, form=form, actions=ACTIONS,
        available=registry.is_available,
    )


# --- menu ---------------------------------------------------------------------------------


@bp.route("/menu", methods=["GET", "POST"])
def menu():  # type: ignore[no-untyped-def]
    """Relabel, reorder and hide modules and sessions without code (CORE-06)."""
    access = current_access()
    access.require("menu", "view")
    form = ConfirmForm()
    registry = crm_state().registry
    if request.method == "POST":
        access.require("menu", "modify")
        if not form.validate_on_submit():
            abort(400)
        try:
            with unit_of_work() as db:
                save_menu(db, registry, request.form)
        except BusinessRuleError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("admin.menu"))
        flash(_("Menu saved."), "success")
        return redirect(url_for("admin.menu"))
    return render_template("admin/menu.html", rows=menu_rows(registry, stored_menu()), form=form)


# --- fields -------------------------------------------------------------------------------


@bp.route("/fields", methods=["GET", "POST"])
def fields():  # type: ignore[no-untyped-def]
    """Custom fields and built-in field settings without code (EXT-16): the same declarations
    as customer.toml's ``[fields]``, whose own entries are shown read-only."""
    access = current_access()
    access.require("fields", "view")
    form = ConfirmForm()
    values: dict[str, Any] = {}
    error: BusinessRuleError | None = None
    if request.method == "POST":
        access.require("fields", "modify")
        if not form.validate_on_submit():
            abort(400)
        values = request.form.to_dict()
        session_name, name = values.get("session_name", "").strip(), values.get("name", "").strip()
        try:
            with unit_of_work() as db:
                spec = field_settings.spec_from_form(request.form)
                field_settings.save_field(db, session_name, name, spec)
        except BusinessRuleError as exc:
            error = exc
        else:
            field_settings.apply_committed()
            flash(_("Field %(f)s saved: it shows on every screen of %(s)s now.", f=name, s=session_name), "success")
            return redirect(url_for("admin.fields"))
    db = db_session()
    status = 400 if error else 200
    return render_template(
        "admin/fields.html", rows=field_settings.field_rows(db), form=form, values=values, error=error,
        types=field_settings.TYPES, sessions=field_settings.custom_sessions(),
        targets=field_settings.grid_sessions(), languages=field_settings.LANGUAGES,
    ), status


@bp.route("/fields/<int:setting_id>/delete", methods=["GET", "POST"])
def field_delete(setting_id: int):  # type: ignore[no-untyped-def]
    """Remove a stored declaration after confirmation; the values stay in the records."""
    from crm_core.models.menu import FieldSetting

    access = current_access()
    access.require("fields", "modify")
    row = _get(FieldSetting, setting_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work() as db:
            field_settings.delete_field(db, db.get(FieldSetting, row.id))
        field_settings.apply_committed()
        flash(_("Field %(f)s removed. The values stay in the records until an administrator runs "
                "“crm fields drop %(s)s %(f)s”.", f=row.name, s=row.session_name), "success")
        return redirect(url_for("admin.fields"))
    question = _("Remove the field %(f)s of %(s)s? It disappears from every screen; the values already "
                 "entered are kept in the records.", f=row.name, s=row.session_name)
    return render_template("admin/confirm.html", question=question, form=form, back=url_for("admin.fields"))


@bp.route("/fields/access", methods=["GET", "POST"])
def field_access():  # type: ignore[no-untyped-def]
    """Per group, the fields of a session its members may not see or not change (EXT-16):
    pick the group and the session, then visible / read-only / hidden per field."""
    from crm_core.admin import field_access_settings as rules

    access = current_access()
    access.require("fields", "view")
    db = db_session()
    groups = list(db.scalars(select(Group).order_by(Group.name)))
    choices = rules.sessions()
    source = request.form if request.method == "POST" else request.args
    group = next((g for g in groups if str(g.id) == source.get("group", "")), groups[0] if groups else None)
    sdef = next((s for s in choices if s.name == source.get("session_name", "")), choices[0] if choices else None)
    form = ConfirmForm()
    error: BusinessRuleError | None = None
    if request.method == "POST":
        access.require("fields", "modify")
        if not form.validate_on_submit() or group is None or sdef is None:
            abort(400)
        try:
            with unit_of_work() as wdb:
                rules.save(wdb, wdb.get(Group, group.id), sdef, request.form)
        except BusinessRuleError as exc:
            error = exc
        else:
            flash(_("Field access of %(g)s on %(s)s saved: it applies from the next page its members open.",
                    g=group.name, s=sdef.label), "success")
            return redirect(url_for("admin.field_access", group=group.id, session_name=sdef.name))
    rows = rules.rows(db, group, sdef) if group is not None and sdef is not None else []
    return render_template(
        "admin/field_access.html", groups=groups, sessions=choices, group=group, sdef=sdef, rows=rows,
        form=form, error=error, posted=request.form if error else {},
    ), (400 if error else 200)


# --- vocabularies -------------------------------------------------------------------------


@bp.route("/vocabularies", methods=["GET", "POST"])
def vocabularies():  # type: ignore[no-untyped-def]
    """Lists of values for choice fields (EXT-15): add a value or change one (same code)."""
    from crm_core.admin import vocabulary_settings

    access = current_access()
    access.require("vocabularies", "view")
    form = ConfirmForm()
    values: dict[str, Any] = {}
    error: BusinessRuleError | None = None
    if request.method == "POST":
        access.require("vocabularies", "modify")
        if not form.validate_on_submit():
            abort(400)
        values = request.form.to_dict()
        try:
            with unit_of_work() as db:
                row = vocabulary_settings.save_value(db, request.form)
        except BusinessRuleError as exc:
            error = exc
        else:
            flash(_("Value %(c)s of %(v)s saved.", c=row.code, v=row.vocabulary), "success")
            return redirect(url_for("admin.vocabularies", v=row.vocabulary))
    db = db_session()
    return render_template(
        "admin/vocabularies.html", lists=vocabulary_settings.lists(db), form=form, values=values, error=error,
        chosen=request.args.get("v", values.get("vocabulary", "")), languages=field_settings.LANGUAGES,
    ), (400 if error else 200)


@bp.route("/vocabularies/<int:value_id>/active", methods=["POST"])
def vocabulary_active(value_id: int):  # type: ignore[no-untyped-def]
    """Deactivate a value (kept on the records that hold it) or activate it again."""
    from crm_core.models.vocabularies import VocabularyValue

    access = current_access()
    access.require("vocabularies", "modify")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work() as db:
        row = db.get(VocabularyValue, _get(VocabularyValue, value_id).id)
        row.active = not row.active
        vocabulary, code, active = row.vocabulary, row.code, row.active
    flash(_("%(c)s is in use again.", c=code) if active else
          _("%(c)s is no longer offered; records that hold it keep it.", c=code), "success")
    return redirect(url_for("admin.vocabularies", v=vocabulary))
