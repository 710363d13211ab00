"""What every page pays, done once where it is the same for everyone (issue 13 target 6): the
permissions' statement is built once, with the group as a parameter — so each group still gets
its own rights, and a change of rights, field rules or menu settings shows on the next load."""

from __future__ import annotations

from crm_core.admin.services import set_permissions
from crm_core.models.auth import FieldAccess, User
from crm_core.models.menu import MenuSetting
from crm_core.security.access import load_access


def test_each_group_gets_its_own_rights_and_a_change_is_seen_at_once(db, users):
    ana, leader = users["ana"], users["leader"]
    name = next(iter(load_access(db, ana).perms))
    set_permissions(db, ana.group, [name], {name: set()})
    set_permissions(db, leader.group, [name], {name: {"view", "modify"}})
    db.flush()
    assert not load_access(db, ana).can(name, "view")
    assert load_access(db, leader).can(name, "modify")
    set_permissions(db, ana.group, [name], {name: {"view"}})
    db.add(FieldAccess(group_id=ana.group_id, session_name=name, field_name="phone", mode="hidden"))
    db.flush()
    mine = load_access(db, ana)
    assert mine.can(name, "view") and not mine.can(name, "modify")
    assert "phone" in mine.field_rules(name).hidden
    assert "phone" not in load_access(db, leader).field_rules(name).hidden
    assert load_access(db, ana).menu is None and load_access(db, ana, menu=True).menu == {}
    db.add(MenuSetting(kind="session", name=name, label="Renamed", position=1, hidden=False))
    db.flush()
    assert load_access(db, ana, menu=True).menu[("session", name)].label == "Renamed"
    nobody = User(username="nobody", group_id=None)  # no group: no rights, still the menu's settings
    groupless = load_access(db, nobody, menu=True)
    assert not groupless.can(name, "view") and ("session", name) in groupless.menu
    assert load_access(db, nobody).perms == {}


def test_the_bars_kept_parts_are_their_templates_text_per_language_and_site_root(crm_app, client_for):
    """``chrome_markup`` gives what its template renders, for each language and site root, kept
    apart; two users of one language get the same bar parts, and a part nobody declared is
    refused."""
    import pytest
    from flask import render_template
    from flask_babel import force_locale

    from crm_core.navigation import CHROME_PARTS, chrome_markup

    seen = {}
    for root in ("", "/crm"):
        for language in ("es", "en"):
            with crm_app.test_request_context(base_url=f"http://localhost{root}/"), force_locale(language):
                for part in sorted(CHROME_PARTS):
                    for _ in range(2):
                        assert chrome_markup(part) == render_template(f"_chrome_{part}.html")
                    seen[(root, language, part)] = str(chrome_markup(part))
                    assert f'"{root}/' in seen[(root, language, part)]
    assert len(set(seen.values())) == len(seen)
    assert "Notificaciones" in seen[("", "es", "bell")] and "Notifications" in seen[("", "en", "bell")]
    with crm_app.test_request_context(), pytest.raises(ValueError):
        chrome_markup("../base")
    pages = {name: client_for(name).get("/").get_data(as_text=True) for name in ("ana", "bob")}
    for html in pages.values():
        assert seen[("", "en", "bell")] in html and seen[("", "en", "search")] in html
        assert seen[("", "en", "account")] in html
