"""Project lifecycle vocabulary and per-category state machines (stdlib + transitions only)."""
