"""Every screen in a real browser, generated from the app's routes like the permission matrix
(issue 17 items 9 and 10; CORE-18): each page an administrator can open, with
every bundled plugin and the demo data, at 1280 px and at 375 px on a phone —

* nothing is wider than the screen (the document's width ≤ the viewport's);
* axe-core (from npm, `package.json`) finds no WCAG 2.1 A/AA violation;
* no console error (a CSP violation is one) and no failed request.

Routes that answer no page (downloads, JSON, server-sent events, fragments) are listed with
the reason in ``NOT_PAGES``; a new route must be one or the other, or a test fails."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm_core.app import create_app
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from tests.e2e.conftest import log_in
from tests.support.live import serving
from tests.support.served import prepare_database

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
_APP = create_app(base_settings("sqlite://", CRM_PLUGINS=None))
_REGISTRY = _APP.extensions["crm"].registry

#: Endpoints that answer something other than a page a user reads, and why.
NOT_PAGES = {
    "activities.ics": "a calendar file (download)",
    "activities.calendar_events": "the calendar's JSON feed",
    "screens.board_column": "a column's next cards (fragment loaded by the board)",
    "screens.board_totals": "the board's figures (JSON)",
    "screens.export": "a file download",
    "screens.import_errors": "the error report (CSV download)",
    "screens.import_status": "the import's progress (JSON)",
    "screens.lookup": "the picker's choices (JSON)",
    "screens.note_download": "an attached file (download)",
    "telephony.events": "the screen pop's event stream (server-sent events)",
    "telephony.pop_card": "a pop card (fragment inserted by the pop)",
    "auth.logout": "ends the session",
    "screens.timeline_page": "a timeline's next entries (fragment loaded by the timeline)",
    "branding.css": "the client's colour (a stylesheet)",
    "branding.favicon": "the page icon (an image)",
    "branding.logo": "the client's logo (an image)",
    "notifications.count": "the bell's unread count (JSON)",
    "notifications.open_one": "marks a notification read and goes to its record (redirect)",
}
#: Pages of another realm or reached only with a one-time token: their own tests cover them
#: (tests/e2e/test_portal_ui.py runs axe-free checks on the portal's phone layout).
ELSEWHERE = {
    "portal.home", "portal.account", "portal.billing", "portal.code", "portal.help_index",
    "portal.help_article", "portal.request_page", "portal.new_request", "portal.reset_password",
    "portal.welcome",
    # offered only by a client's Core-system adapter (tests/e2e/test_bank_ui.py opens it)
    "cases_core.action_page",
    # a grid cell's small form, for sessions that declare inline_edit (tests/e2e/test_cell_edit_ui.py
    # runs axe on it at 1280 and 375 px)
    "screens.cell_edit",
}


def _page_rules() -> list[tuple[str, str]]:
    rules = []
    for rule in sorted(_APP.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if "GET" not in (rule.methods or ()) or rule.rule.startswith("/api/") or rule.endpoint.endswith("static"):
            continue
        if rule.endpoint in NOT_PAGES or rule.endpoint in ELSEWHERE:
            continue
        rules.append((rule.rule, rule.endpoint))
    return rules


def _expand(rule: str) -> list[tuple[str, dict[str, str]]]:
    """A rule with ``<session_name>`` (and ``<name>``) becomes one URL template per session
    (and action); other variables are filled from the seeded records at run time."""
    if "<session_name>" not in rule:
        return [(rule, {})]
    out = []
    for sdef in _REGISTRY.grid_sessions():
        if "/board" in rule and sdef.board is None:
            continue
        if "<name>" in rule:
            out += [(rule, {"session_name": sdef.name, "name": a.name}) for a in sdef.actions]
        else:
            out.append((rule, {"session_name": sdef.name}))
    return out


SCREENS = [(rule, endpoint, fixed) for rule, endpoint in _page_rules() for rule, fixed in _expand(rule)]


def test_every_route_is_audited_or_said_not_to_be_a_page() -> None:
    endpoints = {r.endpoint for r in _APP.url_map.iter_rules()}
    assert not (set(NOT_PAGES) | ELSEWHERE) - endpoints, "listed endpoints that no longer exist"
    assert len(SCREENS) > 100


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every plugin, the default groups, the test users and the demo data, served on loopback;
    with one id of each kind a URL can name."""
    from crm_core.db import unit_of_work
    from crm_core.demo import load_demo
    from crm_core.models.auth import Group, User
    from crm_core.models.imports import ImportJob
    from crm_core.models.menu import FieldSetting
    from crm_core.outbox import enqueue
    from plugins.portal.models import WebForm

    with scratch_database(str(tmp_path_factory.mktemp("screens"))) as url:
        prepare_database(url)
        app = create_app(base_settings(url, CRM_PLUGINS=None, WTF_CSRF_ENABLED=True, CRM_IMPORT_INLINE=False))
        with app.app_context():
            load_demo()
            with unit_of_work() as db:
                users = {u.username: u for u in db.scalars(select(User))}
                elements = {}
                for sdef in _REGISTRY.grid_sessions():
                    cond = [getattr(sdef.model, k) == v for k, v in sdef.where.items()]
                    elements[sdef.name] = db.scalar(select(sdef.model.id).where(*cond).order_by(sdef.model.id).limit(1))
                job = ImportJob(session_name="leads", user_id=users["ana"].id, filename="leads.csv",
                                data=b"name,email\nHotel Miramar,info@miramar.example\n")
                setting = FieldSetting(session_name="leads", name="segment", spec={"type": "text"})
                db.add_all([job, setting])
                message = enqueue(db, "demo", {}, "screens-1")
                db.flush()
                ids = {
                    "elements": elements,
                    "job_id": job.id,
                    "setting_id": setting.id,
                    "message_id": message.id,
                    "operation": "retry",
                    "group_id": db.scalar(select(Group.id).where(Group.name == "Executives")),
                    "user_id": users["ana"].id,
                    "case_id": elements.get("cases"),
                    "article_id": elements.get("articles"),
                    "slug": db.scalar(select(WebForm.slug).limit(1)),
                    "step": "won",  # a sales funnel step to drill into
                }
        with serving(app) as base:
            yield base, ids


def _url(rule: str, fixed: dict[str, str], ids: dict[str, Any]) -> str | None:
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        var = match.group(1).split(":")[-1].split("(")[0]
        if var in fixed:
            return fixed[var]
        found = ids["elements"].get(fixed["session_name"]) if var == "element_id" else ids.get(var)
        missing = missing or found is None
        return str(found)

    url = re.sub(r"<([^>]+)>", value, rule)
    return None if missing else url


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed in node_modules/ (bash scripts/assets installs it)")
    return AXE.read_text(encoding="utf-8")


def _audit(page: Any, log: list[str], axe: str | None, url: str) -> list[str]:
    """Problems of one page: console errors, a document wider than the viewport and, with
    ``axe``, the accessibility violations."""
    log.clear()
    response = page.goto(url)
    problems: list[str] = []
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return [*log]
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        wide = page.evaluate(
            """(vw) => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > vw + 1 && e.offsetParent !== null)
                 .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))""",
            viewport,
        )
        problems.append(f"{width}px wide at {viewport}px: {wide}")
    if axe is None:
        return [*log, *problems]
    page.evaluate(axe)
    result = page.evaluate(
        """async () => { const r = await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
           return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
             .map(n => n.target.join(' ')).join(' | ')); }"""
    )
    return [*log, *problems, *(f"axe {v}" for v in result)]


def _console(log: list[str], message: Any) -> None:
    """Console errors, except the browser's note that a response was an error: the page's own
    status is the route's business (a refused or unknown record), and a failed file or script
    is reported by :func:`_failed` with its address."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        log.append(f"console: {message.text}")


def _failed(log: list[str], response: Any) -> None:
    if response.status >= 400 and response.request.resource_type != "document":
        log.append(f"{response.status} {response.url}")


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
#: Who looks at each screen, how: the administrator — every module in the menu, every record —
#: on a desktop, with axe, and on a phone. (An executive's pages are the same templates with
#: fewer rows and menu entries; their own browser tests cover them.)
AUDITS = (("admin", "desktop", DESKTOP), ("admin", "phone", PHONE))


@pytest.fixture(scope="module")
def sessions_by_user(browser: Any, demo_server: tuple[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One logged-in page per line of ``AUDITS``, reused across the screens."""
    base, _ids = demo_server
    contexts, pages = [], {}
    for username, width, kwargs in AUDITS:
        context = browser.new_context(locale="en-US", **kwargs)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log: list[str] = []
        page.on("console", lambda m, log=log: _console(log, m))
        page.on("pageerror", lambda e, log=log: log.append(f"script error: {e}"))
        page.on("response", lambda r, log=log: _failed(log, r))
        log_in(page, base, username)
        contexts.append(context)
        pages[(username, width)] = (page, log)
    yield pages
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("rule", "endpoint", "fixed"), SCREENS,
                         ids=[f"{e}|{json.dumps(f, sort_keys=True)}" for _r, e, f in SCREENS])
def test_every_screen_fits_and_passes_axe(sessions_by_user, demo_server, axe_source, rule, endpoint, fixed):
    base, ids = demo_server
    url = _url(rule, fixed, ids)
    if url is None:
        pytest.skip(f"the demo has no record for {rule} {fixed}")
    failures = []
    for (username, width), (page, log) in sessions_by_user.items():
        axe = axe_source if width == "desktop" else None
        failures += [f"[{username} {width}] {p}" for p in _audit(page, log, axe, base + url)]
    assert not failures, f"{url}\n" + "\n".join(failures)


#: A handful of representative screens audited again in the dark theme (the theme follows the
#: system's prefers-color-scheme, issue 17 item 10): home, a grid with status badges and links,
#: a detail form with a picker and its tabs, a new-record form, the calendar and an admin list.
DARK_SCREENS = ("/", "/s/opportunities", "/s/opportunities/{opportunities}", "/s/contacts/new",
                "/activities/calendar", "/config/users")


def test_representative_screens_pass_axe_in_the_dark_theme(browser, demo_server, axe_source):
    base, ids = demo_server
    context = browser.new_context(locale="en-US", color_scheme="dark", **DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log: list[str] = []
    page.on("console", lambda m: _console(log, m))
    page.on("pageerror", lambda e: log.append(f"script error: {e}"))
    try:
        log_in(page, base, "admin")
        failures = []
        for screen in DARK_SCREENS:
            url = base + screen.format(**ids["elements"])
            problems = _audit(page, log, axe_source, url)
            theme = page.evaluate("document.documentElement.dataset.bsTheme")
            failures += [f"{screen}: {p}" for p in problems + ([] if theme == "dark" else [f"theme {theme}"])]
        assert not failures, "\n".join(failures)
    finally:
        context.close()
