"""Declared workflows: the one place that decides whether an element may change state.

A session's :class:`~crm_core.declarations.Workflow` lists the allowed moves of its state field
and the action that makes each one. Screens and the API ask :func:`allowed_actions` /
:func:`check_action` before running an action, :func:`check_edit` guards direct edits of the
state field on every write path (it runs inside ``elements.validate``), and business services
change state only through :func:`transition`, which checks the move and records it in the audit
trail with the visible state names and the action's name (CORE-15). Plugins with a state machine
of their own (the sales pipeline's stages, SAL-10) reuse :func:`move_refusal` for the same message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import Action, SessionDef, Workflow
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.services import audit


def state_name(sdef: SessionDef, code: str) -> str:
    """The visible name of state ``code``: the customer's status name, else the declared label."""
    if sdef.workflow is not None and sdef.workflow.field != sdef.status_field:
        return code
    return str(crm_state().registry.status_label(sdef, code))


def _what(sdef: SessionDef) -> str:
    return str(sdef.singular or sdef.label)


def _state(sdef: SessionDef, element: Any) -> str:
    assert sdef.workflow is not None
    return getattr(element, sdef.workflow.field)


def action_refusal(sdef: SessionDef, action: Action, element: Any) -> str | None:
    """Why ``action`` cannot run on ``element`` now, or ``None`` when it can: the workflow has no
    transition for it from the element's state, or the action's own ``available`` says no."""
    workflow = sdef.workflow
    if workflow is not None and not workflow.can_run(action.name, _state(sdef, element)):
        return _(
            "“%(action)s” is not possible: the %(what)s is %(state)s.",
            action=action.label,
            what=_what(sdef),
            state=state_name(sdef, _state(sdef, element)),
        )
    if not action.available(element):
        return _("“%(a)s” is not possible in the record's current state.", a=action.label)
    return None


def allowed_actions(sdef: SessionDef, element: Any) -> list[Action]:
    """The session's actions that may run on ``element`` in its current state (permissions aside)."""
    return [a for a in sdef.actions if action_refusal(sdef, a, element) is None]


def check_action(sdef: SessionDef, element: Any, name: str) -> None:
    """Raise ``BusinessRuleError`` unless the action ``name`` may run on ``element`` now."""
    action = sdef.action(name)
    refusal = action_refusal(sdef, action, element) if action is not None else None
    if refusal is not None:
        raise BusinessRuleError(refusal)


def move_refusal(
    workflow: Workflow,
    what: str,
    source: str,
    target: str,
    label: Callable[[str], str],
    action: str | None = None,
) -> str | None:
    """The message refusing ``source`` → ``target`` by ``action`` (a direct edit when ``None``)
    in ``workflow``, or ``None`` when the move is allowed; ``label`` names states for users."""
    if workflow.allows(source, target, action):
        return None
    names = {"what": what, "old": label(source), "new": label(target)}
    onward = workflow.targets(source, action)
    if onward:
        return _(
            "The %(what)s cannot go from %(old)s to %(new)s; from %(old)s it can go to %(allowed)s.",
            allowed=", ".join(label(s) for s in onward),
            **names,
        )
    return _("The %(what)s cannot go from %(old)s to %(new)s.", **names)


def check_transition(sdef: SessionDef, element: Any, to_state: str, action: str | None = None) -> None:
    """Raise ``BusinessRuleError`` (on the state field) unless the session's workflow lets
    ``action`` (a direct edit when ``None``) move ``element`` to ``to_state``."""
    workflow = sdef.workflow
    if workflow is None:
        return
    if action is not None:
        check_action(sdef, element, action)
    refusal = move_refusal(
        workflow, _what(sdef), _state(sdef, element), to_state, lambda s: state_name(sdef, s), action
    )
    if refusal is not None:
        raise BusinessRuleError(refusal, field=workflow.field)


def transition(db: DbSession, sdef: SessionDef, element: Any, to_state: str, user: User, action: str) -> None:
    """Move ``element`` to ``to_state`` by ``action`` after checking the workflow. The flush
    records the move in the audit trail (old → new state) under ``action`` — or under the action
    already running, when this is part of one (one row per change set, never two)."""
    check_transition(sdef, element, to_state, action)
    assert sdef.workflow is not None
    with audit.audit_context(action=action, user=user):
        setattr(element, sdef.workflow.field, to_state)
        db.flush()


def check_edit(sdef: SessionDef, element: Any | None, values: Mapping[str, Any]) -> None:
    """A direct edit (form, API, import) of a workflow's state field: a new element starts in the
    ``initial`` state, an existing one moves only along a transition without an action. Raises
    ``ValidationError`` on the field, so forms, the API and imports report it like any field."""
    workflow = sdef.workflow
    if workflow is None or workflow.field not in values:
        return
    target = values[workflow.field]
    if element is None:
        if workflow.initial is not None and target != workflow.initial:
            message = _(
                "A new %(what)s starts as %(state)s.", what=_what(sdef), state=state_name(sdef, workflow.initial)
            )
            raise ValidationError({workflow.field: [message]})
        return
    if target == _state(sdef, element):
        return
    refusal = move_refusal(
        workflow, _what(sdef), _state(sdef, element), target, lambda s: state_name(sdef, s)
    )
    if refusal is not None:
        raise ValidationError({workflow.field: [refusal]})
