"""The hooks the cases plugin asks (plugin contract 2.0: plugins own their hooks).

Registered through ``PluginMeta(hookspecs=...)`` before any plugin. An implementation outside a
plugin that requires ``cases`` (a client folder enabling it, say) is checked like any other.
"""

from __future__ import annotations

from typing import Any

from crm_core.toolkit import hookspec


@hookspec
def crm_case_core_actions() -> list[Any]:
    """Return the actions a client's Core-system adapter offers on cases (CAS-03), as
    ``plugins.cases.core_actions.CoreAction`` declarations: modify the client's data in the
    Core system, execute a transaction, reverse it …

    Called once per request that shows or runs them (the case's "Core system" tab, its action
    page, the API). Names must be unique across implementations. The cases plugin checks the
    permission (modify on the case), validates the input with the action's schema, gives each
    operation an idempotency key, records every call on the case (request, answer, outcome,
    who, when) and turns ``CoreRefused`` / ``CoreUnavailable`` into a clear message that changes
    nothing else in the CRM. ``call`` runs outside any database transaction: it must not write
    to the CRM's database.
    """
