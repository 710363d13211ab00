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


def state_name(session: SessionDef, code: str) -> str:
    """The visible name of state ``code``: the customer's status name, else the declared label."""
    if session.workflow is not None and session.workflow.field != session.status_field:
        return code
    return str(crm_state().registry.status_label(session, code))


def _what(session: SessionDef) -> str:
    return str(session.singular or session.label)


def _state(session: SessionDef, element: Any) -> str:
    assert session.workflow is not None
    return getattr(element, session.workflow.field)


def action_refusal(session: SessionDef, action: Action, element: Any) -> str | None:
    """Why ``action`` cannot run on ``element`` now, or ``None`` when it can: the workflow has no
    transition for it from the element's state, or the action's own ``available`` says no."""
    workflow = session.workflow
    if workflow is not None and not workflow.can_run(action.name, _state(session, element)):
        return _(
            "“%(action)s” is not possible: the %(what)s is %(state)s.",
            action=action.label,
            what=_what(session),
            state=state_name(session, _state(session, element)),
        )
    if not action.available(element):
        return _("“%(a)s” is not possible in the record's current state.", a=action.label)
    return None


def allowed_actions(session: SessionDef, element: Any) -> list[Action]:
    """The session's actions that may run on ``element`` in its current state (permissions aside)."""
    return [a for a in session.actions if action_refusal(session, a, element) is None]


def check_action(session: SessionDef, element: Any, name: str) -> None:
    """Raise ``BusinessRuleError`` unless the action ``name`` may run on ``element`` now."""
    action = session.action(name)
    refusal = action_refusal(session, action, element) if action is not None else None
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


def check_transition(session: SessionDef, element: Any, to_state: str, action: str | None = None) -> None:
    """Raise ``BusinessRuleError`` (on the state field) unless the session's workflow lets
    ``action`` (a direct edit when ``None``) move ``element`` to ``to_state``."""
    workflow = session.workflow
    if workflow is None:
        return
    if action is not None:
        check_action(session, element, action)
    refusal = move_refusal(
        workflow, _what(session), _state(session, element), to_state, lambda s: state_name(session, s), action
    )
    if refusal is not None:
        raise BusinessRuleError(refusal, field=workflow.field)


def transition(db: DbSession, session: SessionDef, element: Any, to_state: str, user: User, action: str) -> None:
    """Move ``element`` to ``to_state`` by ``action`` after checking the workflow. The flush
    records the move in the audit trail (old → new state) under ``action`` — or under the action
    already running, when this is part of one (one row per change set, never two)."""
    check_transition(session, element, to_state, action)
    assert session.workflow is not None
    with audit.audit_context(action=action, user=user):
        setattr(element, session.workflow.field, to_state)
        db.flush()


def check_edit(session: SessionDef, element: Any | None, values: Mapping[str, Any]) -> None:
    """A direct edit (form, API, import) of a workflow's state field: a new element starts in the
    ``initial`` state, an existing one moves only along a transition without an action. Raises
    ``ValidationError`` on the field, so forms, the API and imports report it like any field."""
    workflow = session.workflow
    if workflow is None or workflow.field not in values:
        return
    target = values[workflow.field]
    if element is None:
        if workflow.initial is not None and target != workflow.initial:
            message = _(
                "A new %(what)s starts as %(state)s.", what=_what(session), state=state_name(session, workflow.initial)
            )
            raise ValidationError({workflow.field: [message]})
        return
    if target == _state(session, element):
        return
    refusal = move_refusal(
        workflow, _what(session), _state(session, element), target, lambda s: state_name(session, s)
    )
    if refusal is not None:
        raise ValidationError({workflow.field: [refusal]})
