"""Finding the client behind a phone number, within what the user may see (TEL-01 groundwork)."""

from __future__ import annotations

from crm_core.app import crm_state


def ask(db, users, username: str, number: str):
    return crm_state().pm.hook.crm_find_by_phone(number=number, user=users[username], db=db)


def test_contact_is_found_whatever_the_formatting(db, users, create):
    account = create("accounts", "ana", code="C-100", name="Acme")
    contact = create("contacts", "ana", account_id=account.id, first_name="Eva", last_name="Ruiz", phone="+34 912-345-678")
    assert ask(db, users, "ana", "912345678") == contact
    assert ask(db, users, "ana", "0034 (912) 345 678") == contact


def test_contact_wins_over_account_and_lead_with_the_same_number(db, users, create):
    account = create("accounts", "ana", code="C-101", name="Beta", phone="600 111 222")
    create("leads", "ana", name="Beta lead", phone="600111222")
    contact = create("contacts", "ana", account_id=account.id, first_name="Luis", last_name="Gil", phone="600111222")
    assert ask(db, users, "ana", "+34600111222") == contact


def test_lead_is_found_when_nothing_else_matches(db, users, create):
    lead = create("leads", "ana", name="Gamma", phone="655 000 111")
    assert ask(db, users, "ana", "655000111") == lead


def test_another_executives_client_is_not_revealed(db, users, create):
    create("leads", "bob", name="Bob's lead", phone="677 888 999")
    assert ask(db, users, "ana", "677888999") is None
    assert ask(db, users, "leader", "677888999").name == "Bob's lead"


def test_too_short_numbers_match_nothing(db, users, create):
    create("leads", "ana", name="Delta", phone="123456789")
    assert ask(db, users, "ana", "6789") is None
