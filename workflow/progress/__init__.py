"""Progress of SPEC.md §4: the pure formula and its set-based queries."""
