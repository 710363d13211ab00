"""The documentation's screenshots (docs/screenshots/): the demo client served by ``crm serve``
on a scratch SQLite database, filled by ``crm demo``, photographed in Chromium at 1280 and 375 px.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only board,search]

Needs Debian's ``chromium`` (as the browser tests). Each shot is one screen a user meets: the
pipeline board, a record's timeline, the global search, the home dashboard, the calendar, the
bell's notifications, the funnel and a grid, signed in as the demo's leader.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from crm_core.testing import PASSWORD  # noqa: E402
from crm_core.testing.database import scratch_database  # noqa: E402
from tests.e2e.conftest import CHROMIUM_FLAGS  # noqa: E402
from tests.support.served import prepare_database, served_crm, server_env  # noqa: E402

WIDTHS = {"1280": {"width": 1280, "height": 800}, "375": {"width": 375, "height": 740}}


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def _board(page: Page, base: str) -> None:
    page.goto(f"{base}/s/opportunities/board")
    page.locator("#board .crm-card").first.wait_for()


def _timeline(page: Page, base: str) -> dict[str, float] | None:
    page.goto(f"{base}/s/opportunities?all=1&sort=-id")
    page.locator("#grid tbody tr[data-id] a").first.click()
    page.locator("[data-tab='timeline']").first.click()
    page.locator("#tab-timeline .timeline-entry").first.wait_for()
    if page.viewport_size["width"] < 992:  # on a phone the stream starts below the tabs
        box = page.locator("#tab-timeline").bounding_box()
        return {"x": 0, "y": box["y"], "width": page.viewport_size["width"], "height": page.viewport_size["height"]}
    return None


def _search(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    page.keyboard.press("Control+k")
    page.keyboard.type("mar")
    page.locator("#global-search-results [role=option]").first.wait_for()


def _dashboard(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    page.locator('[data-ready="true"] svg').first.wait_for()


def _calendar(page: Page, base: str) -> None:
    page.goto(f"{base}/activities/calendar")
    page.locator(".fc-event").first.wait_for()


def _notifications(page: Page, base: str) -> None:
    page.goto(f"{base}/notifications")


def _funnel(page: Page, base: str) -> None:
    page.goto(f"{base}/sales/funnel")
    page.locator('#funnel-chart[data-ready="true"] svg').first.wait_for()


def _grid(page: Page, base: str) -> None:
    page.goto(f"{base}/s/leads?all=1")


#: Each opens its screen; one may return the part of the page to take (a clip), else the viewport.
SHOTS: dict[str, Callable[[Page, str], dict[str, float] | None]] = {
    "board": _board, "timeline": _timeline, "search": _search, "dashboard": _dashboard, "calendar": _calendar,
    "notifications": _notifications, "funnel": _funnel, "grid": _grid,
}


def take(out: Path, only: list[str]) -> list[Path]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "customers" / "demo"
        shutil.copytree(REPO / "customer_overrides" / "demo", folder, ignore=shutil.ignore_patterns("__pycache__"))
        with scratch_database(tmp) as url:
            prepare_database(url)
            env = server_env(url, CRM_OVERRIDES_DIR=str(folder.parent), CRM_CUSTOMER="demo")
            with served_crm(env, cwd=tmp) as server:
                done = server.crm("demo")
                if done.returncode:
                    raise SystemExit(done.stderr)
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                    for width, viewport in WIDTHS.items():
                        context = browser.new_context(viewport=viewport, is_mobile=width == "375",
                                                      has_touch=width == "375", locale="es-ES")
                        page: Any = context.new_page()
                        page.set_default_timeout(30_000)
                        _log_in(page, server.url, "leader")
                        for name in only:
                            clip = SHOTS[name](page, server.url)
                            path = out / f"{name}-{width}.png"
                            page.screenshot(path=str(path), full_page=clip is not None, clip=clip)
                            written.append(path)
                        context.close()
                    browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    parser.add_argument("--only", default=",".join(SHOTS), help=f"comma-separated, of: {', '.join(SHOTS)}")
    args = parser.parse_args()
    only = [name for name in args.only.split(",") if name]
    unknown = sorted(set(only) - set(SHOTS))
    if unknown:
        parser.error(f"unknown screenshot(s): {', '.join(unknown)}")
    for path in take(Path(args.out), only):
        print(path)


if __name__ == "__main__":
    main()
