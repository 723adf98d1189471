"""The message catalogue in force for what users read: stdlib gettext, chosen by workflow.core.i18n."""

from __future__ import annotations

import gettext

_active: gettext.NullTranslations = gettext.NullTranslations()


def activate(translations: gettext.NullTranslations) -> gettext.NullTranslations:
    """Put `translations` in force and return the catalogue it replaces."""
    global _active
    previous, _active = _active, translations
    return previous


def _(message: str) -> str:
    """`message` (a Chinese msgid) in the language in force."""
    return _active.gettext(message)


def N_(message: str) -> str:
    """Mark `message` for extraction where it is defined; translate it with `_` where it is read."""
    return message
