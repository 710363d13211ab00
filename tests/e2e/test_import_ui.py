"""Importing leads in a real browser: upload a Latin-1 semicolon file, map the columns, watch
the background job's progress and read the per-line error report (CORE-11)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

FILE = "Nombre;Empresa;Correo\nPanadería Núñez;Núñez S.L.;pan@nunez.example\n;Sin nombre;x@y.example\nCafé Ártico;Ártico S.A.;cafe@artico.example\n"


def test_leads_import_with_progress_and_error_report(page, live_server, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(FILE.encode("latin-1"))
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads/import")
    page.set_input_files("#import-file", str(path))
    page.select_option("#import-encoding", "cp1252")
    page.select_option("#import-separator", ";")
    page.click("#import-upload button[type=submit]")
    selects = page.locator('#import-map select[name="col"]')
    expect(selects).to_have_count(3)
    for index, field in enumerate(("name", "company", "email")):
        selects.nth(index).select_option(field)
    page.check("#mode-valid")
    page.click("#import-map button[type=submit]")
    page.locator("#import-message").wait_for(timeout=20_000)
    assert page.locator('[data-count="created"]').inner_text() == "2"
    expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    assert "3" in page.locator("#import-errors tbody tr").inner_text()
    page.goto(f"{live_server}/s/leads?q=Núñez")
    expect(page.locator("tbody tr", has_text="Panadería Núñez")).to_have_count(1)
