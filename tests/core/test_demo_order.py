"""``crm demo`` makes each plugin's data after the data of the plugins it requires (PLUG-05),
whatever order pluggy would call the implementations in, and wrappers still wrap each call."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.declarations import DemoUser
from crm_core.demo import demo_users, load_demo
from crm_core.errors import PluginError
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.plugins import hookimpl
from crm_core.testing import make_plugin

CALLS: list[str] = []


def _records(name: str):  # type: ignore[no-untyped-def]
    def crm_demo_data(db, users):  # type: ignore[no-untyped-def]
        CALLS.append(name)

    return crm_demo_data


@hookimpl(wrapper=True)
def _wrapper(db, users):  # type: ignore[no-untyped-def]
    CALLS.append("wrap")
    return (yield)


# "base" registers first (dependency order), so pluggy alone would call "depends" first.
BASE = make_plugin("zz_base", crm_demo_data=_records("base"))
DEPENDS = make_plugin("aa_depends", requires=("zz_base",), crm_demo_data=_records("depends"))
WRAPS = make_plugin("wraps", crm_demo_data=_wrapper)


@pytest.mark.crm(plugins=["aa_depends", "zz_base"], extra_plugins={"zz_base": BASE, "aa_depends": DEPENDS})
def test_demo_data_follows_declared_dependencies(app_ctx):
    CALLS.clear()
    load_demo()
    assert CALLS == ["base", "depends"]


@pytest.mark.crm(plugins=["aa_depends", "zz_base", "wraps"],
                 extra_plugins={"zz_base": BASE, "aa_depends": DEPENDS, "wraps": WRAPS})
def test_a_wrapper_wraps_every_plugins_demo_data(app_ctx):
    CALLS.clear()
    load_demo()
    assert [c for c in CALLS if c != "wrap"] == ["base", "depends"]
    assert CALLS.count("wrap") >= 2 and CALLS[0] == "wrap"


FIRST = make_plugin("aa_first", crm_demo_users=lambda: [DemoUser("dora", "Dora First", "Leaders")])
SECOND = make_plugin("zz_second", crm_demo_users=lambda: [DemoUser("dora", "Dora Second", "Executives")])
TYPO = make_plugin("typo", crm_demo_users=lambda: [DemoUser("eve", "Eve", "Sellers")])


@pytest.mark.crm(plugins=["aa_first", "zz_second"], extra_plugins={"aa_first": FIRST, "zz_second": SECOND})
def test_the_core_creates_only_the_demo_users_plugins_declare_first_declaration_first(app_ctx, db):
    # pluggy calls the plugin registered last first: zz_second's declaration of dora wins
    names = [u.full_name for u in demo_users(crm_state().pm, {"Leaders": 1, "Executives": 2})]
    assert names == ["Dora Second"]
    assert load_demo().startswith("users: dora;")
    assert list(db.scalars(select(User.full_name).where(User.username == "dora"))) == ["Dora Second"]


@pytest.mark.crm(plugins=[])
def test_without_business_plugins_there_is_no_demo_user(app_ctx, db):
    before = db.scalar(select(func.count()).select_from(User))
    assert load_demo() == "no demo users: no enabled plugin declares any"
    assert db.scalar(select(func.count()).select_from(User)) == before


@pytest.mark.crm(plugins=["typo"], extra_plugins={"typo": TYPO})
def test_a_demo_user_in_an_unknown_group_names_the_plugin(app_ctx, db):
    with pytest.raises(PluginError, match=r"plugin 'typo': demo user 'eve' is in unknown group 'Sellers'"):
        load_demo()
    assert db.scalar(select(User).where(User.username == "eve")) is None
