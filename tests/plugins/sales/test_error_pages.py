"""Refusals and missing records read as whole sentences in the user's language, naming the
session by its translated label, on a page with a heading and a way back (CORE-17, CORE-09)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


@pytest.fixture
def spanish(db, users):
    for name in ("ana", "bob"):
        users[name].language = "es"
    db.commit()


def test_a_refusal_names_the_session_by_its_translated_label(client_for, spanish):
    response = client_for("ana").get("/config/users")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Su grupo no puede ver Usuarios." in page
    assert "Acceso denegado</h1>" in page
    assert "users" not in page.split('id="error-message"')[1].split("</div>")[0]


def test_someone_elses_lead_reads_as_missing_with_a_link_back_to_the_list(create, client_for, spanish):
    lead = create("leads", "bob", name="De Bob")
    response = client_for("ana").get(f"/s/leads/{lead.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No encontrado</h1>" in page
    assert "Cliente potencial: no existe ese registro o no puede verlo." in page
    assert 'id="error-back" href="/s/leads"' in page and "Volver a la lista de Clientes potenciales" in page


def test_the_api_refusal_uses_the_label_too(create, client_for, spanish):
    lead = create("leads", "bob", name="De Bob")
    body = client_for("ana").get(f"/api/v1/leads/{lead.id}").get_json()
    assert body["error"]["message"] == "Cliente potencial: no existe ese registro o no puede verlo."
