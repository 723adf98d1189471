"""Property-based tests of the API against its own OpenAPI document (schemathesis).

For every operation the document lists, schemathesis generates requests from its schema — valid
ones and ones that bend it — and sends them as the admin and as a unit user, each with a fresh
token (an operation may revoke the token it is called with). No answer may be a server error,
and every answer must be what the document says: its status, content type, headers and body.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api_world import ROLES, build_world
from tests.web_support import web_client
from workflow.auth.actions import issue_token
from workflow.core.context import AppContext

EXAMPLES = int(os.environ.get("IPFLOW_API_EXAMPLES", "10"))
"""Requests generated per operation and caller (more for a deeper search: IPFLOW_API_EXAMPLES)."""
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance]
"""A request the schema admits may still be refused by the rules (422, or 412 for a stale
If-Match): the schema says what is well formed, the use cases decide."""
SLOW = {("POST", "/api/v1/token"): 4}
"""Operations that hash a password per request: fewer examples."""


def _explore(operation: Any, examples: int, send: Callable[[Any], None]) -> None:
    """Send `examples` requests generated for `operation`; the first failure, shrunk, raises."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        send(case)

    check()


@pytest.mark.slow
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    ctx: AppContext,
) -> None:
    build_world(ctx)
    admin = replace(ctx, actor=ROLES["admin"][0])
    app = web_client(ctx).app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, [o.label for o in operations]
    sent = 0
    failures: list[str] = []
    for role in ("admin", "unit"):

        def send(case: Any, role: str = role) -> None:
            nonlocal sent
            token = issue_token(admin, ROLES[role][0], "schemathesis").token
            sent += 1
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, excluded_checks=NOT_CHECKED
            )

        for operation in operations:
            examples = SLOW.get((operation.method.upper(), operation.path), EXAMPLES)
            try:
                _explore(operation, examples, send)
            except (Exception, BaseExceptionGroup) as failure:  # all operations, all failures
                failures.append(f"{operation.label} as {role}: {failure}")
    assert not failures, "\n\n".join(failures)
    assert sent >= 2 * len(operations) * 4
    print(f"schemathesis: {sent} requests on {len(operations)} operations")
