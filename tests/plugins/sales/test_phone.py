"""Finding the client behind a phone number by its indexed E.164 form, within what the user may
see (TEL-01)."""

from __future__ import annotations

from sqlalchemy import select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec
from crm_core.services import elements
from plugins.sales.models import Contact, Lead


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


def test_text_that_is_not_a_number_matches_nothing(db, users, create):
    create("leads", "ana", name="Epsilon", phone="call reception")
    assert ask(db, users, "ana", "call reception") is None


# The indexed E.164 column follows the typed phone on every write path.


def test_an_edited_phone_moves_the_indexed_number(db, users, create, sdef, access_for):
    lead = create("leads", "ana", name="Zeta", phone="655 000 222")
    assert lead.phone_e164 == "+34655000222"
    with unit_of_work():
        elements.update(db, sdef("leads"), access_for("ana"), lead, {"phone": "+44 20 7946 0958"})
    assert lead.phone_e164 == "+442079460958"
    assert ask(db, users, "ana", "0044 20 7946 0958") == lead
    assert ask(db, users, "ana", "655000222") is None
    with unit_of_work():
        elements.update(db, sdef("leads"), access_for("ana"), lead, {"city": "Soria"})
    assert lead.phone_e164 == "+442079460958"  # a change without the phone keeps it


def test_imported_rows_get_the_indexed_number(db, users, sdef, access_for):
    text = "name;phone\nImported one;912 345 679\nImported two;not a phone\n"
    result = run_import(sdef("leads"), access_for("ana"), text, ImportSpec(("name", "phone")))
    assert result.errors == [] and result.created == 2
    stored = dict(db.execute(select(Lead.name, Lead.phone_e164).where(Lead.name.like("Imported%"))).all())
    assert stored == {"Imported one": "+34912345679", "Imported two": ""}
    assert ask(db, users, "ana", "+34 912 345 679").name == "Imported one"


def test_a_qualified_leads_account_and_contact_are_found_by_its_number(db, users, create, action):
    lead = create("leads", "ana", name="Eta SL", contact_person="Rosa Eta", phone="600 222 333")
    account = action("leads", lead, "qualify", "ana", create_contact=True)
    assert account.phone_e164 == "+34600222333"
    found = ask(db, users, "ana", "600222333")
    assert isinstance(found, Contact) and found.account_id == account.id
