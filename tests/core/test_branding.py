"""The client's name, logo and colour (``[branding]`` of customer.toml, issue 17 item 11) and the
favicon: checked at start-up, shown in the navbar, login page and titles, served hashed."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.utils import parseaddr

import pytest

from crm_core.branding import Branding, parse_branding
from crm_core.customer import load_customer
from crm_core.errors import ConfigError

pytestmark = pytest.mark.crm(customer="demo")

LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>'


def _folder(tmp_path, branding: str, logo: str | None = "static/logo.svg"):
    client = tmp_path / "acme"
    (client / "static").mkdir(parents=True)
    if logo:
        (client / logo).write_bytes(LOGO)
    (client / "customer.toml").write_text(f'[plugins]\nenabled = ["sales"]\n[branding]\n{branding}\n')
    return client


def test_a_complete_branding_is_read(tmp_path):
    client = _folder(tmp_path, 'name = { en = "Acme", es = "Acme ES" }\nlogo = "static/logo.svg"\ncolour = "#0B6e4f"')
    branding = load_customer(tmp_path, "acme").branding
    assert branding.logo == (client / "static/logo.svg").resolve() and branding.colour == "#0B6e4f"
    assert branding.name.texts == {"en": "Acme", "es": "Acme ES"}
    assert "--crm-brand: #0B6e4f" in branding.css()


@pytest.mark.parametrize(("branding", "logo", "words"), [
    ('colour = "green"', None, ["[branding.colour]", "'green' is not a colour", "#rrggbb"]),
    ('colour = "#12345"', None, ["[branding.colour]", "is not a colour"]),
    ("colour = 12", None, ["[branding.colour]", "12 is not a colour"]),
    ('logo = "static/missing.svg"', None, ["[branding.logo]", "no such file"]),
    ('logo = "../../etc/passwd"', None, ["[branding.logo]", "outside the client folder"]),
    ('logo = "customer.toml"', None, ["[branding.logo]", "a logo is one of", ".svg"]),
    ('name = ""', None, ["[branding.name]"]),
    ('name = { en = "Acme" }', None, ["[branding.name]", "missing the text in es"]),
    ('motto = "Go"', None, ["[branding.motto]", "unknown key", "colour, logo, name"]),
])
def test_a_bad_branding_stops_start_up_naming_the_key(tmp_path, branding, logo, words):
    _folder(tmp_path, branding, logo)
    with pytest.raises(ConfigError) as refused:
        load_customer(tmp_path, "acme")
    assert all(w in str(refused.value) for w in words), str(refused.value)


def test_the_app_refuses_to_start_with_a_bad_colour(tmp_path):
    from crm_core.testing.clients import client_problems

    client = _folder(tmp_path, 'colour = "blue-ish"')
    [problem] = client_problems(client)
    assert "[branding.colour]" in problem and "blue-ish" in problem


def test_no_branding_keeps_the_products_name(tmp_path):
    assert parse_branding({}, tmp_path, "x") == Branding()
    assert Branding().css() == ""


def _hrefs(html: str, rel: str) -> list[str]:
    return re.findall(rf'<link rel="{rel}" href="([^"]+)"', html)


def test_the_name_logo_and_colour_show_on_every_page(client_for):
    client = client_for("ana")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r"<title>[^<]+ · Demo Corp</title>", html)
    brand = html.split('id="brand"', 1)[1].split("</a>", 1)[0]
    assert "Demo Corp" in brand and re.search(r'src="/assets/brand/logo\.[0-9a-f]{12}\.svg"', brand)
    [css] = [h for h in _hrefs(html, "stylesheet") if "/assets/brand/" in h]
    sheet = client.get(css)
    assert sheet.status_code == 200 and sheet.mimetype == "text/css" and "#0b6e4f" in sheet.get_data(as_text=True)
    assert "immutable" in sheet.headers["Cache-Control"]
    logo = client.get(re.search(r'src="(/assets/brand/logo\.[^"]+)"', brand)[1])
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml" and b"<svg" in logo.data
    assert "immutable" in logo.headers["Cache-Control"]
    assert client.get("/assets/brand/logo.000000000000.svg").status_code == 404  # a stale hash


def test_the_login_page_shows_the_client(crm_app):
    html = crm_app.test_client().get("/login").get_data(as_text=True)
    assert "<title>Log in · Demo Corp</title>" in html
    assert "Demo Corp" in html.split('id="login-brand"', 1)[1].split("</div>", 1)[0]


@pytest.mark.crm(customer=None, plugins=["sales"])
def test_without_branding_the_product_name_and_icon_stay(crm_app, client_for):
    html = client_for("ana").get("/").get_data(as_text=True)
    assert re.search(r"<title>[^<]+ · CRM</title>", html) and "/assets/brand/" not in html
    [icon] = _hrefs(html, "icon")
    assert re.fullmatch(r"/assets/core/favicon\.[0-9a-f]{12}\.svg", icon)


def test_favicon_ico_is_never_a_404(crm_app):
    client = crm_app.test_client()
    answer = client.get("/favicon.ico")  # asked by browsers without a session
    assert answer.status_code == 302 and answer.headers["Cache-Control"] == "no-cache"
    icon = client.get(answer.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    html = client.get("/login").get_data(as_text=True)
    assert _hrefs(html, "icon") == [answer.headers["Location"]]  # the client's logo is its icon


def test_mail_sender_name_is_the_clients(crm_app):
    from crm_core.toolkit import client_name
    from plugins.messaging.mail import build_message

    with crm_app.app_context():
        name = client_name("es")
    message = build_message({"to": "a@example.com", "subject": "s", "body": "b"}, "k", "crm@demo.example", name)
    parsed = message_from_bytes(message.as_bytes())
    assert parseaddr(parsed["From"]) == ("Demo Corp", "crm@demo.example")
    bare = build_message({"to": "a@example.com", "subject": "s", "body": "b"}, "k", "crm@demo.example")
    assert bare["From"] == "crm@demo.example"
