"""The one exception use cases raise when the rules refuse an action."""

from __future__ import annotations


class Refused(Exception):
    """An action refused by the rules or by invalid input; the message is for the user."""
