"""Messaging pages: template preview (configuration) and the "Messages" history tab."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import login_required
from markupsafe import Markup

from crm_core.toolkit import SessionDef, current_access, outbox_history, outbox_status_label, session, utcnow
from plugins.messaging.mail import EMAIL_TOPIC, LANGUAGES, TEMPLATES, render_email
from plugins.messaging.sms import SMS_TOPIC

bp = Blueprint("messaging", __name__, url_prefix="/config/messaging", template_folder="templates")
SAMPLE = {
    "recipient": "Ana García",
    "subject": "Call Acme SA",
    "link": "https://crm.example.com/s/activities/1",
    "grouping": "VIP clients",
    "count": 3,
    "subjects": ["Call Acme SA", "Visit Beta SL"],
}


@bp.route("/templates")
@login_required
def templates():  # type: ignore[no-untyped-def]
    """Every template in every language, rendered with sample data (what users will receive)."""
    current_access().require("message_templates", "view")
    chosen = request.args.get("name", TEMPLATES[0])
    name = chosen if chosen in TEMPLATES else TEMPLATES[0]
    sample = {**SAMPLE, "when": utcnow().strftime("%Y-%m-%d %H:%M UTC")}
    previews = [(lang, *render_email(name, lang, sample)) for lang in LANGUAGES]
    return render_template("messaging/templates.html", names=TEMPLATES, name=name, previews=previews)


def render_history(sdef: SessionDef, element: Any) -> str:
    """Emails and SMS about ``element`` with their delivery status (detail already checked access)."""
    messages = outbox_history(session(), element.element_type, element.id)
    rows = [m for m in messages if m.topic in (EMAIL_TOPIC, SMS_TOPIC)]
    return Markup(render_template("messaging/history.html", rows=rows, status_label=outbox_status_label))
