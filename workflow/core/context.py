"""What every use case needs: the engine, the settings, the clock and who is acting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from workflow.core.clock import Clock, today
from workflow.core.config import Settings


class TransactionHook(Protocol):
    """What a caller runs inside a writing use case's own transaction, around its body (the
    API keeps the answer to a request with an idempotency key in the same transaction)."""

    def before(self, session: Session) -> None:
        """Runs once the actor is authorised, before the body; may raise to stop it."""

    def after(self, session: Session, result: object) -> None:
        """Runs after the body returned `result`, before the commit."""


@dataclass(frozen=True)
class AppContext:
    """The wiring of one ipflow invocation, built by the CLI (or a test)."""

    engine: Engine
    settings: Settings
    clock: Clock
    actor: str
    hook: TransactionHook | None = None
    """Runs inside the transaction of each writing use case called with this context."""

    def today(self) -> date:
        """Today's date in the programme's time zone, by the injected clock."""
        return today(self.clock)
