"""Coded values (categories, unit kinds, credit record kinds, tiers) named by code or by label."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping


def fold(text: str) -> str:
    """`text` as labels are compared: full-width forms folded, spaces dropped, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def label_keys(label: str) -> set[str]:
    """The ways users write `label`: as it is, without 项目, and each part of `甲/乙`."""
    keys = {fold(label), fold(label).replace("项目", "")}
    if "/" in label:
        keys |= {fold(part) for part in label.split("/")}
    return keys


def code_for(text: str, labels: Mapping[str, str]) -> str:
    """The code `text` names among `labels` (code → Chinese label): the code itself, or its
    label in any of the ways of `label_keys`; `text` unchanged (stripped) when it names none,
    so that the rule checking the code refuses it with its own list of choices."""
    value = text.strip()
    if value in labels:
        return value
    folded = fold(value)
    for code, label in labels.items():
        if folded == code or folded in label_keys(label):
            return code
    return value
