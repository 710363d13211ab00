"""The portal's declarations: the web channel module and its web forms session (EXT-08)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Module, SessionDef, Status
from plugins.portal.models import WebForm
from plugins.portal.schemas import WebFormSchema

MODULE = Module("web_channel", _l("Web channel"), order=80)

#: Grid, detail, listing, export and REST API (``/api/v1/webforms``) from this declaration; the
#: detail screen gets the *Public form* tab (address, embed snippet, submissions).
WEBFORMS = SessionDef(
    name="webforms",
    module=MODULE.name,
    label=_l("Web forms"),
    singular=_l("Web form"),
    model=WebForm,
    schema=WebFormSchema,
    columns=("name", "slug", "target_session", "status", "owner_id"),
    search=("name", "slug"),
    default_sort="name",
    statuses=(Status("active", _l("Active")), Status("inactive", _l("Inactive"), open=False)),
    order=10,
)
