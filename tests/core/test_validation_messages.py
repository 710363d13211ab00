"""marshmallow's messages reach users in their language on the form, the API and the import report
(CORE-17, NF-02)."""

from __future__ import annotations

import inspect

import pytest
from flask_babel import force_locale
from marshmallow import Schema, fields, validate

from crm_core.db import unit_of_work
from crm_core.importing.engine import ImportSpec, run_import
from crm_core.validation_messages import TEMPLATES, translate, translated
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
TOO_LONG = "x" * 121


def _marshmallow_templates() -> set[str]:
    """Every message marshmallow can raise while loading, as a template."""
    out = {m for key, m in getattr(Schema, "_default_error_messages", {}).items()}
    for _name, cls in inspect.getmembers(fields, inspect.isclass):
        out |= {m for key, m in getattr(cls, "default_error_messages", {}).items() if key != "format"}
    for _name, cls in inspect.getmembers(validate, inspect.isclass):
        if cls is validate.Range:
            low, high = (cls.message_gt, cls.message_gte), (cls.message_lt, cls.message_lte)
            out |= {cls.message_min.format(min_op=op) for op in low}
            out |= {cls.message_max.format(max_op=op) for op in high}
            out |= {cls.message_all.format(min_op=a, max_op=b) for a in low for b in high}
            continue
        for name, value in vars(cls).items():
            if name.startswith(("message", "default_message", "error")) and isinstance(value, str):
                out.add(value)
    return out


def test_every_message_marshmallow_raises_on_load_is_translatable():
    assert _marshmallow_templates() - set(TEMPLATES) == set()


def test_messages_are_recognised_with_their_values(app_ctx):
    with force_locale("es"):
        assert translate("Longer than maximum length 120.") == "Supera la longitud máxima de 120."
        assert translate("Must be greater than or equal to 1 and less than 10.") == (
            "Debe ser mayor o igual que 1 y menor que 10."
        )
        assert translate("Not a valid email address.") == "No es una dirección de correo electrónico válida."
        assert translate("Not a valid datetime.") == "No es una fecha y hora válida."
        assert translate("A message of ours, already translated.") == "A message of ours, already translated."
        assert translated({"a": ["Unknown field."], "b": {"0": ["Invalid value."]}}) == {
            "a": ["Campo desconocido."], "b": {"0": ["Valor no válido."]},
        }
    with force_locale("en"):
        assert translate("Longer than maximum length 120.") == "Longer than maximum length 120."


@pytest.fixture
def spanish(db, users):  # type: ignore[no-untyped-def]
    with unit_of_work():
        users["ana"].language = "es"
    return users["ana"]


def test_the_detail_form_shows_them_in_the_users_language(client_for, spanish):
    form = {"name": TOO_LONG, "company": TOO_LONG, "email": "no-es-correo", "phone": "", "amount": "abc",
            "due": "", "comments": "", "parent_id": ""}
    response = client_for("ana").post("/s/samples/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "La longitud debe estar entre 1 y 120." in page and "Supera la longitud máxima de 120." in page
    assert "No es una dirección de correo electrónico válida." in page
    assert "No es un número válido." in page
    assert "Not a valid" not in page


def test_the_api_field_errors_are_in_the_users_language(client_for, spanish):
    response = client_for("ana").post("/api/v1/samples", json={"email": "no-es-correo", "colour": "rojo"})
    assert response.status_code == 400
    errors = response.get_json()["error"]["fields"]
    assert errors["name"] == ["Falta este dato obligatorio."]
    assert errors["email"] == ["No es una dirección de correo electrónico válida."]
    assert errors["colour"] == ["Campo desconocido."]


def test_the_import_report_is_in_the_users_language(app_ctx, access_for, spanish):
    from crm_core.app import crm_state

    sdef = crm_state().registry.sdef("samples")
    text = f"Name;Company;Email\nUno;{TOO_LONG};uno@x.test\nDos;;no-es-correo\n"
    with force_locale("es"):
        result = run_import(sdef, access_for("ana"), text, ImportSpec(("name", "company", "email")))
    assert result.errors == [
        (2, "company", "Supera la longitud máxima de 120."),
        (3, "email", "No es una dirección de correo electrónico válida."),
    ]
