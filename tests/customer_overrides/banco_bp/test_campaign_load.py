"""Campaign loads (SAL-09, issue 16): the bank's file of pre-approved clients loaded into a
campaign through the generic import, the opportunities given to executives by branch (the
account's city) or round robin, with progress per chunk; loading the file again creates nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.toolkit import ImportSpec, create_element, crm_state, run_import, unit_of_work
from plugins.sales.models import Opportunity

pytestmark = pytest.mark.crm(customer="banco_bp")

CITIES = ("Guayaquil", "Quito", "Loja")
COLUMNS = ("external_ref", "account_code", "name", "amount", "campaign_code")


@pytest.fixture
def campaign(db, access_for, users):
    registry = crm_state().registry
    leader = access_for("leader")
    with unit_of_work() as s:
        for n in range(12):
            create_element(s, registry.sdef("accounts"), leader,
                           {"code": f"09{n:08d}", "name": f"Cliente {n}", "city": CITIES[n % 3]})
        create_element(s, registry.sdef("campaigns"), leader, {"code": "PRE-TEST", "name": "Preaprobados"})
    return "PRE-TEST"


def _file(rows: int) -> str:
    lines = [";".join(("NUM_PREAPROBACION", "IDENTIFICACION", "PRODUCTO", "MONTO", "CAMPANA"))]
    lines += [f"PA-{n:06d};09{n:08d};Crédito preaprobado;{1000 + n}.00;PRE-TEST" for n in range(rows)]
    return "\n".join(lines) + "\n"


def _owners(db, users) -> dict[str, int]:
    names = {u.id: u.username for u in users.values()}
    rows = db.execute(select(Opportunity.owner_id, func.count()).group_by(Opportunity.owner_id)).all()
    return {names[owner]: n for owner, n in rows}


def _load(access_for, mode="valid", chunks=None):
    spec = ImportSpec(columns=COLUMNS, mode=mode, on_duplicate="skip")
    return run_import(crm_state().registry.sdef("opportunities"), access_for("leader"), _file(12), spec,
                      on_chunk=(lambda r: chunks.append((r.processed, r.total))) if chunks is not None else None,
                      chunk_size=5)


def test_by_branch_with_progress_and_a_second_load_creates_nothing(campaign, crm_app, db, users, access_for):
    crm_app.extensions["crm"].settings["sales"]["assignment"] = {
        "rule": "by_branch", "group": "Executives", "branches": {"Guayaquil": ["ana"], "Quito": ["bob"]}}
    chunks: list[tuple[int, int]] = []
    first = _load(access_for, chunks=chunks)
    assert (first.created, first.failed) == (12, 0)
    assert chunks == [(5, 12), (10, 12), (12, 12)]
    guayaquil = set(db.scalars(select(Opportunity.owner_id).join(Opportunity.account)
                               .where(Opportunity.account.property.mapper.class_.city == "Guayaquil")))
    assert guayaquil == {users["ana"].id}
    assert _owners(db, users) == {"ana": 6, "bob": 6}  # Loja has no branch: shared evenly
    again = _load(access_for)
    assert (again.created, again.skipped) == (0, 12)
    assert db.scalar(select(func.count()).select_from(Opportunity)) == 12


def test_round_robin_is_even_across_chunks(campaign, crm_app, db, users, access_for):
    crm_app.extensions["crm"].settings["sales"]["assignment"] = {"rule": "round_robin", "group": "Executives",
                                                                 "branches": {}}
    result = _load(access_for, mode="all")
    assert result.created == 12
    assert _owners(db, users) == {"ana": 6, "bob": 6}
    opp = db.scalar(select(Opportunity).order_by(Opportunity.id))
    page = crm_app.test_client(user=users["leader"]).get(f"/s/opportunities/{opp.id}?tab=history")
    text = page.get_data(as_text=True)  # the move is audited under its own action
    assert page.status_code == 200 and "assign" in text and users["ana"].full_name in text
