"""Purchasing: the sales sessions from the buyer's side, kind = purchase (PUR-01)."""

from crm_core.declarations import PluginMeta

meta = PluginMeta(requires=("sales",), description="Potential suppliers, purchase opportunities, suppliers")
