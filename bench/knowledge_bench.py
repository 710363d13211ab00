"""Knowledge base search (EXT-10): ``.venv/bin/python -m bench.knowledge_bench [--database-url URL]``.

Seeds N articles (default 100,000; once, later runs top up) in English, Spanish and Romanian
for 20 owners — 90 % published — with bodies drawn from a Zipf-distributed vocabulary of
domain words and pseudo-words (like real text: a few words everywhere, most rare), inserted with
``executemany`` in batches of 5,000 (the full-text index follows through the plugin's triggers,
as on any write). Then times, as an executive (own + published articles) and a leader (all):
the search service, the ``/api/v1/knowledge/search`` request and the search page, and the
suggestion service; prints median and p95 in ms. Target: search p95 ≤ 30 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask_login import FlaskLoginClient
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from bench.seed import ensure_leader, ensure_owners
from crm_core.app import create_app
from crm_core.bootstrap import ensure_groups
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.auth import User
from crm_core.security.access import load_access
from crm_core.security.passwords import hash_password

SQLITE_DEFAULT = "sqlite:////tmp/crm-kb-bench.sqlite3"
BATCH = 5_000
_DOMAIN = {
    "en": "router modem invoice payment contract roaming signal fibre light restart password account billing "
          "coverage outage install cable speed mobile number porting voicemail sim card refund charge plan upgrade "
          "device wifi network error message settings customer line",
    "es": "router módem factura pago contrato itinerancia señal fibra luz reinicio contraseña cuenta facturación "
          "cobertura avería instalación cable velocidad móvil número portabilidad buzón tarjeta reembolso cargo "
          "tarifa dispositivo red error mensaje configuración cliente línea domiciliación",
    "ro": "router modem factură plată contract semnal fibră lumină parolă cont acoperire instalare cablu viteză "
          "mobil număr rețea eroare mesaj client linie",
}
DOMAIN = {language: words.split() for language, words in _DOMAIN.items()}
PRODUCTS = ["Fibre 300", "Fibre 1000", "Mobile", "Billing", "TV", "Landline", "Business", "Roaming"]
TAGS = ["router", "billing", "mobile", "outage", "install", "wifi", "porting", "contract", "tv", "refund"]
SYLLABLES = ("ka", "lo", "me", "ri", "sa", "tu", "ne", "vo", "pi", "ra", "den", "mor", "lin", "tas", "ver", "col",
             "pan", "gri", "bel", "sor")
QUERIES = [
    ("one common word", {"q": "router"}),
    ("one rare word", {"q": "portabilidad"}),
    ("two words", {"q": "invoice payment"}),
    ("phrase", {"q": '"restart router"'}),
    ("words -exclusion", {"q": "modem -wifi"}),
    ("word + language", {"q": "factura", "language": "es"}),
    ("word + product + tag", {"q": "signal", "product": "Mobile", "tag": "outage"}),
    ("pseudo-word (rare)", {"q": "kalome"}),
]
SUGGEST_TEXT = "Customer says the router light is red since yesterday and the invoice shows a roaming charge"


def vocabulary(rnd: random.Random, size: int = 20_000) -> list[str]:
    words = {"".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def articles(n: int, owners: list[int], seed: int) -> Iterator[list[dict[str, Any]]]:
    """Deterministic articles in batches; 60 % English, 30 % Spanish, 10 % Romanian."""
    rnd = random.Random(seed)
    pseudo = vocabulary(random.Random(1))
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(pseudo))))  # Zipf, summed once
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for i in range(n):
        language = rnd.choices(("en", "es", "ro"), (6, 3, 1))[0]
        domain = DOMAIN[language]
        words = rnd.choices(pseudo, cum_weights=cumulative, k=90) + rnd.choices(domain, k=10)
        rnd.shuffle(words)
        title = " ".join(rnd.choices(domain, k=3) + rnd.choices(pseudo, cum_weights=cumulative, k=2)).capitalize()
        owner = owners[i % len(owners)]
        batch.append({
            "uid": str(uuid.UUID(int=rnd.getrandbits(128))),
            "title": title,
            "body": " ".join(words) + ".",
            "product": rnd.choice(PRODUCTS),
            "tags": ", ".join(sorted(set(rnd.choices(TAGS, k=2)))),
            "language": language,
            "published": rnd.random() < 0.9,
            "public": rnd.random() < 0.3,
            "owner_id": owner,
            "creator_id": owner,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        })
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(engine: Engine, rows: int, owners: list[int]) -> int:
    from plugins.knowledge.models import Article

    with engine.connect() as conn:
        have = conn.scalar(select(func.count()).select_from(Article)) or 0
    missing = rows - have
    for batch in articles(max(0, missing), owners, seed=have + 11):
        with engine.begin() as conn:
            conn.execute(insert(Article.__table__), batch)
    if missing > 0 and engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE kb_article")
            conn.exec_driver_sql("ANALYZE kb_article_fts")
    return max(0, missing)


def build_app(url: str) -> Flask:
    app = create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": "knowledge",
                      "CRM_SECRET_KEY": "benchmark-only-secret-key", "WTF_CSRF_ENABLED": False})
    app.test_client_class = FlaskLoginClient
    return app


def measure(call: Callable[[], Any], repeat: int) -> tuple[float, float, int]:
    """(median ms, p95 ms, results of the last call) over ``repeat`` calls after a warm-up."""
    for _ in range(3):
        call()
    timings, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20, method="inclusive")[-1], found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=SQLITE_DEFAULT, help=f"default {SQLITE_DEFAULT}")
    parser.add_argument("--articles", type=int, default=100_000, help="articles to seed (default 100,000)")
    parser.add_argument("--repeat", type=int, default=100, help="timed calls per figure (default 100)")
    args = parser.parse_args(argv)

    from plugins.knowledge.search import search
    from plugins.knowledge.services import suggest

    app = build_app(args.database_url)
    engine = app.extensions["crm_db"].engine
    upgrade(app)
    with app.app_context(), unit_of_work() as db:
        ensure_groups(db, app.extensions["crm"].registry)
    password = hash_password("bench-password-1")
    owners = ensure_owners(engine, password)
    leader_id = ensure_leader(engine, password)
    started = time.perf_counter()
    inserted = seed(engine, args.articles, owners)
    seeded = f"seeding {inserted:,} took {time.perf_counter() - started:.1f} s" if inserted else "already seeded"
    print(f"database: {engine.dialect.name}, {args.articles:,} articles, 20 owners; {seeded}")
    print(f"{'search (20 results)':44} {'who':7} {'median ms':>10} {'p95 ms':>8} {'found':>6}")
    with app.test_request_context():
        db = db_session()
        people = {"agent": db.get(User, owners[0]), "leader": db.get(User, leader_id)}
        for who, user in people.items():
            access = load_access(db, user, app.extensions["crm"].row_filters)
            for label, criteria in QUERIES:
                q = criteria["q"]
                rest = {k: v for k, v in criteria.items() if k != "q"}
                median, p95, found = measure(lambda: len(search(db, access, q, **rest)), args.repeat)  # noqa: B023
                print(f"{'service: ' + label:44} {who:7} {median:10.2f} {p95:8.2f} {found:6d}")
            median, p95, found = measure(lambda: len(suggest(db, access, SUGGEST_TEXT, "Mobile")), args.repeat)  # noqa: B023
            print(f"{'suggest: 17-word text + product (5)':44} {who:7} {median:10.2f} {p95:8.2f} {found:6d}")
    client = app.test_client(user=people["agent"])
    for label, url in (("API: one common word", "/api/v1/knowledge/search?q=router"),
                       ("API: two words + language", "/api/v1/knowledge/search?q=invoice+payment&language=en"),
                       ("page: one common word", "/knowledge/search?q=router")):
        def call(url: str = url) -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
            return 20
        median, p95, _found = measure(call, args.repeat)
        print(f"{label:44} {'agent':7} {median:10.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
