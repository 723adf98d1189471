"""What use cases return: frozen dataclasses, and the one JSON document the CLI prints of them.

A result's fields carry typed values (dates, nested results); `Result.as_json` turns it into
the document of `--json`: a field's name is its key, less a trailing underscore (`from_` is
"from"), dates are ISO strings, nested results, lists and mappings are converted in turn.
`from_json` turns such a document (the API's answer) back into the result.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar

T = TypeVar("T")


def to_json(value: object) -> Any:
    """`value` as a JSON-ready document: results as objects, dates as ISO strings."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    names = _KEYS.get(kind)
    if names is None and is_dataclass(kind):
        names = _KEYS[kind] = tuple((f.name.rstrip("_"), f.name) for f in fields(kind))
    if names is not None:
        document = {key: getattr(value, name) for key, name in names}
        for key, field_value in document.items():
            if type(field_value) not in _PLAIN:
                document[key] = to_json(field_value)
        return document
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})
_KEYS: dict[type, tuple[tuple[str, str], ...]] = {}
"""Each dataclass's (key, attribute) pairs, read once: results are converted by the thousand."""


class Result:
    """The base of the use cases' frozen dataclass results."""

    __slots__ = ()

    def as_json(self) -> dict[str, Any]:
        """The JSON document `--json` prints of this result."""
        document: dict[str, Any] = to_json(self)
        return document


def from_json(kind: type[T], document: Any) -> T:
    """The result of class `kind` whose `to_json` document is `document`: the inverse of
    `to_json`, so that `to_json(from_json(kind, d)) == d` (the CLI rebuilds a server's answers
    and prints them as the use cases' own)."""
    hints = typing.get_type_hints(kind)
    values = {f.name: _typed(hints[f.name], document[f.name.rstrip("_")]) for f in fields(kind)}  # type: ignore[arg-type]
    return kind(**values)


def _typed(hint: Any, value: Any) -> Any:
    """`value` of a JSON document as the field type `hint` holds it."""
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _typed(next(a for a in args if a is not type(None)), value)
    if is_dataclass(hint) and isinstance(hint, type):
        return from_json(hint, value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    if origin is list:
        return [_typed(args[0], v) for v in value]
    if origin is tuple:
        return tuple(_typed(args[0], v) for v in value)
    if origin is dict:
        return {k: _typed(args[1], v) for k, v in value.items()}
    return value
