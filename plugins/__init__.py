"""Business areas and integrations, each a pluggy plugin (entry point group ``crm.plugins``)."""
