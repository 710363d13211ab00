"""Changing one grid cell in place (issue 17 item 5): a session declares the fields its grid
lets users change (``SessionDef.inline_edit``); each such cell of a row the user may change gets
a ✎ link to a small form with that one field. It saves through ``elements.update`` — the
schema's validation (messages shown in place, input kept), field access, the workflow, the
version check (a record someone else saved meanwhile is a 409 that overwrites nothing) and the
audit trail — then goes back to the grid it came from. Plain HTML: no JavaScript needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError, Conflict, NotFound
from crm_core.request_input import int_arg
from crm_core.screens.blueprint import bp
from crm_core.screens.common import grid_sdef, messages_of
from crm_core.screens.forms import FieldSpec, form_fields, parse, submitted, values_of
from crm_core.screens.grid_state import back_args, grid_address, grid_path
from crm_core.security import current_access, get_element
from crm_core.security.access import Access, may_modify
from crm_core.services import elements

#: Stands for a row's id and a column in the cell address built once per page.
ID_MARK, FIELD_MARK = 987654321987, "crm-field-mark"


def editable_fields(sdef: SessionDef, access: Access) -> frozenset[str]:
    """The declared in-place fields ``access`` may change: the modify right, and neither hidden
    nor read-only for their group (field-level access)."""
    if not sdef.inline_edit or not access.can(sdef, "modify"):
        return frozenset()
    rules = access.field_rules(sdef)
    return frozenset(sdef.inline_edit) - rules.hidden - rules.read_only


def cell_editor(sdef: SessionDef, access: Access) -> Callable[[Any, str], str | None] | None:
    """For the grid: the address of a cell's small form, or ``None`` where the user may not
    change that cell (a field not declared, or a record they may only read)."""
    fields = editable_fields(sdef, access)
    if not fields:
        return None
    url = url_for("screens.cell_edit", session_name=sdef.name, element_id=ID_MARK, field=FIELD_MARK,
                  back=grid_address(sdef))
    mark = str(ID_MARK)

    def address(element: Any, name: str) -> str | None:
        if name not in fields or not may_modify(sdef, access, element):
            return None
        return url.replace(mark, str(element.id), 1).replace(FIELD_MARK, name, 1)

    return address


def _spec(sdef: SessionDef, access: Access, name: str) -> FieldSpec:
    assert sdef.schema is not None
    if name not in editable_fields(sdef, access):
        raise NotFound(_("This value cannot be changed here."))
    found = [s for s in form_fields(sdef.schema, sdef, access, db_session()) if s.name == name and not s.locked]
    if not found:
        raise NotFound(_("This value cannot be changed here."))
    return found[0]


@bp.route("/<session_name>/<int:element_id>/cell/<field>", methods=["GET", "POST"])
def cell_edit(session_name: str, element_id: int, field: str):  # type: ignore[no-untyped-def]
    """One field's small form; saving goes back to the grid the link came from."""
    sdef = grid_sdef(session_name)
    access = current_access()
    element = get_element(db_session(), sdef, access, element_id, "modify")
    spec = _spec(sdef, access, field)
    raw_back = request.args.get("back")
    back = raw_back if back_args(sdef, raw_back) is not None else grid_path(sdef)
    values, errors, status = values_of([spec], element), {}, 200
    if request.method == "POST":
        try:
            with unit_of_work() as db:
                changes = elements.update(db, sdef, access, element, parse([spec], request.form),
                                          expected_version=int_arg("version", source=request.form))
        except Conflict as exc:
            values, errors, status = submitted([spec], request.form, element), {"_form": [str(exc)]}, 409
        except ValidationError as exc:
            values, errors, status = submitted([spec], request.form, element), messages_of(exc.messages), 400
        except BusinessRuleError as exc:
            values, errors, status = submitted([spec], request.form, element), {spec.name: [str(exc)]}, 400
        else:
            flash(_("Saved.") if changes else _("Nothing changed."), "success" if changes else "info")
            return redirect(back)
    if set(errors) - {spec.name, "_form"}:  # a rule on another field: shown above the form
        errors = {"_form": [m for ms in errors.values() for m in ms]}
    return render_template("screens/cell_edit.html", sdef=sdef, element=element, spec=spec, values=values,
                           errors=errors, back=back), status
