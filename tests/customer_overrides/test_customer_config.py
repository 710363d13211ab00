"""customer.toml validation: every mistake stops start-up naming the file and key (PLUG-04)."""

from __future__ import annotations

import textwrap

import pytest

from crm_core.app import create_app
from crm_core.errors import ConfigError
from crm_core.testing.plugin import base_settings
from tests.support import sample


def app_for(tmp_path, toml: str, overrides_py: str | None = None):
    client = tmp_path / "acme"
    client.mkdir()
    (client / "customer.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    if overrides_py is not None:
        (client / "overrides.py").write_text(textwrap.dedent(overrides_py), encoding="utf-8")
    settings = base_settings("sqlite://", CRM_CUSTOMER="acme", CRM_OVERRIDES_DIR=str(tmp_path))
    return create_app(settings, extra_plugins={"sample": sample})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[plugins\nenabled = 1", r"customer.toml: malformed TOML"),
        ('[plugins]\nenabled = ["sample", "nope"]', r"unknown plugin 'nope' in .*customer.toml \[plugins.enabled\]"),
        ('[plugins]\nenabled = "sales"', r"customer.toml \[plugins.enabled\]: must be a list of strings"),
        ("[colours]\nx = 1", r"customer.toml \[colours\]: unknown table"),
        ('[grid.samples]\ncolumns = ["name", "shoe_size"]', r"\[grid.samples.columns\]: unknown column 'shoe_size'"),
        ('[grid.nothing]\ncolumns = ["name"]', r"\[grid.nothing.columns\]: unknown session 'nothing'"),
        ('[menu.sessions.ghost]\nlabel = "Ghost"', r"\[menu.sessions.ghost\]: unknown session 'ghost'"),
        ('[menu]\nmodules = ["marketing"]', r"\[menu.modules\]: unknown module 'marketing'"),
        ('[menu.sessions.samples]\nhidden = "yes"', r"\[menu.sessions.samples.hidden\]: must be true/false"),
        ('[statuses.samples]\n"Open" = "active"\n"Done" = "finished"', r"\[statuses.samples.Done\]: unknown internal state"),
        ('[statuses.samples]\n"Open" = "active"', r"\[statuses.samples\]: every internal state needs a visible name"),
        ('[settings.erp_gl7]\nurl = "x"', r"\[settings.erp_gl7\]: no such enabled plugin"),
        ('[menu.labels]\ntesting = { en = "Tests" }', r"\[menu.labels.testing\]: missing the text in es"),
        ('[menu.labels]\ntesting = { en = "T", es = "P", ro = "T" }', r"\[menu.labels.testing\]: unknown language ro"),
        ('[menu.sessions.samples]\nlabel = 3', r"\[menu.sessions.samples.label\]: must be a text or a table"),
        ('[menu.sessions.samples]\nlabel = { en = "W", es = "" }', r"\[menu.sessions.samples.label\]: missing the text in es"),
        ('[statuses.samples]\nactive = { en = "Open", es = "Abierto" }\nfinished = { en = "Done", es = "Hecho" }',
         r"\[statuses.samples.finished\]: unknown internal state 'finished'"),
        ('[statuses.samples]\nactive = { en = "Open" }\nclosed = { en = "Done", es = "Hecho" }',
         r"\[statuses.samples.active\]: missing the text in es"),
        ('[statuses.samples]\nactive = { en = "Open", es = "Abierto" }', r"\[statuses.samples\]: every internal state needs a visible name"),
        ('[statuses.samples]\n"Open" = "active"\nclosed = { en = "Done", es = "Hecho" }', r"\[statuses.samples\]: use one form per table"),
        ('[groups.Auditors]\nlike = "Bosses"', r"\[groups.Auditors.like\]: must be one of \['Administrators'"),
        ('[groups.Auditors]\nrights = "all"', r"\[groups.Auditors.rights\]: unknown key"),
        ('[groups]\nAuditors = "yes"', r"\[groups.Auditors\]: must be a table"),
    ],
)
def test_bad_configuration_stops_start_up_naming_file_and_key(tmp_path, toml, message):
    with pytest.raises(ConfigError, match=message):
        app_for(tmp_path, '[plugins]\nenabled = ["sample"]\n' + toml if "[plugins" not in toml else toml)


def test_missing_customer_folder_is_named(tmp_path):
    settings = base_settings("sqlite://", CRM_CUSTOMER="ghost", CRM_OVERRIDES_DIR=str(tmp_path))
    with pytest.raises(ConfigError, match=r"customer 'ghost': .*ghost/customer.toml does not exist"):
        create_app(settings)


def test_override_module_that_fails_to_import_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"acme/overrides.py failed to load"):
        app_for(tmp_path, '[plugins]\nenabled = ["sample"]', "raise ImportError('nope')")


def test_valid_configuration_relabels_reorders_hides_and_sets_columns(tmp_path):
    app = app_for(
        tmp_path,
        """
        [plugins]
        enabled = ["sample"]
        [menu]
        modules = ["testing", "configuration"]
        [menu.sessions.samples]
        label = "Widgets"
        [menu.sessions.locked_samples]
        hidden = true
        [grid.samples]
        columns = ["company", "name"]
        [statuses.samples]
        "Open" = "active"
        "In progress" = "active"
        "Done" = "closed"
        """,
    )
    reg = app.extensions["crm"].registry
    menu = reg.menu()
    assert [m.name for m, _ in menu][:2] == ["testing", "configuration"]
    testing_sessions = dict(menu)[reg.modules["testing"]]
    assert [s.label for s in testing_sessions] == ["Widgets"]
    assert reg.sdef("samples").columns == ("company", "name")
    samples = reg.sdef("samples")
    assert reg.visible_statuses(samples) == [("Open", "active"), ("In progress", "active"), ("Done", "closed")]
    assert reg.status_label(samples, "active") == "Open"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[fields.leads.segment]\ntype = "colour"', r"\[fields.leads.segment.type\]: unknown type 'colour'"),
        ('[fields.leads.segment]\ntype = "choice"', r"\[fields.leads.segment.choices\]: a choice field needs choices"),
        ('[fields.leads.segment]\ntype = "text"\nshoe = 1', r"\[fields.leads.segment.shoe\]: unknown key"),
        ('[fields.leads.Segment]\ntype = "text"', r"\[fields.leads.Segment\]: a field name is lower-case"),
        ('[fields.leads.segment]\ntype = "text"\nlabel = { english = "x" }', r"\[fields.leads.segment.label\]: must be a text or a table"),
        ('[fields.leads.segment]\ntype = "integer"\nposition = 0', r"\[fields.leads.segment.position\]: must be a whole number"),
        ('[fields.leads.name]\ntype = "text"', r"\[fields.leads.name\]: 'name' is already a field of 'leads'"),
        ('[fields.leads.shoe_size]\nrequired = true', r"\[fields.leads.shoe_size\]: 'shoe_size' is not a field of 'leads'"),
        ('[fields.leads.name]\nhidden = true', r"\[fields.leads.name\]: 'name' is required, so it cannot be hidden"),
        ('[fields.tasks.budget_code]\ntype = "text"', r"unknown session 'tasks'"),
        ('[fields.ghosts.x]\ntype = "text"', r"\[fields.ghosts.x\]: unknown session 'ghosts'"),
        ('[fields.leads.partner]\ntype = "lookup"\nlookup = "planets"', r"lookup names unknown session 'planets'"),
        ('[fields.leads.size]\ntype = "integer"\ndefault = "big"', r"default 'big' is not a valid value"),
        ('[fields.leads.segment]\ntype = "text"\nhidden = true', r"'hidden' is for built-in fields"),
    ],
)
def test_bad_field_declarations_stop_start_up_naming_file_and_key(tmp_path, toml, message):
    with pytest.raises(ConfigError, match=message):
        app_for(tmp_path, '[plugins]\nenabled = ["sales"]\n' + toml)


def test_a_grid_column_may_name_a_custom_field(tmp_path):
    app = app_for(tmp_path, '[plugins]\nenabled = ["sales"]\n[fields.leads.segment]\ntype = "text"\n'
                  '[grid.leads]\ncolumns = ["name", "segment"]\n')
    assert app.extensions["crm"].registry.sdef("leads").columns == ("name", "segment")


def test_labels_and_statuses_per_language_follow_the_user_language(tmp_path):
    app = app_for(
        tmp_path,
        """
        [plugins]
        enabled = ["sample"]
        [menu.labels]
        testing = { en = "Trials", es = "Pruebas" }
        [menu.sessions.samples]
        label = { en = "Widgets", es = "Artilugios" }
        [statuses.samples]
        active = { en = "Open", es = "Abierto" }
        closed = { en = "Done", es = "Hecho" }
        """,
    )
    reg = app.extensions["crm"].registry
    samples = reg.sdef("samples")
    seen = {}
    for language in ("en", "es"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            seen[language] = (
                str(reg.modules["testing"].label),
                str(samples.label),
                [(str(label), code) for label, code in reg.visible_statuses(samples)],
                str(reg.status_label(samples, "closed")),
            )
    assert seen["en"] == ("Trials", "Widgets", [("Open", "active"), ("Done", "closed")], "Done")
    assert seen["es"] == ("Pruebas", "Artilugios", [("Abierto", "active"), ("Hecho", "closed")], "Hecho")


def test_a_clients_own_group_is_made_once_with_the_rights_of_the_group_it_is_like(tmp_path):
    from sqlalchemy import select

    from crm_core.bootstrap import ensure_groups
    from crm_core.db import Base, unit_of_work
    from crm_core.models.auth import Group, Permission

    app = app_for(tmp_path, '''
        [plugins]
        enabled = ["sample"]
        [groups."Branch managers"]
        description = "Gerentes de agencia"
        like = "Leaders"
        [groups.Auditors]
        ''')
    Base.metadata.create_all(app.extensions["crm_db"].engine)
    with app.app_context():
        registry = app.extensions["crm"].registry
        with unit_of_work() as db:
            ensure_groups(db, registry)
            managers = db.scalar(select(Group).where(Group.name == "Branch managers"))
            managers.description = "changed by an administrator"
        with unit_of_work() as db:
            groups = ensure_groups(db, registry)  # crm init again: kept as the administrator left it
            leaders, managers, auditors = groups["Leaders"], groups["Branch managers"], groups["Auditors"]
            assert managers.sees_all == leaders.sees_all is True and managers.description == "changed by an administrator"

            def rights(group):
                rows = db.scalars(select(Permission).where(Permission.group_id == group.id))
                return {(p.session_name, p.can_view, p.can_modify) for p in rows if p.can_view or p.can_modify}

            assert rights(managers) == rights(leaders) != set() and rights(auditors) == set()
