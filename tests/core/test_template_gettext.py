"""The templates' ``_()``/``gettext`` (``crm_core.i18n.template_gettext``): the same text as
jinja's new-style gettext over the real Spanish catalog — escaped where the template escapes,
variables formatted and escaped, ``%%`` unescaped, ``{% trans %}`` blocks, missing messages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from babel.support import Translations
from jinja2 import Environment

from crm_core.i18n import CORE_TRANSLATIONS, template_gettext

SPANISH = Translations.load(str(CORE_TRANSLATIONS), ["es"])

TEMPLATES = [
    '{{ _("Log out") }}',
    '<b title="{{ _("View name") }}">{{ _("Members of %(name)s", name=who) }}</b>',
    '{{ _("%(share)s %% of the goal of %(goal)s", share=12, goal=who) }}',
    '{{ _("100%% <sure> & not in the catalog") }}|{{ _("%s") }}|{{ _("plain & <b>") }}',
    '{{ gettext("Members of %(name)s", name=who) }}|{{ _("Members of %(name)s", name=who) | length }}',
    '{% trans %}Log out{% endtrans %}|{% trans name=who %}Members of {{ name }}{% endtrans %}',
    '{% trans n=3 %}{{ n }} record{% pluralize %}{{ n }} records{% endtrans %}',
]


def environment(autoescape: bool, fast: bool, translations: object) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    if fast:
        domain = SimpleNamespace(get_translations=lambda: translations)
        env.globals.update(_=template_gettext(domain), gettext=template_gettext(domain))  # type: ignore[arg-type]
    return env


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("translations", [SPANISH, Translations()], ids=["es", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_the_same_text_as_jinjas_gettext(source, translations, autoescape):
    values = {"who": 'Ana <b>&</b> "Bo"'}
    theirs = environment(autoescape, False, translations).from_string(source).render(values)
    ours = environment(autoescape, True, translations).from_string(source).render(values)
    assert ours == theirs


def test_the_spanish_catalog_is_used():
    html = environment(True, True, SPANISH).from_string('{{ _("Log out") }}').render()
    assert html and html != "Log out"


def test_the_app_templates_use_it(crm_app):
    assert crm_app.jinja_env.globals["_"] is crm_app.jinja_env.globals["gettext"]
    assert getattr(crm_app.jinja_env.globals["_"], "__name__", "") == "gettext"
    with crm_app.test_request_context(), crm_app.app_context():
        from flask_babel import force_locale

        with force_locale("es"):
            spanish = crm_app.jinja_env.from_string('{{ _("Log out") }}').render()
        english = crm_app.jinja_env.from_string('{{ _("Log out") }}').render()
    assert english == "Log out" and spanish == SPANISH.ugettext("Log out") != "Log out"
