"""Deleting a record other records point at is refused with a message, never a server error,
and deletes nothing (NF-02): a campaign named by an opportunity, on the screen and the API."""

from __future__ import annotations

from plugins.sales.models import Campaign


def test_a_campaign_an_opportunity_refers_to_is_not_deleted(client_for, create, db):
    account = create("accounts", "leader", code="C0001", name="Levante")
    campaign = create("campaigns", "leader", code="PRIM", name="Primavera")
    create("opportunities", "leader", name="Venta", account_id=account.id, campaign_id=campaign.id)
    client = client_for("admin")
    page = client.post(f"/s/campaigns/{campaign.id}/delete", follow_redirects=True)
    assert page.status_code == 200
    assert "cannot be deleted: other records refer to it" in page.get_data(as_text=True)
    api = client.delete(f"/api/v1/campaigns/{campaign.id}")
    assert api.status_code == 422
    db.expire_all()
    assert db.get(Campaign, campaign.id) is not None


def test_a_reference_past_64_bits_is_a_field_error_on_the_form(client_for, create, db):
    account = create("accounts", "ana", code="C0001", name="Levante")
    contact = create("contacts", "ana", account_id=account.id, first_name="Marta", last_name="Soler")
    response = client_for("ana").post(
        f"/s/contacts/{contact.id}",
        data={"account_id": str(2**64), "first_name": "Marta", "last_name": "Soler", "version": contact.version},
    )
    assert response.status_code == 400
    assert "out of the range that can be stored" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(type(contact), contact.id).account_id == account.id
