"""Persistence: the SQLAlchemy 2 schema, engines and transactions."""
