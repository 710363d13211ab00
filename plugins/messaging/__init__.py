"""Email and SMS through the outbox: notifications, reminders, templates (MSG-01, ACT-04)."""

from crm_core.declarations import PluginMeta

meta = PluginMeta(description="Email (SMTP) and SMS notifications and reminders")
