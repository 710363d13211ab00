"""The demo client's custom *Segment* field on leads in a real browser, in English and Spanish:
on the new-lead form (label, help, translated choices) and in the grid (EXT-16, PLUG-04)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from tests.e2e.conftest import log_in
from tests.support.live import serving
from tests.support.served import prepare_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo client served on 127.0.0.1; bob reads Spanish."""
    from crm_core.app import create_app
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User

    with scratch_database(str(tmp_path_factory.mktemp("demo_fields"))) as url:
        prepare_database(url)
        app = create_app(base_settings(url, CRM_CUSTOMER="demo", WTF_CSRF_ENABLED=True))
        with app.app_context(), unit_of_work() as db:
            db.execute(update(User).where(User.username == "bob").values(language="es"))
        with serving(app) as base:
            yield base


def create_lead(page, base: str, name: str, segment: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/s/leads/new")
    page.fill("#f-name", name)
    page.select_option("#f-segment", segment)
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_load_state()


def test_segment_on_the_form_and_the_grid_in_english(page, demo_server):
    log_in(page, demo_server, "ana")
    page.goto(f"{demo_server}/s/leads/new")
    assert page.locator("label[for=f-segment]").inner_text() == "Segment"
    assert page.locator('[data-help="segment"]').inner_text() == "The market the prospect belongs to"
    options = page.locator("#f-segment option").all_inner_texts()
    assert {"Retail", "Corporate", "Public sector"} <= set(options)
    fields = page.locator("form [data-field]").evaluate_all("els => els.map(e => e.dataset.field)")
    assert fields.index("company") == 0 and fields.index("segment") == 2  # the client's order
    create_lead(page, demo_server, "Hotel Miramar", "corporate")
    expect(page.locator("h1", has_text="Hotel Miramar")).to_have_count(1)
    page.goto(f"{demo_server}/s/leads")
    assert page.locator('th[data-column="segment"]').inner_text().strip() == "Segment"
    row = page.locator("tbody tr", has_text="Hotel Miramar")
    assert "Corporate" in row.inner_text()


def test_segment_on_the_form_and_the_grid_in_spanish(page, demo_server):
    log_in(page, demo_server, "bob")
    page.goto(f"{demo_server}/s/leads/new")
    assert page.locator("label[for=f-segment]").inner_text() == "Segmento"
    assert page.locator("label[for=f-company]").inner_text().strip() == "Empresa"
    assert {"Minorista", "Empresas", "Sector público"} <= set(page.locator("#f-segment option").all_inner_texts())
    create_lead(page, demo_server, "Bar Central", "retail")
    page.goto(f"{demo_server}/s/leads")
    assert page.locator('th[data-column="segment"]').inner_text().strip() == "Segmento"
    assert "Minorista" in page.locator("tbody tr", has_text="Bar Central").inner_text()
