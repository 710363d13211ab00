"""The privacy erase in a real browser, on a desktop and a phone (CORE-21): find the client by
code, read the preview, try to erase without ticking the confirmation (the browser refuses,
nothing erased; the server's own refusal is tested in tests/core/privacy), tick it and erase; the log lists the erasure and the record shows no personal value."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("device", "code"), [("page", "PRIV-DESK"), ("phone", "PRIV-PHONE")])
def test_preview_then_confirm_erases_the_client(request, live_server, device, code):
    page = request.getfixturevalue(device)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/s/accounts/new")
    page.fill("#f-code", code)
    page.fill("#f-name", f"Bartolomea Secreta {code}")
    page.fill("#f-email", f"{code.lower()}@secreta.example")
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_url(re.compile(r"/s/accounts/\d+$"))
    account_url = page.url

    page.goto(f"{live_server}/config/privacy")
    page.select_option("#find-client select[name=session]", "accounts")
    page.fill("#find-client input[name=client]", code)
    page.click("#find")
    page.wait_for_url(re.compile(r"/config/privacy/accounts/\d+$"))
    assert page.locator('#preview tr[data-plugin="sales"][data-key="accounts"] .count').inner_text() == "1"
    assert int(page.inner_text("#total")) >= 1

    page.click("#erase")  # not ticked: the browser refuses to send the form
    assert page.eval_on_selector("#understood", "box => box.validity.valueMissing")
    expect(page.locator("#preview")).to_have_count(1)  # still the preview, nothing sent
    page.goto(account_url)
    assert f"Bartolomea Secreta {code}" in page.inner_text("main")

    page.go_back()
    page.check("#understood")
    page.click("#erase")
    page.wait_for_url(f"{live_server}/config/privacy")
    expect(page.locator(".alert-success", has_text="Personal data erased")).to_have_count(1)
    account_id = account_url.rsplit("/", 1)[1]
    expect(page.locator("#erasures tbody tr", has_text=f"#{account_id}")).to_have_count(1)

    page.goto(account_url)
    main = page.inner_text("main")
    assert "[erased]" in main and "Bartolomea" not in main and "secreta.example" not in main
