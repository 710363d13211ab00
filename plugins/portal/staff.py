"""What agents see and do about the web channel in the CRM: invite a contact to the portal or
end their access (contact actions), answer a case publicly (case action), the *Portal* tabs of
contacts and cases, and the *Public form* tab of a web form (address, embed snippet, the latest
submissions with their source).

Sessions are recognised by their roles ("contact", "case"), not by importing their plugins.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_core.toolkit import (
    Action,
    ActionContext,
    BusinessRuleError,
    SessionDef,
    Tab,
    session,
)
from plugins.portal import accounts, requests, webforms
from plugins.portal.models import PortalUser, WebForm
from plugins.portal.realm import end_sessions
from plugins.portal.schemas import InviteSchema, PublicAnswerSchema


def _portal_user(db: Any, contact: Any) -> PortalUser | None:
    return db.scalar(select(PortalUser).where(PortalUser.contact_id == contact.id))


def _invite(ctx: ActionContext) -> str:
    user = accounts.invite(ctx.db, ctx.element, ctx.user.id, ctx.data.get("language"))
    return _("Invitation to the portal queued for %(email)s.", email=user.email)


def _revoke(ctx: ActionContext) -> str:
    user = _portal_user(ctx.db, ctx.element)
    if user is None or not user.active:
        raise BusinessRuleError(_("This contact has no portal access."))
    user.active = False
    end_sessions(user)
    return _("Portal access ended for %(email)s.", email=user.email)


def _has_access(contact: Any) -> bool:
    db = session()
    user = _portal_user(db, contact)
    return user is not None and user.active


def _answer(ctx: ActionContext) -> str:
    entry = requests.staff_reply(ctx.db, ctx.element, ctx.user.id, ctx.data["body"])
    for user in ctx.db.scalars(select(PortalUser).where(PortalUser.account_id == ctx.element.account_id,
                                                        PortalUser.active, PortalUser.password_hash != "")):
        if user.contact_id == ctx.element.contact_id:
            accounts.notify_answer(ctx.db, user, ctx.element, entry)
    return _("The answer is on the portal.")


def element_actions(sdef: SessionDef) -> list[Action]:
    if "contact" in sdef.roles and sdef.where.get("kind", "sale") == "sale":
        return [
            Action("portal_invite", _l("Invite to the portal"), _invite, schema=InviteSchema,
                   available=lambda contact: bool(contact.email)),
            Action("portal_revoke", _l("End portal access"), _revoke, available=_has_access,
                   confirm=_l("End this contact's portal access? They are signed out at once.")),
        ]
    if "case" in sdef.roles:
        return [Action("portal_answer", _l("Answer on the portal"), _answer, schema=PublicAnswerSchema,
                       available=_answerable)]
    return []


def _answerable(case: Any) -> bool:
    """Only a case of an account, still open to comments (a closed one takes no more)."""
    return case.account_id is not None and case.status not in requests.FINAL_STATES


def _contact_tab(_sdef: SessionDef, contact: Any) -> str:
    return render_template("portal/staff_contact_tab.html", user=_portal_user(session(), contact))


def _case_tab(_sdef: SessionDef, case: Any) -> str:
    return render_template("portal/staff_case_tab.html", thread=requests.thread(session(), case))


def _form_tab(_sdef: SessionDef, form: WebForm) -> str:
    url = f"{request.host_url.rstrip('/')}/forms/{form.slug}"
    return render_template("portal/staff_form_tab.html", form=form, url=url,
                           rows=webforms.submissions(session(), form))


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    if "contact" in sdef.roles and sdef.where.get("kind", "sale") == "sale":
        return [Tab("portal", _l("Portal"), _contact_tab, order=80)]
    if "case" in sdef.roles:
        return [Tab("portal", _l("Public thread"), _case_tab, order=45)]
    if sdef.model is WebForm:
        return [Tab("public_form", _l("Public form"), _form_tab, order=10)]
    return []
