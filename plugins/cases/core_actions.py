"""What a client's Core-system adapter gives the cases plugin (CAS-03): the public contract of
the ``crm_case_core_actions`` hook (``plugins/cases/hookspecs.py``).

A client folder (``customer_overrides/<client>/``) answers the hook with :class:`CoreAction`
declarations; each ``call`` talks to the client's Core system and returns a
:class:`CoreAnswer`, or raises :class:`CoreRefused` (the Core system said no) or
:class:`CoreUnavailable` (it is down, timed out or answered nonsense). The cases plugin does the
rest (``plugins/cases/core_service.py``): the permission check, the form or API input, the
idempotency key, the record of every call on the case, and the user's message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema


@dataclass(frozen=True)
class CoreRequest:
    """One call as the adapter receives it.

    ``key`` is the idempotency key: the same for every retry of one operation (a form submitted
    twice, an API client repeating its ``Idempotency-Key``, the adapter's own retries). A
    money-changing call must pass it to the Core system, which executes a key once.
    """

    case: Any
    account: Any
    data: Mapping[str, Any]
    key: str
    user: Any


@dataclass(frozen=True)
class CoreAnswer:
    """What the Core system answered: ``summary`` is shown to the user (e.g. "Transfer of 120.00
    EUR executed"), ``reference`` identifies the operation in the Core system (a transaction
    number, used to reverse it), ``data`` is recorded on the case as the answer."""

    summary: str
    reference: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


class CoreSystemError(Exception):
    """Base of the adapter's failures; ``message`` is shown to the user (translate it)."""

    def __init__(self, message: str, answer: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.answer = dict(answer or {})


class CoreRefused(CoreSystemError):
    """The Core system answered and refused the operation (insufficient funds, unknown
    account …): nothing was executed; retrying the same request is pointless."""


class CoreUnavailable(CoreSystemError):
    """The Core system did not answer usefully (down, timed out, a server error, a garbled
    answer). For a money-changing call the outcome is unknown: retrying with the same key is
    safe, since the Core system executes a key once."""


@dataclass(frozen=True)
class CoreAction:
    """An action a client's adapter offers on cases.

    ``name`` is unique among the client's Core actions (letters, digits, ``_``); ``label`` is
    shown on the case's "Core system" tab; ``schema`` (marshmallow, optional) validates the
    form or API input — its fields' ``metadata["label"]`` name the form fields; ``money`` marks
    calls that change money (executed at most once per idempotency key, asked to confirm);
    ``available(case)`` hides the action on cases it does not fit.
    """

    name: str
    label: str
    call: Callable[[CoreRequest], CoreAnswer]
    schema: type[Schema] | None = None
    money: bool = False
    available: Callable[[Any], bool] = lambda case: True
    description: str = ""
