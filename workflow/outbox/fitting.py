"""Outbox rows' derived text (subjects, folder recipients, keys) made to fit their columns.

A subject is built from a fixed part (the kind of message, a letter's number) and stored
values (a title of up to 300 characters): the stored part is flattened to one line and cut
with an ellipsis so the whole subject fits the column, the fixed part always whole. A key
longer than its column keeps its readable beginning and ends with a digest of the whole key,
so it stays unique and the same on every run (a repeat of the check finds it again).
`workflow.db.widths.require_fit` is the last check before a row is written.
"""

from __future__ import annotations

import hashlib

from workflow.core.text import fit, one_line
from workflow.db.orm import OutboxMessage
from workflow.db.widths import width

FOLDER_PREFIX = "unit-"
"""How a unit without a mail address is named as a recipient of the folder channel."""


def subject(head: str, stored: str, tail: str = "") -> str:
    """`head` + `stored` (one line, cut to fit) + `tail`, within the subject column."""
    room = width(OutboxMessage.subject) - len(head) - len(tail)
    return f"{head}{fit(one_line(stored), max(room, 1))}{tail}"


def folder_recipient(unit: str) -> str:
    """The folder channel's recipient for `unit`, within the recipient column."""
    return FOLDER_PREFIX + fit(one_line(unit), width(OutboxMessage.recipient) - len(FOLDER_PREFIX))


def key(text: str) -> str:
    """`text` as an outbox key: itself when it fits, else its beginning and a digest of it."""
    limit = width(OutboxMessage.key)
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return f"{text[: limit - len(digest) - 1]}#{digest}"
