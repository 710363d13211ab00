"""Every hook specification is exercised by a throw-away plugin and documented in the guide
(PLUG-02, PLUG-05; the datasette practice).

The hook list comes from the plugin manager of an app with every installed plugin, so hooks a
plugin specifies (``pm.add_hookspecs``) count as well as ``crm_core/hookspecs.py``. A new hook
without an exercise in ``tests/core/hook_exercises`` or a row in the guide fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_core.customer import CustomerConfig
from crm_core.plugins import build_plugin_manager
from tests.core.hook_exercises import EXERCISES, RECORDED, Kit
from tests.support import sample

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugin-guide.md"


def specified_hooks() -> list[str]:
    pm, _loaded = build_plugin_manager(None, CustomerConfig(name=""), extra={"sample": sample})
    return sorted(name for name in dir(pm.hook) if name.startswith("crm_") and getattr(pm.hook, name).spec)


HOOKS = specified_hooks()


def _case(hook: str) -> object:
    found = EXERCISES.get(hook)
    if found is None:
        return pytest.param(hook, id=hook)
    plugins = [*found.plugins, "probe"]
    marks = pytest.mark.crm(plugins=plugins, extra_plugins={"probe": found.probe, "sample": sample})
    return pytest.param(hook, id=hook, marks=marks)


@pytest.fixture(autouse=True)
def _fresh_recording():
    RECORDED.clear()
    yield
    RECORDED.clear()


@pytest.mark.parametrize("hook", [_case(h) for h in HOOKS])
def test_every_hook_is_exercised_by_a_throwaway_plugin(hook, crm_app, db, users, client_for, access_for):
    assert hook in EXERCISES, f"{hook} has no exercise: add one to tests/core/hook_exercises"
    EXERCISES[hook].check(Kit(crm_app, db, users, client_for, access_for))


def test_every_exercise_is_of_a_specified_hook():
    assert sorted(set(EXERCISES) - set(HOOKS)) == []


def guide_table() -> dict[str, str]:
    """``{hook: description}`` from the rows of the guide's hook table (`| `crm_x` | kind | what |`)."""
    rows = re.findall(r"^\| `(crm_\w+)` \| [^|]+ \|(.*)\|\s*$", GUIDE.read_text(encoding="utf-8"), re.MULTILINE)
    return {name: description.strip() for name, description in rows}


def test_every_hook_is_documented_in_the_guides_hook_table():
    table = guide_table()
    assert [h for h in HOOKS if h not in table] == []
    assert [h for h in HOOKS if len(table[h].split()) < 4] == []  # a description, not a placeholder


def test_every_hook_the_guides_table_names_exists():
    assert sorted(set(guide_table()) - set(HOOKS)) == []
