"""ipflow's domain, use cases, persistence and rendering."""
