"""What every use case needs: the engine, the settings, the clock and who is acting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from workflow.core.clock import Clock, today
from workflow.core.config import Settings


@dataclass(frozen=True)
class AppContext:
    """The wiring of one ipflow invocation, built by the CLI (or a test)."""

    engine: Engine
    settings: Settings
    clock: Clock
    actor: str

    def today(self) -> date:
        """Today's date in the programme's time zone, by the injected clock."""
        return today(self.clock)
