"""The widths of the schema's string columns, and the values of a row that would not fit them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import InstrumentedAttribute

from workflow.db.orm import Base


def width(column: InstrumentedAttribute[Any]) -> int:
    """The number of characters the String column `column` holds."""
    length = getattr(column.property.columns[0].type, "length", None)
    if length is None:
        raise TypeError(f"{column} has no length")
    return int(length)


class Unfit(ValueError):
    """A row derived from stored data that does not fit its table, whatever was cut."""


def overflows(model: type[Base], row: Mapping[str, Any]) -> list[str]:
    """The columns of `model` whose value in `row` is longer than the column holds."""
    table = model.__table__
    return [
        f"{name}（{len(value)}>{column.type.length}）"
        for name, value in row.items()
        if isinstance(value, str)
        and (column := table.c.get(name)) is not None
        and isinstance(column.type, String)
        and column.type.length is not None
        and len(value) > column.type.length
    ]


def require_fit(model: type[Base], row: Mapping[str, Any]) -> None:
    """Raise Unfit naming the table and the columns of `row` that would overflow it."""
    if columns := overflows(model, row):
        raise Unfit(f"{model.__tablename__}: {', '.join(columns)}")
