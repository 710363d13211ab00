"""Element events reach only the implementations that handle the session, with the resolved
access, and imports fire the batch event once per chunk (PLUG-05, contract 2.0)."""

from __future__ import annotations

from typing import Any

import pytest

from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.declarations import Action
from crm_core.events import handles
from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec
from crm_core.plugins import hookimpl
from crm_core.services import elements
from crm_core.testing import make_plugin
from crm_core.testing.plugin import base_settings
from tests.support import sample
from tests.support.sample import Sample

SEEN: list[tuple[str, Any]] = []


@pytest.fixture(autouse=True)
def _fresh():
    SEEN.clear()
    yield
    SEEN.clear()


@handles(sessions=("samples",))
def _samples_only(sdef: Any, element: Any) -> None:
    SEEN.append(("samples_only", sdef.name))


@handles(models=(Sample,))
def _sample_model(sdef: Any, element: Any) -> None:
    SEEN.append(("sample_model", sdef.name))


def _unscoped(sdef: Any, element: Any) -> None:
    SEEN.append(("unscoped", sdef.name))


@hookimpl(wrapper=True)
@handles(sessions=("locked_samples",))
def _locked_wrapper(sdef: Any) -> Any:
    SEEN.append(("wrapper", sdef.name))
    return (yield)


def _create(db: Any, sdef: Any, access: Any, **data: Any) -> Any:
    with unit_of_work():
        return elements.create(db, sdef, access, data)


@pytest.mark.filterwarnings("ignore:plugin 'legacy'.*has no scope:DeprecationWarning")
@pytest.mark.crm(
    plugins=["sample", "narrow", "wide", "legacy", "wrap"],
    extra_plugins={
        "sample": sample,
        "narrow": make_plugin("narrow", crm_element_created=_samples_only),
        "wide": make_plugin("wide", crm_element_created=_sample_model),
        "legacy": make_plugin("legacy", crm_element_created=_unscoped),
        "wrap": make_plugin("wrap", crm_element_created=_locked_wrapper),
    },
)
def test_a_scoped_implementation_is_called_only_for_its_sessions(crm_app, db, access_for):
    registry = crm_app.extensions["crm"].registry
    ana = access_for("ana")
    _create(db, registry.sdef("samples"), ana, name="Open")
    assert sorted(SEEN) == [("sample_model", "samples"), ("samples_only", "samples"), ("unscoped", "samples")]
    SEEN.clear()
    _create(db, registry.sdef("locked_samples"), ana, name="Locked")
    # the wrapper (a pluggy wrapper, scoped) runs around the others, only for its session
    assert SEEN[0] == ("wrapper", "locked_samples")
    assert sorted(SEEN[1:]) == [("sample_model", "locked_samples"), ("unscoped", "locked_samples")]


def _access_seen(sdef: Any, element: Any, access: Any, user: Any) -> None:
    SEEN.append(("access", (access, user)))


def _changes_seen(element: Any, access: Any) -> None:
    SEEN.append(("changed", access))


def _deletion_seen(element: Any, access: Any) -> None:
    SEEN.append(("deleted", access))


@pytest.mark.crm(
    plugins=["sample", "probe"],
    extra_plugins={
        "sample": sample,
        "probe": make_plugin(
            "probe",
            crm_element_created=handles(sessions=("samples",))(_access_seen),
            crm_element_changed=handles(sessions=("samples",))(_changes_seen),
            crm_element_deleted=handles(sessions=("samples",))(_deletion_seen),
        ),
    },
)
def test_events_receive_the_access_the_service_was_given(crm_app, db, access_for):
    sdef = crm_app.extensions["crm"].registry.sdef("samples")
    ana = access_for("ana")
    element = _create(db, sdef, ana, name="One")
    with unit_of_work():
        elements.update(db, sdef, ana, element, {"name": "Two"})
    with unit_of_work():
        elements.delete(db, sdef, ana, element)
    assert [kind for kind, _seen in SEEN] == ["access", "changed", "deleted"]
    given = [SEEN[0][1][0], SEEN[1][1], SEEN[2][1]]
    assert all(access is ana for access in given)  # the very object the service got: nothing reloaded
    assert SEEN[0][1][1] is ana.user


@handles(sessions=("samples",))
def _batch(sdef: Any, elements: list[Any], access: Any) -> None:
    SEEN.append(("batch", ([e.name for e in elements], access)))


@handles(sessions=("samples",))
def _single_of_batch_plugin(element: Any) -> None:
    SEEN.append(("single_of_batch_plugin", element.name))


@handles(sessions=("samples",))
def _single_only(element: Any) -> None:
    SEEN.append(("single_only", element.name))


BATCH_PLUGINS = {
    "sample": sample,
    "both": make_plugin("both", crm_elements_created=_batch, crm_element_created=_single_of_batch_plugin),
    "older": make_plugin("older", crm_element_created=_single_only),
}


@pytest.mark.crm(plugins=["sample", "both", "older"], extra_plugins=BATCH_PLUGINS)
def test_an_import_fires_the_batch_event_once_per_chunk(crm_app, db, access_for):
    sdef = crm_app.extensions["crm"].registry.sdef("samples")
    ana = access_for("ana")
    text = "Name\n" + "".join(f"Row {n}\n" for n in range(5))
    result = run_import(sdef, ana, text, ImportSpec(("name",)), chunk_size=2)
    assert result.created == 5 and result.errors == []
    batches = [seen for kind, seen in SEEN if kind == "batch"]
    assert batches == [(["Row 0", "Row 1"], ana), (["Row 2", "Row 3"], ana), (["Row 4"], ana)]
    # a plugin with the batch hook is not called per row as well; an older one still is
    assert [seen for kind, seen in SEEN if kind == "single_of_batch_plugin"] == []
    assert [seen for kind, seen in SEEN if kind == "single_only"] == [f"Row {n}" for n in range(5)]


@pytest.mark.crm(plugins=["sample", "both", "older"], extra_plugins=BATCH_PLUGINS)
def test_a_single_creation_fires_only_the_single_event(crm_app, db, access_for):
    _create(db, crm_app.extensions["crm"].registry.sdef("samples"), access_for("ana"), name="Alone")
    assert sorted(SEEN) == [("single_of_batch_plugin", "Alone"), ("single_only", "Alone")]


def test_an_unscoped_implementation_is_named_in_a_deprecation_warning_at_start_up():
    legacy = make_plugin("legacy", crm_element_changed=lambda element: None)
    with pytest.warns(DeprecationWarning, match="plugin 'legacy': crm_element_changed has no scope"):
        create_app(base_settings("sqlite://", CRM_PLUGINS="sample,legacy"), extra_plugins={"sample": sample, "legacy": legacy})


def test_bundled_plugins_and_the_core_declare_the_scope_of_their_events(recwarn):
    create_app(base_settings("sqlite://", CRM_PLUGINS="sales,purchasing,activities,messaging,erp_gl7"))
    assert [str(w.message) for w in recwarn if "has no scope" in str(w.message)] == []


@pytest.mark.parametrize("arguments", [{}, {"sessions": ("a",), "every_session": True}])
def test_a_scope_names_sessions_or_models_or_every_session(arguments):
    with pytest.raises(TypeError, match="every_session"):
        handles(**arguments)


def _peek(ctx: Any) -> None:
    SEEN.append(("action", ctx.access))


@pytest.mark.crm(
    plugins=["sample", "probe"],
    extra_plugins={
        "sample": sample,
        "probe": make_plugin("probe", crm_element_actions=lambda sdef: [Action("peek", "Peek", _peek)]),
    },
)
def test_action_handlers_receive_the_access_the_service_was_given(crm_app, db, access_for):
    sdef = crm_app.extensions["crm"].registry.sdef("samples")
    ana = access_for("ana")
    element = _create(db, sdef, ana, name="One")
    with unit_of_work():
        elements.run_action(db, sdef, ana, element, "peek", {})
    assert len(SEEN) == 1 and SEEN[0][1] is ana
