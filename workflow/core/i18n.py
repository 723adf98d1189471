"""The language of what users read: Chinese msgids, English from the compiled Babel catalogue."""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from states.i18n import N_, _, activate

__all__ = ["LOCALE_DIR", "N_", "_", "choose_language", "language", "translations"]

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "ipflow"


def choose_language(option: str | None, environ: Mapping[str, str]) -> str:
    """`option` (`--lang` or $IPFLOW_LANG), else the locale (LC_ALL, LC_MESSAGES, LANG).

    A locale starting with "en" means English; any other, or none, Chinese.
    """
    if option:
        return option
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "en" if value.startswith("en") else "zh"
    return "zh"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`: none for Chinese, the source language; the compiled .mo else."""
    if lang == "zh":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Put `lang` in force for the duration, then restore the language in force before."""
    previous = activate(translations(lang))
    try:
        yield
    finally:
        activate(previous)
