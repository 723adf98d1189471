"""The application factory uvicorn's workers call: settings and database from the environment."""

from __future__ import annotations

import os

from fastapi import FastAPI

from web.app import create_app
from workflow.core.clock import clock_from_env
from workflow.core.config import load_settings


def app() -> FastAPI:
    """The application on $IPFLOW_DB with $IPFLOW_CONFIG (set by `ipflow serve`)."""
    return create_app(
        os.environ.get("IPFLOW_DB", "sqlite:///ipflow.db"),
        load_settings(os.environ.get("IPFLOW_CONFIG")),
        clock_from_env(),
    )
