"""The portal and its mail in Spanish (CORE-17 for the web channel)."""

from __future__ import annotations

import pytest

from tests.plugins.portal.conftest import PLUGINS

pytestmark = pytest.mark.crm(plugins=PLUGINS)


def test_the_portal_speaks_spanish_once_chosen(crm_app, accounts, customer):
    client = customer("A")
    assert client.post("/portal/language/es", headers={"Referer": "http://localhost/portal/"}).status_code == 302
    page = client.get("/portal/").get_data(as_text=True)
    assert 'lang="es"' in page and "Mis solicitudes" in page and "Nueva solicitud" in page
    wrong = crm_app.test_client().post("/portal/login", data={"email": "x@example.com", "password": "nope nope"},
                                       headers={"Accept-Language": "es"})
    assert "Correo o contraseña incorrectos." in wrong.get_data(as_text=True)


def test_an_invitation_in_spanish_is_mailed_in_spanish(crm_app, db, accounts, client_for, smtp, deliver):
    staff = client_for("ana")
    contact = accounts["B"]["contact"]
    form = staff.get(f"/s/contacts/{contact.id}/action/portal_invite").get_data(as_text=True)
    assert 'value="es"' in form
    assert staff.post(f"/s/contacts/{contact.id}/action/portal_invite", data={"language": "es"}).status_code == 302
    deliver()
    message = smtp.messages[-1]
    assert message["Subject"] == "Su acceso al portal de clientes" and "Elija su contraseña" in message.get_content()
    assert message["Content-Language"] == "es"
