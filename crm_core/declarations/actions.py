"""Actions on a record and the workflow of its status field (CORE-14)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marshmallow import Schema
    from sqlalchemy.orm import Session as DbSession

    from crm_core.declarations.session import SessionDef
    from crm_core.models.auth import User
    from crm_core.security.access import Access


@dataclass(frozen=True)
class ActionContext:
    """What an action handler receives. ``data`` is already validated by the action schema;
    ``access`` is the acting user's resolved permissions (check with it, never reload them)."""

    sdef: SessionDef
    element: Any
    data: Mapping[str, Any]
    user: User
    db: DbSession
    access: Access


@dataclass(frozen=True)
class Action:
    """A business operation on one element (qualify, close won …), shown only when available.

    ``handler`` runs inside the caller's unit of work; it raises ``BusinessRuleError`` to refuse.
    Its return value (e.g. the element created) is reported to the user and the API.
    """

    name: str
    label: str
    handler: Callable[[ActionContext], Any]
    schema: type[Schema] | None = None
    available: Callable[[Any], bool] = lambda element: True
    permission: str = "modify"
    confirm: str | None = None
    #: Offered in place by the timeline's composer (a quick form under the record's history,
    #: e.g. "Send email", "Add activity"), besides the detail screen's action buttons.
    composer: bool = False


@dataclass(frozen=True)
class Transition:
    """One allowed move of a workflow: ``source`` → ``target``, made by the action ``action``.

    Without an action the move is a direct edit of the state field (form, API, import). A
    transition whose source and target are the same state declares an action that works in that
    state without leaving it (an active opportunity changing stage).
    """

    source: str
    target: str
    action: str | None = None


@dataclass(frozen=True)
class Workflow:
    """A session's state machine, as Tryton's ``_transitions``: the moves ``field`` may make and
    the action that makes each one. The core refuses every other change with a message naming
    the visible states, hides actions that have no transition from the current state and records
    each transition in the audit trail (:mod:`crm_core.services.workflow`).

    An action named by no transition is not governed: it is available in every state (subject to
    its own ``available``). ``initial`` is the state every new element must start in.
    """

    transitions: tuple[Transition, ...]
    field: str = "status"
    initial: str | None = None

    def __post_init__(self) -> None:
        seen = set()
        for t in self.transitions:
            if t in seen:
                raise ValueError(f"workflow of {self.field!r}: transition {t.source!r} → {t.target!r} declared twice")
            seen.add(t)

    @property
    def states(self) -> frozenset[str]:
        return frozenset(s for t in self.transitions for s in (t.source, t.target))

    def governs(self, action: str) -> bool:
        """Whether some transition is made by ``action`` (else the workflow leaves it alone)."""
        return any(t.action == action for t in self.transitions)

    def can_run(self, action: str, state: str) -> bool:
        """Whether ``action`` may run on an element in ``state``."""
        return not self.governs(action) or any(t.action == action and t.source == state for t in self.transitions)

    def allows(self, source: str, target: str, action: str | None = None) -> bool:
        return Transition(source, target, action) in self.transitions

    def targets(self, source: str, action: str | None = None) -> list[str]:
        """The states ``action`` (or a direct edit) may move an element in ``source`` to."""
        return [t.target for t in self.transitions if t.source == source and t.action == action]
