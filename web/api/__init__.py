"""The REST API under /api/v1: the CLI's JSON, bearer tokens, the OpenAPI document."""
