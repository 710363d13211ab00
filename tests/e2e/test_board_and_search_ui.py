"""The pipeline board (EXT-04) and the global search (EXT-15) in Chromium at 1280 and 375 px,
under the strict CSP with no console errors, and through ``crm serve`` over HTTP: drag a card to
another stage, a refused move springs back with its reason, the per-card move menu, Ctrl+K
search and open, and results that never include another executive's records."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def _create(app: Any, username: str, session_name: str, **data: Any) -> int:
    from crm_core.app import crm_state
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services import elements

    with app.app_context(), unit_of_work() as db:
        user = db.scalar(select(User).where(User.username == username))
        access = load_access(db, user, crm_state().row_filters)
        return elements.create(db, crm_state().registry.sdef(session_name), access, data).id


def _act(app: Any, username: str, element_id: int, action: str, **data: Any) -> None:
    from crm_core.app import crm_state
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services import elements

    with app.app_context(), unit_of_work() as db:
        user = db.scalar(select(User).where(User.username == username))
        access = load_access(db, user, crm_state().row_filters)
        sdef = crm_state().registry.sdef("opportunities")
        elements.run_action(db, sdef, access, db.get(sdef.model, element_id), action, data)


@pytest.fixture(scope="module")
def seeded(live_app) -> dict[str, int]:
    app = live_app.app
    ids = {"account": _create(app, "ana", "accounts", code="BRD01", name="Tablero Norte")}
    for name in ("Horno de leña", "Cámara frigorífica", "Vitrina expositora"):
        ids[name] = _create(app, "ana", "opportunities", name=name, account_id=ids["account"],
                            amount="1000.00", probability=40)
    bob_account = _create(app, "bob", "accounts", code="BRD02", name="Tablero Sur")
    ids["bob"] = _create(app, "bob", "opportunities", name="Vitrina de Bob", account_id=bob_account, amount="5.00")
    return ids


def _console(page: Any) -> list[str]:
    """Console errors (a CSP violation is one), script errors and failed requests other than a
    refused move (409, expected); the favicon is one of the requests that must not fail."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.status != 409 else None)
    return problems


def _column(page: Any, stage: str) -> Any:
    return page.locator(f'#board [data-stage="{stage}"]')


def test_drag_a_card_to_another_stage_and_the_figures_follow(page, live_server, seeded):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/opportunities/board")
    card = page.locator(f'.crm-card[data-id="{seeded["Horno de leña"]}"]')
    expect(_column(page, "prospecting").locator(card)).to_have_count(1)
    card.drag_to(_column(page, "proposal").locator("ul"), source_position={"x": 8, "y": 6})
    page.locator("#board-status", has_text="moved to Proposal").wait_for(state="attached")
    expect(_column(page, "proposal").locator(card)).to_have_count(1)
    # Auto-retrying assertions, not wait_for_function: a polled string predicate is an eval
    # inside the page, which the app's Content-Security-Policy (no 'unsafe-eval') refuses.
    expect(_column(page, "proposal").locator("[data-figure=count]")).to_have_text("1")
    expect(_column(page, "proposal").locator("[data-figure=weighted]")).to_have_text("400.00")
    page.reload()
    expect(_column(page, "proposal").locator(card)).to_have_count(1)  # stored, not only moved on screen
    assert problems == []


def test_a_refused_move_springs_back_with_the_reason(page, live_server, live_app, seeded):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/opportunities/board")
    vitrina = seeded["Vitrina expositora"]
    card = page.locator(f'.crm-card[data-id="{vitrina}"]')
    _act(live_app.app, "ana", vitrina, "close_lost", reason="precio")  # closed meanwhile, elsewhere
    card.drag_to(_column(page, "negotiation").locator("ul"), source_position={"x": 8, "y": 6})
    alert = page.locator("#board-error")
    alert.wait_for(state="visible")
    assert "not possible" in alert.inner_text() and alert.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "board-error"
    expect(_column(page, "prospecting").locator(card)).to_have_count(1)
    expect(_column(page, "negotiation").locator(card)).to_have_count(0)
    assert problems == []


def test_the_move_menu_moves_a_card_from_the_keyboard_on_a_phone(phone, live_server, seeded):
    problems = _console(phone)
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server}/s/opportunities/board")
    camara = seeded["Cámara frigorífica"]
    phone.select_option(f"#move-{camara}", "negotiation")
    phone.focus(f'.crm-card[data-id="{camara}"] button[type=submit]')
    phone.keyboard.press("Enter")
    phone.locator("#board-status", has_text="moved to Negotiation").wait_for(state="attached")
    expect(_column(phone, "negotiation").locator(f'.crm-card[data-id="{camara}"]')).to_have_count(1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the board scrolls sideways ({width}px)"
    assert problems == []


def test_ctrl_k_searches_and_opens_a_record_with_the_keyboard(page, live_server, seeded):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/leads")
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type("vitrina")
    options = page.locator("#global-search-results [role=option]")
    options.first.wait_for()
    texts = options.all_inner_texts()
    assert "Vitrina expositora" in texts and "Vitrina de Bob" not in texts
    page.keyboard.press("ArrowDown")
    assert page.locator("#global-search").get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/s/\w+/\d+$"))
    assert problems == []


def test_search_on_a_phone_fits_the_screen(phone, live_server, seeded):
    problems = _console(phone)
    log_in(phone, live_server, "ana")
    phone.fill("#global-search", "horno")
    phone.locator("#global-search-results [role=option]").first.wait_for()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width}px)"
    phone.locator("#global-search-results [role=option]", has_text="Horno de leña").click()
    phone.wait_for_url(re.compile(rf"/s/opportunities/{seeded['Horno de leña']}$"))
    expect(phone.locator("#stage-bar [aria-current=step]")).to_have_count(1)
    assert problems == []


@pytest.mark.usefixtures("production")
def test_served_board_and_search_over_http(production):
    ana, bob = production.server.login("ana"), production.server.login("bob")
    account = ana.post("/api/v1/accounts", json={"code": "SRV01", "name": "Servida"}).json()["id"]
    opp = ana.post("/api/v1/opportunities", json={"name": "Servida uno", "account_id": account, "amount": "10.00"})
    assert opp.status_code == 201, opp.text
    board = ana.get("/s/opportunities/board")
    assert board.status_code == 200 and "Servida uno" in board.text
    assert "script-src" in board.headers.get("Content-Security-Policy", "")
    moved = ana.post(f"/s/opportunities/board/{opp.json()['id']}/move", data={"to": "proposal"},
                     headers={"Accept": "application/json"})
    assert moved.status_code == 200 and moved.json()["ok"], moved.text
    found = ana.get("/search", params={"q": "servida"}).json()
    assert any(r["label"] == "Servida uno" for g in found["groups"] for r in g["results"])
    assert bob.get("/search", params={"q": "servida"}).json()["groups"] == []
    assert bob.post(f"/s/opportunities/board/{opp.json()['id']}/move", data={"to": "negotiation"},
                    headers={"Accept": "application/json"}).status_code == 404
