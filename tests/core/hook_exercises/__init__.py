"""One exercise per hook specification, each with a throw-away plugin (the datasette practice).

``tests/core/test_hook_contract.py`` runs ``EXERCISES[name]`` for every hook the plugin
manager specifies and fails for a hook without one, so a new hook cannot ship untested. An
exercise declares the throw-away ``probe`` plugin's implementations and the bundled plugins it
needs; its check drives the app the way users and the core do and asserts what the hook's
docstring promises: when it is called, with what, and what its answer changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.services import elements
from crm_core.testing import make_plugin
from crm_core.testing.plugin import base_settings

#: What the probe's implementations saw, in call order; emptied before each exercise.
RECORDED: list[tuple[str, Any]] = []


@dataclass
class Kit:
    """What an exercise's check works with: the app built with the probe, inside the test's
    transaction, and shortcuts through the same services the screens and the API use."""

    app: Flask
    db: Session
    users: dict[str, Any]
    client_for: Callable[[str], FlaskClient]
    access_for: Callable[[str], Any]

    def sdef(self, name: str) -> Any:
        return self.app.extensions["crm"].registry.sdef(name)

    def create(self, session_name: str, username: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.create(self.db, self.sdef(session_name), self.access_for(username), data)

    def action(self, session_name: str, element: Any, name: str, username: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.run_action(self.db, self.sdef(session_name), self.access_for(username), element, name, data)

    def calls(self, hook: str) -> list[Any]:
        return [seen for name, seen in RECORDED if name == hook]


@dataclass(frozen=True)
class Exercise:
    hook: str
    plugins: tuple[str, ...]
    probe: ModuleType
    check: Callable[[Kit], None]


EXERCISES: dict[str, Exercise] = {}


def exercise(hook: str, impl: Callable[..., Any], plugins: tuple[str, ...] = (), **more: Any) -> Callable[
    [Callable[[Kit], None]], Callable[[Kit], None]
]:
    """Register ``check`` as the exercise of ``hook``: the probe implements it with ``impl``
    (plus ``more`` hooks it needs) and loads after ``plugins``."""

    def register(check: Callable[[Kit], None]) -> Callable[[Kit], None]:
        assert hook not in EXERCISES, f"two exercises for {hook}"
        probe = make_plugin("probe", requires=plugins, **{hook: impl}, **more)
        EXERCISES[hook] = Exercise(hook, plugins, probe, check)
        return check

    return register


def record(hook: str) -> Callable[[Any], None]:
    """``record("crm_x")(value)`` appends what the probe saw in ``crm_x``."""
    return lambda seen: RECORDED.append((hook, seen))


def start(plugins: str, **extra: ModuleType) -> Flask:
    """Start another app (no database needed) to prove what a hook's answer does at start-up."""
    return create_app(base_settings("sqlite://", CRM_PLUGINS=plugins), extra_plugins=extra)


from tests.core.hook_exercises import events, portal, privacy, questions, registration, timeline  # noqa: E402,F401  (they fill EXERCISES)
