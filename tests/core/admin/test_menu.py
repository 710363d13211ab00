"""Administrators relabel, reorder and hide menu entries without code (CORE-06)."""

from __future__ import annotations

import pytest

from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def test_admin_relabels_reorders_and_hides_entries(client_for):
    admin = client_for("admin")
    page = admin.get("/config/menu")
    assert page.status_code == 200 and b"session:samples:label" in page.data
    response = admin.post(
        "/config/menu",
        data={
            "session:samples:label": "Widgets",
            "module:testing:position": "0",
            "session:locked_samples:hidden": "1",
        },
    )
    assert response.status_code == 302
    home = client_for("ana").get("/").get_data(as_text=True)
    assert ">Widgets</a>" in home
    assert 'data-session="locked_samples"' not in home
    assert home.index('data-module="testing"') < home.index('data-module="tools"')


def test_clearing_the_fields_restores_the_defaults(client_for):
    admin = client_for("admin")
    admin.post("/config/menu", data={"session:samples:label": "Widgets"})
    admin.post("/config/menu", data={})
    assert ">Samples</a>" in client_for("ana").get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("module:testing:position", "first", b"must be a whole number"), ("module:testing:position", "-3", b"between 0 and 9999")],
)
def test_bad_menu_input_changes_nothing(client_for, field, value, message):
    admin = client_for("admin")
    response = admin.post("/config/menu", data={"session:samples:label": "Widgets", field: value}, follow_redirects=True)
    assert message in response.data
    assert ">Samples</a>" in client_for("ana").get("/").get_data(as_text=True)


def test_hidden_entry_keeps_its_permission_rules(client_for):
    client_for("admin").post("/config/menu", data={"session:samples:hidden": "1"})
    ana = client_for("ana")
    assert 'data-session="samples"' not in ana.get("/").get_data(as_text=True)
    assert ana.get("/s/samples").status_code == 200


def test_executives_cannot_change_the_menu(client_for):
    assert client_for("ana").get("/config/menu").status_code == 403
    assert client_for("ana").post("/config/menu", data={}).status_code == 403


def test_the_kept_menu_follows_a_change_of_the_settings(client_for):
    """The menu's entries are rendered once and kept (issue 13 target 6), keyed by the settings
    read on every request, the language, the site root and the sessions the user may view (rights:
    test_permission_matrix): a change shows on the next page."""
    ana = client_for("ana")
    assert ">Samples</a>" in ana.get("/").get_data(as_text=True)  # rendered and kept
    client_for("admin").post("/config/menu", data={"session:samples:label": "Widgets"})
    assert ">Widgets</a>" in ana.get("/").get_data(as_text=True)
