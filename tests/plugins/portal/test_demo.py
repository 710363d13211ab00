"""Demo web forms: two owners' forms, made once, served at their public address."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.demo import make_demo_data
from plugins.portal.models import WebForm
from tests.plugins.portal.conftest import PLUGINS

pytestmark = pytest.mark.crm(plugins=PLUGINS)


def test_demo_forms_of_two_owners_are_made_once_and_served(crm_app, db, users):
    make_demo_data(db, users)
    make_demo_data(db, users)
    forms = {f.slug: f for f in db.scalars(select(WebForm))}
    assert db.scalar(select(func.count()).select_from(WebForm)) == 2
    assert (forms["contact"].owner_id, forms["fibre-offer"].owner_id) == (users["leader"].id, users["bob"].id)
    db.commit()
    page = crm_app.test_client().get("/forms/contact")
    assert page.status_code == 200 and "Contact us" in page.get_data(as_text=True)
