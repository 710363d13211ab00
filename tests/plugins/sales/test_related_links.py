"""Related records are links and people are names on the sales grids and forms; statuses are
badges coloured by their kind of state (issue 17 items 6 and 10, CORE-08, CORE-09, SAL-05)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.crm(plugins=["sales", "activities"])


@pytest.fixture
def deal(create):  # type: ignore[no-untyped-def]
    account = create("accounts", "ana", code="L0001", name="Lunares SL")
    contact = create("contacts", "ana", account_id=account.id, first_name="Marta", last_name="Soler")
    opportunity = create("opportunities", "ana", name="Pedido grande", account_id=account.id, amount=1200)
    return account, contact, opportunity


def _cell(html: str, label: str) -> str:
    found = re.findall(rf'<td data-label="{label}">(.*?)</td>', html)
    assert found, f"no {label} cell"
    return found[0]


def test_opportunity_grid_links_the_account_and_names_the_owner(deal, client_for):
    account, _contact, _opportunity = deal
    html = client_for("ana").get("/s/opportunities").get_data(as_text=True)
    assert _cell(html, "Amount") == "<span>€1,200.00</span>"  # the amount with its currency
    assert _cell(html, "Account") == f'<a href="/s/accounts/{account.id}">L0001 Lunares SL</a>'
    assert _cell(html, "Owner") == "<span>Ana</span>"
    assert 'data-column="owner_id"' in html and 'data-column="account_id"' in html


def test_contact_grid_links_the_account_and_names_the_owner(deal, client_for):
    account, _contact, _opportunity = deal
    html = client_for("ana").get("/s/contacts").get_data(as_text=True)
    assert _cell(html, "Account") == f'<a href="/s/accounts/{account.id}">L0001 Lunares SL</a>'
    assert _cell(html, "Owner") == "<span>Ana</span>"


def test_account_and_owner_columns_are_not_offered_as_sorts(deal, client_for):
    """They would order by id, not by name, and no list index serves them (issue 13 target 4):
    no header link, and a URL asking for them falls back to the default order with a notice."""
    ana = client_for("ana")
    for column in ("account_id", "owner_id"):
        html = ana.get(f"/s/opportunities?sort=-{column}", follow_redirects=True).get_data(as_text=True)
        assert f'<th scope="col" data-column="{column}">' in html and "aria-sort" not in html.split(
            f'data-column="{column}"', 1)[1].split("</th>", 1)[0]
        assert "cannot be sorted by" in html


def test_sorted_column_header_carries_aria_sort(deal, client_for):
    ana = client_for("ana")
    default = ana.get("/s/contacts").get_data(as_text=True)  # sorted by last name by default
    assert '<th scope="col" data-column="last_name" aria-sort="ascending">' in default
    assert default.count("aria-sort=") == 1
    html = ana.get("/s/contacts?sort=-last_name").get_data(as_text=True)
    assert '<th scope="col" data-column="last_name" aria-sort="descending">' in html
    assert html.count("aria-sort=") == 1


def test_status_badges_are_coloured_by_kind_of_state(deal, action, client_for):
    _account, _contact, opportunity = deal
    ana = client_for("ana")
    open_html = ana.get(f"/s/opportunities/{opportunity.id}").get_data(as_text=True)
    assert re.search(r'<span class="badge crm-state crm-state-open" id="detail-status" data-state="open">', open_html)
    action("opportunities", opportunity, "close_lost", "ana", reason="Precio")
    lost = ana.get(f"/s/opportunities/{opportunity.id}").get_data(as_text=True)
    assert 'id="detail-status" data-state="lost"' in lost
    grid = ana.get("/s/opportunities").get_data(as_text=True)
    assert _cell(grid, "Status") == '<span class="badge crm-state crm-state-lost" data-state="lost">Lost</span>'


def test_detail_form_links_the_referenced_account(deal, client_for):
    account, contact, _opportunity = deal
    html = client_for("ana").get(f"/s/contacts/{contact.id}?edit=1").get_data(as_text=True)
    assert f'<a href="/s/accounts/{account.id}" data-open="account_id">Open L0001 Lunares SL</a>' in html
    read = client_for("ana").get(f"/s/contacts/{contact.id}").get_data(as_text=True)  # read mode
    assert f'href="/s/accounts/{account.id}">L0001 Lunares SL</a>' in read


def test_an_account_the_user_may_not_see_is_neither_named_nor_linked(deal, client_for, db, users):
    account, contact, _opportunity = deal
    account.owner_id = users["bob"].id  # given to bob after ana's contact pointed at it
    db.commit()
    ana = client_for("ana")
    detail = ana.get(f"/s/contacts/{contact.id}").get_data(as_text=True)
    assert "Lunares SL" not in detail and 'data-open="account_id"' not in detail
    grid = ana.get("/s/contacts").get_data(as_text=True)
    assert "Lunares SL" not in grid and f"/s/accounts/{account.id}" not in grid


def test_current_tab_and_menu_entry_carry_aria_current(deal, client_for):
    account, _contact, _opportunity = deal
    html = client_for("ana").get(f"/s/accounts/{account.id}").get_data(as_text=True)
    assert re.search(r'class="list-group-item list-group-item-action active" aria-current="page" data-tab="info"', html)
    assert re.search(r'class="dropdown-item active" aria-current="page" data-session="accounts" href="/s/accounts"', html)
    assert html.count('aria-current="page"') == 3  # the breadcrumb, the tab and the menu entry


def test_refused_form_ties_each_error_to_its_field(client_for):
    html = client_for("ana").post("/s/contacts/new", data={"first_name": "Sin", "last_name": "", "account_id": ""})
    text = html.get_data(as_text=True)
    assert html.status_code == 400
    field = re.search(r'<input[^>]*id="f-last_name"[^>]*>', text).group(0)
    assert 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    for ident in described.split():
        assert f'id="{ident}"' in text


def test_amounts_read_with_their_currency_in_the_users_locale(create, client_for, db, users):
    account = create("accounts", "ana", code="M0001", name="Moneda SA")
    create("opportunities", "ana", name="En dólares", account_id=account.id, amount="1234.50", currency="USD")
    users["ana"].language = "es"
    db.commit()
    spanish = client_for("ana").get("/s/opportunities").get_data(as_text=True)
    assert re.search(r'<td data-label="Importe"><span>1\.234,50\xa0US\$</span></td>', spanish)


def test_currency_is_required_and_starts_at_the_clients_default(crm_app, create, client_for, db):
    from crm_core.extensions import crm_state

    html = client_for("ana").get("/s/opportunities/new").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="f-currency"[^>]*>', html).group(0)
    assert 'value="EUR"' in field and " required" in field
    account = create("accounts", "ana", code="M0002", name="Sin moneda")
    refused = client_for("ana").post("/s/opportunities/new", data={"name": "X", "account_id": str(account.id),
                                                                  "currency": ""})
    assert refused.status_code == 400 and "three-letter ISO code" in refused.get_data(as_text=True)
    bad = client_for("ana").post("/s/opportunities/new", data={"name": "X", "account_id": str(account.id),
                                                              "currency": "ZZZ"})
    assert bad.status_code == 400
    crm_state(crm_app).settings.setdefault("sales", {})["currency"] = "GBP"
    made = create("opportunities", "ana", name="Sin dar moneda", account_id=account.id)
    assert made.currency == "GBP"


def test_a_client_with_an_unknown_currency_does_not_start(tmp_path):
    from crm_core.app import create_app
    from crm_core.errors import ConfigError

    client = tmp_path / "money"
    client.mkdir()
    (client / "customer.toml").write_text('[plugins]\nenabled = ["sales"]\n[settings.sales]\ncurrency = "EURO"\n')
    with pytest.raises(ConfigError, match=r"\[settings.sales.currency\].*three-letter ISO code"):
        create_app({"CRM_ENV": "testing", "CRM_SECRET_KEY": "x" * 40, "CRM_DATABASE_URL": "sqlite://",
                    "CRM_OVERRIDES_DIR": str(tmp_path), "CRM_CUSTOMER": "money"})


def test_read_mode_shows_the_amount_with_its_currency_as_the_grid_does(deal, client_for):
    _account, _contact, opportunity = deal
    html = client_for("ana").get(f"/s/opportunities/{opportunity.id}").get_data(as_text=True)
    assert '<dd class="col-12 col-sm-8 col-lg-9 text-break" data-value="amount">€1,200.00</dd>' in html
