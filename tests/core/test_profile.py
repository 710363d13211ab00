"""Users manage their own name, language, time zone and password (CORE-01, CORE-17)."""

from __future__ import annotations

import pytest

from crm_core.security.passwords import verify_password
from crm_core.testing import PASSWORD


def form(**extra):
    data = {"full_name": "Ana G.", "language": "es", "timezone": "Europe/Madrid", "current_password": "", "new_password": ""}
    data.update(extra)
    return data


def test_user_changes_language_and_time_zone(client_for, db, users):
    response = client_for("ana").post("/account", data=form())
    assert response.status_code == 302
    db.refresh(users["ana"])
    assert (users["ana"].language, users["ana"].timezone, users["ana"].full_name) == ("es", "Europe/Madrid", "Ana G.")


def test_password_change_needs_the_current_password(client_for, db, users):
    client = client_for("ana")
    bad = client.post("/account", data=form(current_password="wrong", new_password="brand-new-pass"))
    assert bad.status_code == 400 and b"The current password is not right." in bad.data
    ok = client.post("/account", data=form(current_password=PASSWORD, new_password="brand-new-pass"))
    assert ok.status_code == 302
    db.refresh(users["ana"])
    assert verify_password(users["ana"].password_hash, "brand-new-pass")


@pytest.mark.parametrize(("extra", "message"), [({"timezone": "Nowhere/City"}, b"Unknown time zone."),
                                                 ({"current_password": PASSWORD, "new_password": "short"}, b"at least 8")])
def test_bad_profile_input_changes_nothing(client_for, db, users, extra, message):
    response = client_for("ana").post("/account", data=form(**extra))
    assert response.status_code == 400 and message in response.data
    db.refresh(users["ana"])
    assert users["ana"].timezone == "UTC"


def test_spanish_user_gets_the_spanish_interface(client_for, db, users):
    users["ana"].language = "es"
    db.commit()
    page = client_for("ana").get("/account").get_data(as_text=True)
    assert 'lang="es"' in page
    assert "Mi cuenta" in page
