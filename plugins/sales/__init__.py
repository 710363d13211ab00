"""Sales: leads, qualification, opportunities, accounts, contacts, campaigns, funnel (SAL-01..11)."""

from crm_core.declarations import PluginMeta

meta = PluginMeta(description="Leads, opportunities, accounts, contacts, campaigns")
