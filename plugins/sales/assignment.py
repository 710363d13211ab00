"""Campaign loads: who gets each opportunity loaded in bulk for a campaign (SAL-09, EXT-02).

A client that configures ``[settings.sales.assignment]`` has the opportunities of an import
batch that belong to a campaign given to the members of a group (default *Executives*) instead
of the importer: ``rule = "round_robin"`` gives each to the member with the fewest active
opportunities in that campaign (so loads in several chunks or files stay even, in member order
on ties); ``rule = "by_branch"`` does the same among the members the client's ``branches``
table names for the account's city (``"Guayaquil" = ["mlopez"]``), falling back to every member
when the city has none. Applied once per import chunk with a fixed number of statements: the
members, their current counts, the accounts' cities, one ``UPDATE`` per member and the audit
rows (``audit.record_updates``, action ``assign``). Opportunities created one by one (screen,
API) are never reassigned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm.attributes import set_committed_value

from crm_core.toolkit import BusinessRuleError, Group, User, audit, crm_state
from plugins.sales.models import Account, Opportunity


def _members(db: DbSession, group_name: str) -> list[User]:
    members = list(db.scalars(
        select(User).join(Group, Group.id == User.group_id)
        .where(Group.name == group_name, User.active.is_(True)).order_by(User.id)
    ))
    if not members:
        raise BusinessRuleError(_("Campaign load: the group %(g)s has no active member to give opportunities to.",
                                  g=group_name))
    return members


def assign(db: DbSession, opportunities: Sequence[Opportunity]) -> int:
    """Give a batch's campaign opportunities to the group's members by the client's rule;
    returns how many changed owner. Nothing happens without ``[settings.sales.assignment]``."""
    conf = crm_state().setting("sales", "assignment")
    batch = [o for o in opportunities if o.campaign_id is not None and o.status == "active"]
    if not conf or not batch:
        return 0
    members = _members(db, conf["group"])
    by_name = {m.username: m for m in members}
    campaigns = {o.campaign_id for o in batch}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    ids = [o.id for o in batch]
    stmt = (select(Opportunity.campaign_id, Opportunity.owner_id, func.count())
            .where(Opportunity.campaign_id.in_(campaigns), Opportunity.status == "active",
                   Opportunity.owner_id.in_([m.id for m in members]), Opportunity.id.notin_(ids))
            .group_by(Opportunity.campaign_id, Opportunity.owner_id))
    for campaign_id, owner_id, n in db.execute(stmt):
        counts[(campaign_id, owner_id)] = n
    cities: dict[int, str] = {}
    if conf["rule"] == "by_branch":
        account_ids = {o.account_id for o in batch}
        cities = dict(db.execute(select(Account.id, Account.city).where(Account.id.in_(account_ids))).all())
    chosen: dict[int, list[Opportunity]] = defaultdict(list)
    for opp in batch:
        pool = members
        if conf["rule"] == "by_branch":
            named = [by_name[u] for u in conf["branches"].get(cities.get(opp.account_id) or "", []) if u in by_name]
            pool = named or members
        owner = min(pool, key=lambda m: counts[(opp.campaign_id, m.id)])
        counts[(opp.campaign_id, owner.id)] += 1
        if owner.id != opp.owner_id:
            chosen[owner.id].append(opp)
    changes: dict[int, dict[str, Any]] = {}
    for owner_id, opps in chosen.items():
        db.execute(update(Opportunity).where(Opportunity.id.in_([o.id for o in opps])).values(owner_id=owner_id),
                   execution_options={"synchronize_session": False})
        for opp in opps:
            changes[opp.id] = {"owner_id": [opp.owner_id, owner_id]}
            set_committed_value(opp, "owner_id", owner_id)
    with audit.audit_context(action="assign"):
        audit.record_updates(db, Opportunity.__element_type__, changes)
    return len(changes)
