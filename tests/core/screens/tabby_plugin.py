"""A throw-away plugin contributing a detail tab, to prove plugin tabs reach the detail screen."""

from __future__ import annotations

from markupsafe import Markup, escape

from crm_core.declarations import PluginMeta, Tab
from crm_core.plugins import hookimpl

meta = PluginMeta(description="test tab", requires_contract=">=2.1,<3")


def render(sdef, element) -> str:  # type: ignore[no-untyped-def]
    return Markup("<b>extra for {}</b>").format(escape(element.display_name()))


@hookimpl
def crm_detail_tabs(sdef):  # type: ignore[no-untyped-def]
    return [Tab("extra", "Extra", render, order=1)]
