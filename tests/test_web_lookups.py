"""What every request asks first: who holds the session or token, in one query of the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import event, select

from tests.factories import register
from tests.web_support import user
from workflow.auth.actions import issue_token
from workflow.auth.door import open_session, session_visitor, token_visitor
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm_users import AppUser


@contextmanager
def selects(ctx: AppContext) -> Iterator[list[str]]:
    """The SELECT statements the engine runs meanwhile."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ctx.engine, "before_cursor_execute", record)


def test_a_session_and_a_token_resolve_to_their_holder_and_unit_in_one_query(
    ctx: AppContext,
) -> None:
    register(ctx, "贵州大学", "university")
    user(ctx, "王处长", "admin")
    office = replace(ctx, actor="王处长")
    user(office, "贵大科技处", "unit", "贵州大学")
    with transaction(ctx.engine) as session:
        unit_user = session.scalars(select(AppUser.id).where(AppUser.name == "贵大科技处")).one()
    opened = open_session(ctx, unit_user, "full")
    token = issue_token(office, "贵大科技处", "脚本").token
    with selects(ctx) as seen:
        by_session = session_visitor(ctx, opened.secret)
    assert len(seen) == 1
    assert by_session is not None
    assert (by_session.name, by_session.role, by_session.unit) == ("贵大科技处", "unit", "贵州大学")
    assert by_session.csrf == opened.visitor.csrf
    with selects(ctx) as seen:
        by_token = token_visitor(ctx, token)
    assert len(seen) == 1
    assert by_token is not None
    assert (by_token.name, by_token.unit, by_token.stage) == ("贵大科技处", "贵州大学", "full")
    admin = token_visitor(ctx, issue_token(office, "王处长", "脚本").token)
    assert admin is not None and admin.unit is None and admin.role == "admin"
