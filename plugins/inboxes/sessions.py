"""Declarations of the inboxes module: two pages, each a menu entry with per-group rights."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Module, SessionDef
from plugins.inboxes.services import GROUP, MINE

MODULE = Module("inboxes", _l("Inboxes"), order=5)

MY_INBOX = SessionDef(name=MINE, module=MODULE.name, label=_l("My inbox"), endpoint="inboxes.mine", order=10)
GROUP_INBOX = SessionDef(name=GROUP, module=MODULE.name, label=_l("Group inbox"), endpoint="inboxes.group", order=20)
