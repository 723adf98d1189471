"""The one exception use cases raise when the rules refuse an action."""

from __future__ import annotations


class Refused(Exception):
    """An action refused by the rules or by invalid input; the message is for the user."""


class NotFound(Refused):
    """A refusal because the record the user named does not exist (HTTP 404 on the web)."""


class Forbidden(Refused):
    """A refusal because the actor's role may not take the action at all (HTTP 403)."""


class OutOfScope(NotFound):
    """A refusal because the subject is outside the actor's scope (another unit's project, say).

    The CLI says so; the web answers 404 with `unseen`, the words for a record that does not
    exist, so that a unit cannot learn what other units have.
    """

    def __init__(self, reason: str, unseen: str) -> None:
        super().__init__(reason)
        self.unseen = unseen


class Stale(Refused):
    """A refusal because someone else changed the record meanwhile (HTTP 409 or 412)."""


class VersionMismatch(Stale):
    """A refusal because the caller acted on a version of the record other than the current
    one: an API client's `If-Match` names an older one (HTTP 412)."""
