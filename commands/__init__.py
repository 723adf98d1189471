"""The `ipflow` commands, one module per command group; cli.py loads each on first use."""
