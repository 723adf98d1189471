"""Statements built once and run for any projects: the day and the project ids as parameters.

A statement built anew on each call costs its construction and the walk that finds it in the
compiled cache, often more than running it. The progress and money of projects known by id,
which every page asks for, are built once per dialect with these parameters instead.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ARRAY, ColumnElement, Date, Integer, any_, bindparam

from workflow.db.orm import Project

DAY = bindparam("day", type_=Date)
"""The day a figure is computed for."""
DayValue = date | ColumnElement[date]
"""A day given as a value, or as a statement's parameter (`DAY`)."""
Instant = datetime | ColumnElement[datetime]
"""An instant given as a value, or as a statement's parameter."""


def among_ids(dialect: str) -> ColumnElement[bool]:
    """Project.id is one of the list bound as `ids`: one array parameter on PostgreSQL (one
    statement text whatever the number), an expanding IN on SQLite."""
    if dialect == "postgresql":
        return Project.id == any_(bindparam("ids", type_=ARRAY(Integer)))
    return Project.id.in_(bindparam("ids", expanding=True))


def parameters(day: date, ids: list[int]) -> dict[str, object]:
    """The parameters of a prebuilt statement for `ids` on `day`."""
    return {"day": day, "ids": ids}
