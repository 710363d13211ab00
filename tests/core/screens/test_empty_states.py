"""Designed empty states (issue 17 item 11): a grid without rows says so and offers the next step
the user has the right to — add one, import a file — or, when filters hide everything, to clear
them. Checked per permission on the test-only samples session and on a real plugin's."""

from __future__ import annotations

import pytest

from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def _empty(html: str) -> str:
    assert 'id="grid-empty"' in html, "the grid is not empty"
    return html.split('id="grid-empty"', 1)[1].split("</td>", 1)[0]


def test_a_user_who_may_add_gets_both_next_steps(client_for):
    state = _empty(client_for("ana").get("/s/samples").get_data(as_text=True))
    assert 'data-empty="none"' in state and "No samples yet" in state
    assert "Import a file or add one." in state
    assert 'id="empty-new" href="/s/samples/new"' in state
    assert 'id="empty-import" href="/s/samples/import"' in state


def test_a_viewer_is_offered_no_link_they_may_not_follow(guest_client):
    state = _empty(guest_client.get("/s/samples").get_data(as_text=True))
    assert "No samples yet" in state and "as soon as someone adds them" in state
    assert "empty-new" not in state and "empty-import" not in state and "<a " not in state


def test_filters_that_hide_everything_offer_to_clear_them(client_for, make_sample):
    make_sample("ana", name="Acme")
    page = client_for("ana").get("/s/samples?q=zzz-nothing")
    state = _empty(page.get_data(as_text=True))
    assert 'data-empty="filtered"' in state and "No samples match these filters." in state
    assert 'id="empty-clear" href="/s/samples"' in state and "empty-new" not in state


def test_rows_mean_no_empty_state(client_for, make_sample):
    make_sample("ana", name="Acme")
    assert 'id="grid-empty"' not in client_for("ana").get("/s/samples").get_data(as_text=True)


@pytest.mark.crm(plugins=["sales"])
def test_the_empty_state_speaks_spanish(client_for, users, db):
    users["ana"].language = "es"
    db.commit()
    state = _empty(client_for("ana").get("/s/leads").get_data(as_text=True))
    assert "Aún no hay clientes potenciales" in state and "Importe un archivo o añada uno." in state
    assert ">Añadir uno<" in state and ">Importar un archivo<" in state
