"""Activities, calendar and the home agenda (ACT-01..03, ACT-05, ACT-06, CORE-07)."""

from crm_core.declarations import PluginMeta

meta = PluginMeta(description="Meetings, calls, faxes, letters, tasks; calendar")
