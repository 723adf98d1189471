"""The message catalogue in force for what users read: stdlib gettext, chosen by workflow.core.i18n."""

from __future__ import annotations

import gettext
from contextvars import ContextVar

_SOURCE = gettext.NullTranslations()
"""The source language, Chinese: messages as written."""
_active: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "ipflow_translations", default=None
)
"""Per context, so that each web request reads its own language; the CLI has one context."""


def activate(translations: gettext.NullTranslations) -> gettext.NullTranslations:
    """Put `translations` in force and return the catalogue it replaces."""
    previous = _active.get() or _SOURCE
    _active.set(translations)
    return previous


def _(message: str) -> str:
    """`message` (a Chinese msgid) in the language in force."""
    return (_active.get() or _SOURCE).gettext(message)


def N_(message: str) -> str:
    """Mark `message` for extraction where it is defined; translate it with `_` where it is read."""
    return message
