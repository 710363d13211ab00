"""Performance benchmark of the generic grid, API and list query (NF-01); see bench/run.py."""
