"""Per-client fields (EXT-16, PLUG-04): custom fields stored in each element's ``custom`` JSON
column, and per-client settings of built-in fields (required, order, hidden, labels per
language). Declared in ``[fields.<session>.<field>]`` of customer.toml or on Configuration →
Fields; applied to the registry's session declarations at start-up (:mod:`.apply`)."""
