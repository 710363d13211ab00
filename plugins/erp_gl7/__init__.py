"""GL7 ERP link through the outbox (ERP-01)."""

from crm_core.declarations import PluginMeta

meta = PluginMeta(requires=("sales",), description="GL7 ERP: potential entities, customers, contacts")
