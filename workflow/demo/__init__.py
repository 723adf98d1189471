"""The demo programme, built through the use cases."""
