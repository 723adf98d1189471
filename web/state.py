"""What every request of the web layer shares: engine, settings, clock; and the context per user."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine

from workflow.auth.door import Visitor
from workflow.core.clock import Clock
from workflow.core.config import Settings
from workflow.core.context import AppContext, TransactionHook


@dataclass(frozen=True)
class WebState:
    """The wiring of one server process: one engine (its pool), the settings, the clock."""

    engine: Engine
    settings: Settings
    clock: Clock

    def door(self) -> AppContext:
        """A context for the sign-in door, before anyone is signed in."""
        return AppContext(self.engine, self.settings, self.clock, "")

    def acting(self, visitor: Visitor, hook: TransactionHook | None = None) -> AppContext:
        """The context a signed-in visitor's use cases run in: they act as themselves
        (`hook`: what their writing use case also does in its transaction)."""
        return AppContext(self.engine, self.settings, self.clock, visitor.name, hook)


def web_state(request: Request) -> WebState:
    """The server's `WebState` (a FastAPI dependency)."""
    state: WebState = request.app.state.ipflow
    return state
