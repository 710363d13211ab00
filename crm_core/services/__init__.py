"""Business rules of the core, each a function running in one unit of work."""
