"""Web-to-lead forms (EXT-08): defined by an administrator as records of the web forms session,
served publicly at ``/forms/<slug>``, validated by the leads schema as the API is, protected by
a honeypot, a minimum fill time, a rate limit per address and a size limit; a submission from a
known e-mail is linked to the existing lead; each one is recorded with its source."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from plugins.portal.models import WebFormSubmission
from plugins.portal.webforms import HONEYPOT, issue_token
from tests.plugins.portal.conftest import PLUGINS, portal_settings

pytestmark = pytest.mark.crm(plugins=PLUGINS)
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def webform(crm_app, create):
    portal_settings(crm_app)
    return create("webforms", "ana", name="Contact us", slug="contact-us", field_list="name, email, company, phone",
                  labels="company = Your company", thank_you="Gracias, le llamamos pronto.",
                  embed_origins="https://www.example.com")


def aged(form, seconds=60):
    return issue_token(form.id, issued_at=time.time() - seconds)


def leads(db, sdef):
    model = sdef("leads").model
    return list(db.scalars(select(model).where(model.kind == "sale").order_by(model.id)))


def post(client, form, **values):
    data = {"form_token": aged(form), "name": "Marta Gil", "email": "marta@example.com", **values}
    return client.post(f"/forms/{form.slug}", data=data, headers={"X-Forwarded-For": "ignored"})


def submissions(db):
    return db.scalar(select(func.count()).select_from(WebFormSubmission))


def test_the_public_form_asks_the_configured_fields_and_is_embeddable(crm_app, webform):
    response = crm_app.test_client().get("/forms/contact-us?utm_source=newsletter&utm_campaign=otono")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your company" in page and 'name="phone"' in page
    assert f'name="{HONEYPOT}"' in page and 'name="utm_source" value="newsletter"' in page
    assert "<script" not in page
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://www.example.com" in csp and "default-src 'none'" in csp
    assert crm_app.test_client().get("/forms/nope").status_code == 404


def test_a_submission_creates_a_lead_owned_by_the_forms_owner_with_its_source(crm_app, db, sdef, users, webform):
    client = crm_app.test_client()
    response = post(client, webform, company="Óptica Gil", utm_source="newsletter", utm_campaign="otono",
                    referrer="https://www.example.com/contacto")
    assert response.status_code == 200 and "Gracias, le llamamos pronto." in response.get_data(as_text=True)
    lead = leads(db, sdef)[-1]
    assert (lead.name, lead.email, lead.company, lead.owner_id) == ("Marta Gil", "marta@example.com", "Óptica Gil",
                                                                    users["ana"].id)
    assert lead.source == "web form contact-us"
    row = db.scalar(select(WebFormSubmission).order_by(WebFormSubmission.id.desc()))
    assert row.element_id == lead.id and not row.duplicate
    assert row.referrer == "https://www.example.com/contacto"
    assert row.utm == {"utm_source": "newsletter", "utm_campaign": "otono"}


def test_a_second_submission_of_a_known_email_is_linked_not_doubled(crm_app, db, sdef, webform):
    client = crm_app.test_client()
    post(client, webform)
    count = len(leads(db, sdef))
    assert post(client, webform, email="MARTA@example.com", company="Otra").status_code == 200
    assert len(leads(db, sdef)) == count
    row = db.scalar(select(WebFormSubmission).order_by(WebFormSubmission.id.desc()))
    assert row.duplicate and row.element_id == leads(db, sdef)[-1].id


def test_invalid_input_is_refused_with_the_apis_messages_and_writes_nothing(crm_app, db, sdef, webform):
    client = crm_app.test_client()
    before = len(leads(db, sdef))
    response = post(client, webform, email="not-an-email", name="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not a valid email address." in page
    assert len(leads(db, sdef)) == before and submissions(db) == 0


def test_the_honeypot_and_a_forged_token_look_accepted_but_create_nothing(crm_app, db, sdef, webform):
    client = crm_app.test_client()
    before = len(leads(db, sdef))
    bot = post(client, webform, **{HONEYPOT: "http://spam.example"})
    assert bot.status_code == 200 and "Gracias" in bot.get_data(as_text=True)
    assert post(client, webform, form_token="forged").status_code == 200
    assert len(leads(db, sdef)) == before and submissions(db) == 0


def test_a_form_sent_back_too_fast_is_refused(crm_app, db, sdef, webform):
    portal_settings(crm_app, form_min_seconds=600)  # however slow the machine, this is too fast
    client = crm_app.test_client()
    token = TOKEN.search(client.get("/forms/contact-us").get_data(as_text=True)).group(1)
    response = post(client, webform, form_token=token)  # at once: under form_min_seconds
    assert response.status_code == 400 and "Please check the form" in response.get_data(as_text=True)
    assert submissions(db) == 0


def test_submissions_are_limited_per_address_and_hour(crm_app, db, sdef, webform):
    portal_settings(crm_app, form_per_hour=2)
    client = crm_app.test_client()
    assert post(client, webform, email="a@example.com").status_code == 200
    assert post(client, webform, email="b@example.com").status_code == 200
    response = post(client, webform, email="c@example.com")
    assert response.status_code == 429 and submissions(db) == 2


def test_an_oversized_body_is_refused(crm_app, db, webform):
    portal_settings(crm_app, form_max_bytes=1024)
    response = post(crm_app.test_client(), webform, company="x" * 4000)
    assert response.status_code == 413 and submissions(db) == 0


def test_an_inactive_form_is_not_served(crm_app, db, webform, client_for):
    response = client_for("ana").patch(f"/api/v1/webforms/{webform.id}",
                                       json={"status": "inactive", "version": webform.version})
    assert response.status_code == 200, response.get_json()
    db.refresh(webform)
    assert webform.status == "inactive"
    assert crm_app.test_client().get("/forms/contact-us").status_code == 404


def test_the_form_definition_is_validated(crm_app, create, client_for, webform):
    api = client_for("ana")
    response = api.post("/api/v1/webforms", json={"name": "Bad", "slug": "Bad Slug!", "field_list": "email, salary",
                                                  "embed_origins": "javascript:alert(1)"})
    assert response.status_code == 400
    errors = response.get_json()["error"]["fields"]
    assert set(errors) >= {"slug", "field_list", "embed_origins"}
    again = api.post("/api/v1/webforms", json={"name": "Dup", "slug": "contact-us", "field_list": "name"})
    assert again.status_code == 400 and "slug" in again.get_json()["error"]["fields"]


def test_the_forms_detail_shows_address_snippet_and_submissions(crm_app, db, webform, client_for):
    post(crm_app.test_client(), webform, utm_source="newsletter")
    page = client_for("ana").get(f"/s/webforms/{webform.id}?tab=public_form").get_data(as_text=True)
    assert "/forms/contact-us" in page
