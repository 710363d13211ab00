"""Markup every page and form owes assistive technology and the user's system (issue 17 item 10,
NF-05): autocomplete on login and password fields, errors of a refused login tied to their
fields, a dark theme following prefers-color-scheme set from a static file (no inline script),
and the kinds of state that colour status badges (``Status.tone``)."""

from __future__ import annotations

import re

import pytest

from crm_core.declarations import STATE_TONES, Status


def _input(html: str, ident: str) -> str:
    return re.search(rf'<input[^>]*id="{ident}"[^>]*>', html).group(0)


def test_login_fields_tell_password_managers_what_they_hold(crm_app):
    html = crm_app.test_client().get("/login").get_data(as_text=True)
    assert 'autocomplete="username"' in _input(html, "username")
    assert 'autocomplete="current-password"' in _input(html, "password")


def test_profile_password_fields_tell_current_from_new(client_for):
    html = client_for("ana").get("/account").get_data(as_text=True)
    assert 'autocomplete="current-password"' in _input(html, "current_password")
    assert 'autocomplete="new-password"' in _input(html, "new_password")


def test_a_refused_login_ties_the_message_to_its_field(crm_app, users):
    html = crm_app.test_client().post("/login", data={"username": "ana", "password": ""}).get_data(as_text=True)
    field = _input(html, "password")
    assert 'aria-invalid="true"' in field and 'aria-describedby="password-error"' in field
    assert 'id="password-error"' in html
    assert 'aria-invalid' not in _input(html, "username")


def test_pages_follow_the_systems_colour_scheme_without_inline_script(crm_app):
    html = crm_app.test_client().get("/login").get_data(as_text=True)
    head = html.split("</head>")[0]
    assert '<meta name="color-scheme" content="light dark">' in head
    assert re.search(r'<script src="/assets/core/theme\.[0-9a-f]+\.js"></script>', head)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file (CSP)


def test_a_status_tone_defaults_from_open_and_must_be_known():
    assert Status("new", "New").kind == "open"
    assert Status("done", "Done", open=False).kind == "closed"
    assert Status("won", "Won", open=False, tone="won").kind == "won"
    assert set(STATE_TONES) == {"open", "won", "lost", "closed"}
    with pytest.raises(ValueError, match="tone 'green'"):
        Status("x", "X", tone="green")
