"""The HTML of the pages ``bench.page_cpu`` times, in English and Spanish, for comparing two trees
byte for byte (a change to a page's Python must not change what it writes; issue 13 target 6).

    PYTHONPATH=<tree> .venv/bin/python -m bench.page_html --database-url URL --out old.json
    PYTHONPATH=<other tree> .venv/bin/python -m bench.page_html --database-url URL --out new.json
    .venv/bin/python -m bench.page_html --compare old.json new.json

Run it on a database ``bench.page_cpu`` prepared (the pages read its rows, as ``owner01``). The
CSRF tokens, different on every request, are masked.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from bench.page_cpu import FLOOR, build_app
from crm_core.models.auth import User

#: The 50-row grids, My inbox, a sorted, a second, a counted and an empty filtered grid, the
#: home page, a detail page, the tokens page and the empty request (a 404).
PAGES = (
    "/s/leads?per_page=50", "/s/contacts?per_page=50", "/s/opportunities?per_page=50", "/s/accounts?per_page=50",
    "/s/cases?per_page=50", "/inbox/mine", "/s/leads?per_page=50&sort=-name", "/s/opportunities?page=2",
    "/s/contacts?count=1", "/s/leads?q=no-such-words-anywhere", "/", "/s/leads/{lead}", "/account/tokens", FLOOR,
)
_TOKEN = re.compile(r'((?:name="csrf_token" value|name="csrf-token" content)=")[^"]*"')


def pages(url: str) -> dict[str, str]:
    """``{"<language> <path>": "<status> <html>"}`` for every page of :data:`PAGES`."""
    app = build_app(url)
    engine = app.extensions["crm_db"].engine
    found: dict[str, str] = {}
    from plugins.sales.models import Lead

    with engine.begin() as conn:
        owner = conn.scalar(select(User.id).where(User.username == "owner01"))
        lead = conn.scalar(select(Lead.id).where(Lead.owner_id == owner).order_by(Lead.id).limit(1))
    for language in ("en", "es"):
        with engine.begin() as conn:
            conn.execute(update(User).where(User.id == owner).values(language=language))
        with app.app_context():  # one per language: its unit of work holds the user it loaded
            user = app.extensions["crm_db"].factory().get(User, owner)
            browser = app.test_client(user=user)
            for path in PAGES:
                response = browser.get(path.format(lead=lead))
                found[f"{language} {path}"] = f"{response.status_code} " + _TOKEN.sub(
                    r'\1…"', response.get_data(as_text=True))
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == owner).values(language="en"))
    engine.dispose()
    return found


def compare(old: dict[str, str], new: dict[str, str]) -> int:
    """Print the pages that differ (a unified diff of the first few); the number that differ."""
    differ = [key for key in old if old[key] != new.get(key)] + [key for key in new if key not in old]
    for key in differ[:3]:
        print("".join(difflib.unified_diff(old.get(key, "").splitlines(True), new.get(key, "").splitlines(True),
                                           key, key, n=1))[:3000])
    print(f"{len(old)} pages compared, {len(differ)} differ; sizes {sum(map(len, old.values())):,} bytes")
    return len(differ)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.page_html", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--out", help="write the pages to this JSON file")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two files written by --out")
    args = parser.parse_args(argv)
    if args.compare:
        old, new = (json.loads(Path(p).read_text()) for p in args.compare)
        raise SystemExit(1 if compare(old, new) else 0)
    found: Any = pages(args.database_url)
    Path(args.out).write_text(json.dumps(found, ensure_ascii=False, indent=0))
    print(f"{len(found)} pages written to {args.out}: "
          + ", ".join(sorted({v.split(' ', 1)[0] for v in found.values()})))


if __name__ == "__main__":
    main()
