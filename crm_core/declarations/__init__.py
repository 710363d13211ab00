"""Frozen declarations that plugins return from ``crm_register_*`` hooks.

A plugin describes a *session* (one screen area) once with :class:`SessionDef`; the core
builds the grid, detail, listing, import and export screens and the REST endpoints from it.
Customer configuration may relabel, reorder, hide and choose columns: data, not code. The
declarations live in modules by what they declare; this package names them all.
"""

from crm_core.declarations.actions import Action, ActionContext, Transition, Workflow
from crm_core.declarations.contributions import DemoUser, Kpi, Panel, PeriodicJob, PluginMeta, ReportingView, UserField
from crm_core.declarations.schemas import dumping_schema, schema_fields
from crm_core.declarations.session import STATE_TONES, Board, Module, NamedFilter, Section, SessionDef, Status
from crm_core.declarations.timeline import Tab, TimelineEntry, TimelineLine, TimelineLink

__all__ = [
    "STATE_TONES", "Action", "ActionContext", "Board", "DemoUser", "Kpi", "Module", "NamedFilter", "Panel",
    "PeriodicJob", "PluginMeta", "ReportingView", "Section", "SessionDef", "Status", "Tab", "TimelineEntry",
    "TimelineLine", "TimelineLink", "Transition", "UserField", "Workflow", "dumping_schema", "schema_fields",
]
