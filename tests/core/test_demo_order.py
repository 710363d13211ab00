"""``crm demo`` makes each plugin's data after the data of the plugins it requires (PLUG-05),
whatever order pluggy would call the implementations in, and wrappers still wrap each call."""

from __future__ import annotations

import pytest

from crm_core.demo import load_demo
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
