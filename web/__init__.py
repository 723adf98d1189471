"""The web console and REST API (`ipflow serve`): thin adapters over the same use cases."""
