"""Core tables. Plugins define theirs in ``plugins/<name>/models.py`` on the same ``Base``."""

from crm_core.models.audit import AuditEntry
from crm_core.models.auth import ACTIONS, ApiToken, Group, LoginAttempt, Permission, User
from crm_core.models.bulk_jobs import BulkJob
from crm_core.models.element import Element
from crm_core.models.imports import ImportJob, ImportMapping
from crm_core.models.menu import FieldSetting, MenuSetting
from crm_core.models.notes import Grouping, GroupingMember, Note
from crm_core.models.notifications import Notification
from crm_core.models.privacy import Erasure
from crm_core.models.types import UTCDateTime, utcnow
from crm_core.models.views import GridView
from crm_core.models.vocabularies import VocabularyValue

__all__ = [
    "ACTIONS",
    "ApiToken",
    "AuditEntry",
    "BulkJob",
    "Element",
    "Erasure",
    "FieldSetting",
    "Group",
    "GridView",
    "ImportJob",
    "ImportMapping",
    "Grouping",
    "GroupingMember",
    "MenuSetting",
    "LoginAttempt",
    "Note",
    "Notification",
    "Permission",
    "UTCDateTime",
    "User",
    "utcnow",
    "VocabularyValue",
]
