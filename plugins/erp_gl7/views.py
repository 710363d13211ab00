"""The "GL7 ERP" tab on account and contact detail screens: GL7 code and delivery status."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from crm_core.toolkit import SessionDef, outbox_history, outbox_status_label, session
from plugins.erp_gl7.services import HANDLERS, link_for


def render_tab(sdef: SessionDef, element: Any) -> str:
    """Rendered inside the detail screen, which already checked the user may see ``element``."""
    db = session()
    messages = [m for m in outbox_history(db, element.element_type, element.id) if m.topic in HANDLERS]
    html = render_template(
        "erp_gl7/tab.html", link=link_for(db, element.uid), messages=messages, status_label=outbox_status_label
    )
    return Markup(html)
