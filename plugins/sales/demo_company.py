"""The demo company's volume (``crm demo``, issue 17 item 12): a believable sales team's book —
customers with their contacts, leads in every state, opportunities over every stage and six
months of won and lost history — so the board, the dashboards and the funnel read like a real
team's, in Spanish and English.

Repeatable: one seeded random generator makes the same company every time, and every record has
a fixed uid (``uuid5`` of its number), so a second run writes only what is missing (nothing).
Fast: written in batches (``insert_elements``: ``COPY`` on PostgreSQL), with the audit row of each
record and the pipeline entry and moves of each opportunity, as the screens would record them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, add_note, e164, insert_elements
from plugins.sales import services
from plugins.sales.demo_names import (
    CITIES,
    COMPANY_WORDS,
    DISQUALIFY_REASONS,
    FIRST_NAMES,
    LAST_NAMES,
    LOST_REASONS,
    NOTES,
    OPPORTUNITY_NAMES,
    POSITIONS,
    SOURCES,
    WON_REASONS,
)
from plugins.sales.models import Account, Campaign, Contact, Lead, Opportunity, OpportunityStageChange

SEED = 17
NAMESPACE = uuid.UUID("2d3c9a4e-8f61-4b0e-a0a7-5c1e6f9b7d33")
#: How big the demo company is.
ACCOUNTS = 120
LEADS = 300
OPPORTUNITIES = 200
#: How far back the history goes (won and lost opportunities, leads' creation).
HISTORY_DAYS = 180
#: The team that owns the records (the users the sales plugin declares), as present.
TEAM = ("ana", "bob", "leader")
#: One opportunity in this many gets a note.
NOTE_EVERY = 8
#: The generated accounts' code prefix (curated demo customers use C0001…).
CODE_PREFIX = "CL"


@dataclass
class Company:
    """What one run generates, before anything is written."""

    accounts: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)  # "account" = index into accounts
    leads: list[dict[str, Any]] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)  # "account", "lead" = indexes


def uid(what: str, number: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{what}-{number}"))


def team(users: dict[str, User]) -> list[User]:
    chosen = [users[name] for name in TEAM if name in users]
    return chosen or sorted(users.values(), key=lambda u: u.id)[:3]


def _moment(rng: random.Random, day: date) -> datetime:
    """A working-hours instant (09:00–18:00 UTC) of ``day``."""
    return datetime.combine(day, time(rng.randint(9, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50))), tzinfo=UTC)


def _phone(rng: random.Random, country: str, mobile: bool) -> str:
    """A valid number of ``country`` written as people write it (E.164 checked)."""
    while True:
        if country == "ES":
            digits = f"{rng.choice('67') if mobile else '9'}{rng.randint(10_000_000, 99_999_999)}"
            text = f"+34 {digits[:3]} {digits[3:6]} {digits[6:]}"
        else:
            digits = f"7{rng.randint(400, 999)}{rng.randint(100_000, 999_999)}" if mobile else \
                f"{rng.choice(('20', '113', '117', '121', '161'))}{rng.randint(1_000_000, 9_999_999)}"
            text = f"+44 {digits[:4]} {digits[4:]}"
        if e164(text):
            return text


def _slug(text: str) -> str:
    table = str.maketrans("áéíóúüñç", "aeiouunc")
    return "".join(ch for ch in text.lower().translate(table) if ch.isalnum())


def _person(rng: random.Random, language: str) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])


def _company_name(rng: random.Random, language: str, used: set[str]) -> str:
    words = COMPANY_WORDS[language]
    while True:
        pattern = rng.choice(words["patterns"])
        last, last2 = rng.choice(LAST_NAMES[language]), rng.choice(LAST_NAMES[language])
        name = pattern.format(last=last, last2=last2, trade=rng.choice(words["trades"]),
                              place=rng.choice(words["places"]), form=rng.choice(words["forms"]))
        if name not in used:
            used.add(name)
            return name


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _amount(rng: random.Random) -> Decimal:
    """Most deals are small, a few large (log-uniform 1,500 – 120,000, rounded to 50)."""
    value = 1500 * (80 ** rng.random())
    return Decimal(int(value / 50) * 50).quantize(Decimal("0.01"))


def generate(today: date, owners: list[User], stages: list[str]) -> Company:
    """The demo company, the same for the same day, owners and stages."""
    rng = random.Random(SEED)
    company = Company()
    start = today - timedelta(days=HISTORY_DAYS)
    used: set[str] = set()
    for n in range(ACCOUNTS):
        language = "es" if n % 3 else "en"  # two Spanish customers for one British
        country = "ES" if language == "es" else "GB"
        city = rng.choice(CITIES[country])
        name = _company_name(rng, language, used)
        domain = f"{_slug(name.split(' S.')[0].split(' Ltd')[0])[:24]}.example"
        owner = owners[n % len(owners)] if language == "es" or len(owners) < 2 else owners[1]
        created = _moment(rng, _day_between(rng, start - timedelta(days=365), start))
        company.accounts.append({
            "uid": uid("account", n), "code": f"{CODE_PREFIX}{n + 1:04d}", "name": name, "kind": "sale",
            "tax_id": f"B{rng.randint(10_000_000, 99_999_999)}" if country == "ES"
            else f"GB{rng.randint(100_000_000, 999_999_999)}",
            "email": f"info@{domain}", "phone": _phone(rng, country, mobile=False), "city": city, "country": country,
            "address": f"{rng.choice(COMPANY_WORDS[language]['streets'])} {rng.randint(1, 120)}",
            "status": "inactive" if rng.random() < 0.08 else "active", "marketing_consent": rng.random() < 0.6,
            "owner_id": owner.id, "created_at": created,
        })
        for c in range(rng.choice((1, 1, 2, 2, 3))):
            first, last = _person(rng, language)
            company.contacts.append({
                "uid": uid("contact", len(company.contacts)), "account": n, "first_name": first, "last_name": last,
                "email": f"{_slug(first)}.{_slug(last)}@{domain}", "phone": _phone(rng, country, mobile=True),
                "position": rng.choice(POSITIONS[language]), "kind": "sale", "owner_id": owner.id,
                "created_at": created + timedelta(days=c, hours=1),
            })
    for n in range(LEADS):
        language = "es" if n % 3 else "en"
        country = "ES" if language == "es" else "GB"
        name = _company_name(rng, language, used)
        first, last = _person(rng, language)
        owner = owners[(n + 1) % len(owners)]
        created = _moment(rng, _day_between(rng, start, today))
        roll = rng.random()
        age = (today - created.date()).days
        status = "active" if roll < 0.5 or age < 10 else ("qualified" if roll < 0.8 else "disqualified")
        domain = f"{_slug(name)[:24]}.example"
        company.leads.append({
            "uid": uid("lead", n), "name": name, "company": name, "contact_person": f"{first} {last}",
            "email": f"{_slug(first)}@{domain}", "phone": _phone(rng, country, mobile=rng.random() < 0.7),
            "city": rng.choice(CITIES[country]), "country": country, "source": rng.choice(SOURCES[language]),
            "kind": "sale", "status": status, "owner_id": owner.id, "created_at": created,
            "disqualify_reason": rng.choice(DISQUALIFY_REASONS) if status == "disqualified" else "",
            "qualified_at": created + timedelta(days=rng.randint(2, 9)) if status == "qualified" else None,
        })
    qualified = [i for i, lead in enumerate(company.leads) if lead["status"] == "qualified"]
    for n in range(OPPORTUNITIES + len(qualified)):
        from_lead = qualified[n - OPPORTUNITIES] if n >= OPPORTUNITIES else None
        if from_lead is not None:
            lead = company.leads[from_lead]
            created, owner_id = lead["qualified_at"], lead["owner_id"]
            language = "es" if lead["country"] == "ES" else "en"
            account = None
        else:
            account = rng.randrange(ACCOUNTS)
            row = company.accounts[account]
            created = _moment(rng, _day_between(rng, start, today - timedelta(days=1)))
            owner_id, language = row["owner_id"], "es" if row["country"] == "ES" else "en"
        age = (today - created.date()).days
        roll = rng.random()
        status = "active" if roll < 0.55 or age < 14 else ("won" if roll < 0.8 else "lost")
        stage_at = rng.randrange(len(stages))
        opportunity = {
            "uid": uid("opportunity", n), "account": account, "lead": from_lead, "kind": "sale",
            "name": rng.choice(OPPORTUNITY_NAMES[language]), "amount": _amount(rng), "currency": "EUR",
            "stage": stages[stage_at], "status": status, "owner_id": owner_id, "created_at": created,
        }
        if status == "active":
            opportunity["probability"] = min(95, int(100 * (stage_at + 1) / (len(stages) + 1)) + rng.randint(-5, 10))
            opportunity["expected_close"] = today + timedelta(days=rng.randint(-10, 90))
        else:
            closed = created.date() + timedelta(days=rng.randint(7, 60))
            opportunity["close_date"] = min(closed, today)
            opportunity["probability"] = 100 if status == "won" else 0
            opportunity["close_reason"] = rng.choice(WON_REASONS if status == "won" else LOST_REASONS)
            opportunity["expected_close"] = opportunity["close_date"]
        company.opportunities.append(opportunity)
    return company


def load(db: DbSession, users: dict[str, User], campaign: Campaign | None = None) -> dict[str, int]:
    """Write what is missing of the demo company; returns how many records of each kind it wrote."""
    owners = team(users)
    if not owners or _complete(db):
        return dict.fromkeys(("accounts", "leads", "contacts", "opportunities", "notes"), 0)
    stages = services.stages()
    company = generate(date.today(), owners, stages)
    written: dict[str, int] = {}
    account_ids = _write(db, Account, company.accounts, written, "accounts")
    lead_ids = _write(db, Lead, company.leads, written, "leads")
    for row in company.contacts:
        row["account_id"] = account_ids[row["account"]]
    _write(db, Contact, company.contacts, written, "contacts")
    provisional = _lead_accounts(db, company, lead_ids, written)
    for n, row in enumerate(company.opportunities):
        row["account_id"] = account_ids[row["account"]] if row["account"] is not None else provisional[row["lead"]]
        row["lead_id"] = lead_ids[row["lead"]] if row["lead"] is not None else None
        row["campaign_id"] = campaign.id if campaign is not None and n % 4 == 0 else None
    opportunity_ids = _write(db, Opportunity, company.opportunities, written, "opportunities")
    _pipeline(db, company, opportunity_ids, stages, written.get("opportunities", 0))
    written["notes"] = _notes(db, company, opportunity_ids, users)
    return written


def _notes(db: DbSession, company: Company, ids: list[int], users: dict[str, User]) -> int:
    """A note on every eighth new opportunity, by its owner through the notes service (as the
    notes tab adds it), dated a few days after the opportunity was opened."""
    by_id = {u.id: u for u in users.values()}
    sdef = services.sdef_for("sale", "opportunities")
    rng = random.Random(SEED + 1)
    added = 0
    for n, (row, pk) in enumerate(zip(company.opportunities, ids, strict=True)):
        owner = by_id.get(row["owner_id"])
        if not row.get("new") or n % NOTE_EVERY or owner is None:
            continue
        language = "es" if row["name"] in OPPORTUNITY_NAMES["es"] else "en"
        note = add_note(db, sdef, services.access_of(db, owner), db.get(Opportunity, pk),
                        rng.choice(NOTES[language]), None, 0)
        note.created_at = min(row["created_at"] + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5)),
                              datetime.now(UTC))
        added += 1
    db.flush()
    return added


def _complete(db: DbSession) -> bool:
    """Whether every account, lead and first-hand opportunity of the company is there (their uids
    are known without generating anything): then a second ``crm demo`` costs three queries."""
    expected = ((Account, "account", ACCOUNTS), (Lead, "lead", LEADS), (Opportunity, "opportunity", OPPORTUNITIES))
    return all(len(_ids_by_uid(db, model, [uid(what, n) for n in range(size)])) == size
               for model, what, size in expected)


def _write(db: DbSession, model: Any, rows: list[dict[str, Any]], written: dict[str, int], what: str) -> list[int]:
    """Insert the rows whose uid is not there yet; the ids of all rows, in order."""
    existing = _ids_by_uid(db, model, [row["uid"] for row in rows])
    missing = [row for row in rows if row["uid"] not in existing]
    columns = {c.key for c in model.__table__.columns} | {"phone"}
    fresh = []
    for row in missing:
        values = {k: v for k, v in row.items() if k in columns}
        if "phone" in values:
            values["phone_e164"] = e164(values["phone"])
        fresh.append(values)
    for row, pk in zip(missing, insert_elements(db, model, fresh), strict=True):
        existing[row["uid"]] = pk
        row["new"] = True
    written[what] = written.get(what, 0) + len(missing)
    return [existing[row["uid"]] for row in rows]


def _ids_by_uid(db: DbSession, model: Any, uids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(uids, 500):
        found.update((uid_, pk) for uid_, pk in db.execute(select(model.uid, model.id).where(model.uid.in_(chunk))))
    return found


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _lead_accounts(db: DbSession, company: Company, lead_ids: list[int], written: dict[str, int]) -> dict[int, int]:
    """The account each qualified lead became (as qualifying makes it): a customer under its
    definitive code when its opportunity was won, still potential otherwise."""
    won = {o["lead"] for o in company.opportunities if o["lead"] is not None and o["status"] == "won"}
    rows = []
    for index, lead in enumerate(company.leads):
        if lead["status"] != "qualified":
            continue
        rows.append({
            "uid": uid("lead-account", index), "lead": index, "kind": "sale", "name": lead["company"],
            "code": f"{CODE_PREFIX}Q{lead_ids[index]:05d}" if index in won else f"{CODE_PREFIX}P{index + 1:04d}",
            "status": "active" if index in won else "potential", "email": lead["email"], "phone": lead["phone"],
            "city": lead["city"], "country": lead["country"], "owner_id": lead["owner_id"],
            "created_at": lead["qualified_at"],
        })
    ids = _write(db, Account, rows, written, "accounts")
    return {row["lead"]: pk for row, pk in zip(rows, ids, strict=True)}


def _pipeline(db: DbSession, company: Company, ids: list[int], stages: list[str], fresh: int) -> None:
    """Each new opportunity's entry on the first stage and its moves up to its stage, spread
    between its creation and its close (or today), by its owner: the history the board shows."""
    if not fresh:
        return
    moves = []
    now = datetime.now(UTC)
    for row, pk in zip(company.opportunities, ids, strict=True):
        if not row.get("new"):
            continue
        reached = stages.index(row["stage"]) if row["stage"] in stages else 0
        end = datetime.combine(row["close_date"], time(12), tzinfo=UTC) if row.get("close_date") else now
        span = max(end - row["created_at"], timedelta(hours=1))
        previous = ""
        for step in range(reached + 1):
            moves.append({"opportunity_id": pk, "user_id": row["owner_id"], "from_stage": previous,
                          "to_stage": stages[step], "at": row["created_at"] + span * step / (reached + 1)})
            previous = stages[step]
    db.execute(insert(OpportunityStageChange), moves)
