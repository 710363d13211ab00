"""A Spanish-speaking agent reads cases in Spanish: states, actions, panels, the tab and the
life cycle's refusals (every string of the plugin is in its catalog)."""

from __future__ import annotations

import pytest
from flask_babel import refresh

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])


def test_the_case_screens_and_panels_read_in_spanish(new_case, customer, client_for, action, db, users):
    case = new_case()
    users["ana"].language = "es"
    db.commit()
    refresh()  # the tests' app context already chose English while the fixtures created records
    ana = client_for("ana")
    detail = ana.get(f"/s/cases/{case.id}").get_data(as_text=True)
    assert "Recogiendo información" in detail and ">Abrir caso<" in detail and ">Anular caso<" in detail
    form = ana.get(f"/s/cases/{case.id}?edit=1").get_data(as_text=True)
    assert ">Facturación</option>" in form and ">Asunto" in form
    home = ana.get("/").get_data(as_text=True)
    assert "Mis casos abiertos" in home and "Casos vencidos" in home
    tab = ana.get(f"/s/accounts/{customer['account'].id}?tab=cases").get_data(as_text=True)
    assert "Nuevo caso" in tab
    refused = ana.post(f"/api/v1/cases/{case.id}/actions/reopen", json={})
    assert refused.get_json()["error"]["message"] == "«Reabrir» no es posible: Caso está en estado Recogiendo información."
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Hecho")
    form = ana.get(f"/s/cases/{case.id}/action/close").get_data(as_text=True)
    assert "Quién dio la conformidad" in form and ">En persona</option>" in form
