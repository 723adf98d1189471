"""What use cases return: frozen dataclasses, and the one JSON document the CLI prints of them.

A result's fields carry typed values (dates, nested results); `Result.as_json` turns it into
the document of `--json`: a field's name is its key, less a trailing underscore (`from_` is
"from"), dates are ISO strings, nested results, lists and mappings are converted in turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any


def to_json(value: object) -> Any:
    """`value` as a JSON-ready document: results as objects, dates as ISO strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name.rstrip("_"): to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    return value


class Result:
    """The base of the use cases' frozen dataclass results."""

    __slots__ = ()

    def as_json(self) -> dict[str, Any]:
        """The JSON document `--json` prints of this result."""
        document: dict[str, Any] = to_json(self)
        return document
