"""Every route of the application, API and pages, walked with every role: each sees its own.

The routes come from `app.routes`, never from a list kept by hand: a route added without an
entry in EXPECTED fails `test_every_route_has_its_expectations`, which says how to add one.
Each route is called by the admin, a manager, a unit user of unit A, a unit user of unit B
(`foreign`), the contractor, the scheduler and a caller without credentials, on unit A's
monitored project, its patent-navigation project (which the contractor does not see) and a
number that names nothing; the answer's status must be the one the table gives. Another
unit's record must be answered exactly as a missing one, and no call may change the database
(calls that change things are sent with bodies the rules refuse; the two sign-outs use a
session or token of their own).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Route

from tests.api_world import ROLES, World, build_world
from tests.conftest import database_dump
from tests.web_support import web_client
from workflow.auth.actions import issue_token
from workflow.auth.door import open_session
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm_users import AppUser

CALLERS = ("admin", "manager", "unit", "foreign", "contractor", "scheduler", "anonymous")
"""The columns of EXPECTED's rows, in order."""
MISSING = 999_999
"""A number that names no record."""
LOGS = ("refusal_log", "sign_in_log")
"""Tables a refused call appends to: they are the record of refusals, not a change."""


@dataclass(frozen=True)
class Case:
    """What a route answers each caller, per subject: `rows` maps a subject (monitored,
    unmonitored, missing, or none for a route without one) to the statuses in CALLERS order."""

    rows: dict[str, str]
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    query: str = ""
    own_credentials: bool = False
    """The call ends the caller's session or token: it gets fresh ones, and may change them."""
    csrf: bool = False
    """A page form: the caller's session's CSRF token goes in the form."""


def subjects(monitored: str, unmonitored: str | None, missing: str) -> dict[str, str]:
    rows = {"monitored": monitored, "missing": missing}
    if unmonitored is not None:
        rows["unmonitored"] = unmonitored
    return rows


def everyone(row: str) -> dict[str, str]:
    return {"none": row}


FUTURE_REPORT = {"date": "2027-12-31", "progress": {"开展摸底调研": 50}}
"""Refused after the project is read: a report dated after today."""

EXPECTED: dict[tuple[str, str], Case] = {
    # ------------------------------------------------------------------ the API
    ("GET", "/api/v1/openapi.json"): Case(everyone("200 200 200 200 200 200 200")),
    ("POST", "/api/v1/token"): Case(
        everyone("401 401 401 401 401 401 401"), form={"username": "无此人", "password": "x"}
    ),
    ("DELETE", "/api/v1/token"): Case(
        everyone("204 204 204 204 204 204 401"), own_credentials=True
    ),
    ("GET", "/api/v1/me"): Case(everyone("200 200 200 200 200 200 401")),
    ("GET", "/api/v1/me/tokens"): Case(everyone("200 200 200 200 200 200 401")),
    ("DELETE", "/api/v1/me/tokens/{token_id}"): Case(
        subjects("404 404 422 404 404 404 401", None, "404 404 404 404 404 404 401")
    ),
    ("GET", "/api/v1/projects"): Case(everyone("200 200 200 200 200 403 401")),
    ("GET", "/api/v1/projects/{project_id}"): Case(
        subjects(
            "200 200 200 404 200 403 401",
            "200 200 200 404 404 403 401",
            "404 404 404 404 404 403 401",
        )
    ),
    ("POST", "/api/v1/projects/{project_id}/reports"): Case(
        subjects(
            "422 422 422 404 422 403 401",
            "422 422 422 404 404 403 401",
            "404 404 404 404 404 403 401",
        ),
        json=FUTURE_REPORT,
    ),
    ("POST", "/api/v1/projects/{project_id}/transitions"): Case(
        subjects(
            "422 422 422 404 403 403 401",
            "422 422 422 404 403 403 401",
            "404 404 404 404 403 403 401",
        ),
        json={"trigger": "withdraw"},  # not possible once the project is in progress
    ),
    ("POST", "/api/v1/projects/{project_id}/expenditures"): Case(
        subjects(
            "422 422 422 404 403 403 401",
            "422 422 422 404 403 403 401",
            "404 404 404 404 403 403 401",
        ),
        json={"line": "设备费", "date": "2027-12-31", "amount": 100, "description": "未来"},
    ),
    ("GET", "/api/v1/letters"): Case(everyone("200 200 200 200 200 403 401")),
    ("GET", "/api/v1/letters/{letter_id}"): Case(
        subjects("200 200 200 404 200 403 401", None, "404 404 404 404 404 403 401")
    ),
    ("GET", "/api/v1/letters/{letter_id}/file"): Case(
        subjects("200 200 200 404 200 403 401", None, "404 404 404 404 404 403 401")
    ),
    ("POST", "/api/v1/letters/{letter_id}/plan"): Case(
        subjects("422 403 422 404 422 403 401", None, "404 403 404 404 404 403 401"),
        json={"received": "2026-12-31"},  # before the letter was issued
    ),
    ("POST", "/api/v1/letters/{letter_id}/follow-ups"): Case(
        subjects("422 403 422 404 422 403 401", None, "404 403 404 404 404 403 401"),
        json={"date": "2027-02-01", "note": "尚无整改方案"},
    ),
    ("POST", "/api/v1/letters/{letter_id}/reviews"): Case(
        subjects("422 403 403 403 422 403 401", None, "404 403 403 403 404 403 401"),
        json={"status": "closed", "comment": "未经审核不能办结"},
    ),
    ("POST", "/api/v1/expenditures/{expense_id}/reviews"): Case(
        subjects("422 403 403 403 422 403 401", None, "404 403 403 403 404 403 401"),
        json={"decision": "misuse"},  # misuse needs its reasons
    ),
    ("GET", "/api/v1/ledger"): Case(
        everyone("200 200 200 200 200 403 401"), query="?format=csv&date=2027-01-31"
    ),
    # ------------------------------------------------------------------ the pages
    ("GET", "/"): Case(everyone("303 303 303 303 303 303 303")),
    ("GET", "/projects"): Case(everyone("200 200 200 200 200 403 303")),
    ("GET", "/projects/{project_id}"): Case(
        subjects(
            "200 200 200 404 200 403 303",
            "200 200 200 404 404 403 303",
            "404 404 404 404 404 403 303",
        )
    ),
    ("GET", "/signin"): Case(everyone("200 200 200 200 200 200 200")),
    ("POST", "/signin"): Case(
        everyone("403 403 403 403 403 403 403"), form={"username": "无此人", "password": "x"}
    ),
    ("GET", "/signin/code"): Case(everyone("303 303 303 303 303 303 303")),
    ("GET", "/signin/enrol"): Case(everyone("303 303 303 303 303 303 303")),
    ("POST", "/signin/code"): Case(everyone("303 303 303 303 303 303 303"), form={"code": "1"}),
    ("POST", "/signin/enrol"): Case(everyone("303 303 303 303 303 303 303"), form={"code": "1"}),
    ("POST", "/signout"): Case(
        everyone("303 303 303 303 303 303 303"), form={}, csrf=True, own_credentials=True
    ),
    ("GET", "/lang/{code}"): Case(everyone("303 303 303 303 303 303 303")),
    # ------------------------------------------------------------------ the console's desks
    ("GET", "/projects/{project_id}/report"): Case(
        subjects(
            "200 200 200 404 200 403 303",
            "200 200 200 404 404 403 303",
            "404 404 404 404 404 403 303",
        )
    ),
    ("POST", "/projects/{project_id}/report"): Case(
        subjects(
            "422 422 422 404 422 403 303",
            "422 422 422 404 404 403 303",
            "404 404 404 404 404 403 303",
        ),
        form={"day": "2027-12-31", "task": "开展摸底调研", "progress": "50"},  # after today
        csrf=True,
    ),
    ("GET", "/projects/{project_id}/evidence/{evidence_id}"): Case(
        subjects(  # the world has no evidence file: a project's number is looked at first
            "404 404 404 404 404 403 303",
            "404 404 404 404 404 403 303",
            "404 404 404 404 404 403 303",
        )
    ),
    ("POST", "/projects/{project_id}/advance"): Case(
        subjects(
            "422 422 422 404 403 403 303",
            "422 422 422 404 403 403 303",
            "404 404 404 404 403 403 303",
        ),
        form={"trigger": "withdraw"},  # not possible once the project is in progress
        csrf=True,
    ),
    ("POST", "/projects/{project_id}/expenses"): Case(
        subjects(
            "422 422 422 404 403 403 303",
            "422 422 422 404 403 403 303",
            "404 404 404 404 403 403 303",
        ),
        form={"line": "设备费", "day": "2027-12-31", "amount": "100", "description": "未来"},
        csrf=True,
    ),
    ("POST", "/projects/{project_id}/expenses/{expense_id}/review"): Case(
        subjects("422 403 403 403 422 403 303", None, "404 403 403 403 404 403 303"),
        form={"decision": "misuse"},  # misuse needs its reasons
        csrf=True,
    ),
    ("GET", "/letters"): Case(everyone("200 200 200 200 200 403 303")),
    ("GET", "/letters/{letter_id}"): Case(
        subjects("200 200 200 404 200 403 303", None, "404 404 404 404 404 403 303")
    ),
    ("GET", "/letters/{letter_id}/document"): Case(
        subjects("200 200 200 404 200 403 303", None, "404 404 404 404 404 403 303")
    ),
    ("GET", "/letters/{letter_id}/pdf"): Case(
        subjects("200 200 200 404 200 403 303", None, "404 404 404 404 404 403 303")
    ),
    ("POST", "/letters/{letter_id}/review"): Case(
        subjects("422 403 403 403 422 403 303", None, "404 403 403 403 404 403 303"),
        form={"status": "closed", "comment": "未经审核不能办结"},
        csrf=True,
    ),
    ("POST", "/letters/{letter_id}/plan"): Case(
        subjects("422 403 422 404 422 403 303", None, "404 403 404 404 404 403 303"),
        # received before the letter was issued; a unit's plan arrives today, due before it
        form={"received": "2026-12-31", "due": "2026-01-01", "summary": "增派人员"},
        csrf=True,
    ),
    ("POST", "/letters/{letter_id}/follow-up"): Case(
        subjects("422 403 422 404 422 403 303", None, "404 403 404 404 404 403 303"),
        form={"day": "2027-02-01", "note": "尚无整改方案"},
        csrf=True,
    ),
    ("GET", "/ledger"): Case(everyone("200 200 200 200 200 403 303")),
    ("GET", "/ledger.xlsx"): Case(everyone("200 200 200 200 200 403 303")),
    ("GET", "/trend"): Case(everyone("200 200 403 403 200 403 303")),
    ("GET", "/periodic"): Case(everyone("200 200 403 403 200 403 303")),
    ("GET", "/periodic/report"): Case(everyone("422 422 403 403 422 403 303")),  # no kind
    ("GET", "/dashboard"): Case(everyone("200 200 200 200 200 403 303")),
    ("POST", "/recommendations/{recommendation_id}/handle"): Case(
        {"missing": "404 403 403 403 403 403 303"}, form={"decision": "约谈"}, csrf=True
    ),
    ("GET", "/approvals"): Case(everyone("200 200 200 200 200 403 303")),
    ("GET", "/programme"): Case(everyone("200 200 403 403 200 403 303")),
    ("POST", "/programme/budget"): Case(
        everyone("422 422 403 403 403 403 303"),
        form={"year": "2027", "category": "high_value_patent", "amount": "0"},
        csrf=True,
    ),
    ("GET", "/account"): Case(everyone("200 200 200 200 200 200 303")),
    ("POST", "/account/password"): Case(
        everyone("422 422 422 422 422 403 303"),
        form={"current": "不是密码", "password": "新的密码-2027-夏", "repeat": "新的密码-2027-夏"},
        csrf=True,
    ),
    ("POST", "/account/tokens"): Case(
        everyone("422 422 422 422 422 422 303"), form={"label": "脚本", "days": "0"}, csrf=True
    ),
    ("POST", "/account/tokens/{token_id}/revoke"): Case(
        # the unit's own token, revoked already; the admin may revoke anyone's
        subjects("422 404 422 404 404 404 303", None, "404 404 404 404 404 404 303"),
        form={},
        csrf=True,
    ),
}
"""The status each caller gets from each route (method, path as app.routes has it)."""

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class Credentials:
    """What a caller presents: a bearer token for the API, a session cookie for the pages."""

    token: str | None
    session: str | None
    csrf: str = ""

    def headers(self, page: bool) -> dict[str, str]:
        if page:
            return {"Cookie": f"ipflow_session={self.session}"} if self.session else {}
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass
class Walk:
    """The programme, a client of the application, and what each caller presents."""

    ctx: AppContext
    world: World
    client: TestClient
    callers: dict[str, Credentials] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def fresh(self, caller: str) -> Credentials:
        """New credentials for `caller`: a token and a full session of their own."""
        if caller == "anonymous":
            return Credentials(None, None)
        name = ROLES[caller][0]
        with transaction(self.ctx.engine) as session:
            user_id = session.scalar(select(AppUser.id).where(AppUser.name == name))
        assert user_id is not None
        admin = AppContext(self.ctx.engine, self.ctx.settings, self.ctx.clock, ROLES["admin"][0])
        token = issue_token(admin, name, "walk").token
        opened = open_session(self.ctx, user_id, "full")
        return Credentials(token, opened.secret, opened.visitor.csrf)

    def values(self, subject: str) -> dict[str, object]:
        """The path parameters naming `subject`."""
        w = self.world
        chosen = {
            "monitored": {
                "project_id": w.monitored,
                "letter_id": w.letter,
                "expense_id": w.expense,
                "token_id": w.revoked_token,
                "evidence_id": MISSING,
            },
            "unmonitored": {"project_id": w.unmonitored, "evidence_id": MISSING},
            "missing": dict.fromkeys(
                (
                    "project_id",
                    "letter_id",
                    "expense_id",
                    "token_id",
                    "evidence_id",
                    "recommendation_id",
                ),
                MISSING,
            ),
        }.get(subject, {})
        return {**chosen, "code": "en"}

    def call(self, method: str, path: str, case: Case, subject: str, caller: str) -> Any:
        page = not path.startswith("/api/")
        credentials = self.fresh(caller) if case.own_credentials else self.callers[caller]
        target = PLACEHOLDER.sub(lambda m: str(self.values(subject)[m.group(1)]), path)
        form = case.form
        if case.csrf and form is not None:
            form = {**form, "csrf": credentials.csrf}
        return self.client.request(
            method,
            target + case.query,
            headers=credentials.headers(page),
            json=case.json,
            data=form,
        )


def _flat(routes: list[Any]) -> Iterator[tuple[str, Any]]:
    """(full path, route) of each route, those of included routers too (FastAPI keeps an
    included router as one entry of app.routes and lists its routes as it resolves them)."""
    for route in routes:
        resolved = getattr(route, "effective_route_contexts", None)
        if resolved is not None:
            for context in resolved():
                yield context.path, context.original_route
        else:
            yield getattr(route, "path", ""), route


def routes_of(client: TestClient) -> set[tuple[str, str]]:
    """Every (method, path) the application answers, as app.routes lists them (the static
    files' mount aside)."""
    found: set[tuple[str, str]] = set()
    for path, route in _flat(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(route, Route):
            found |= {(method, path) for method in (route.methods or set()) - {"HEAD"}}
    assert len(found) > 10, f"too few routes found in app.routes: {sorted(found)}"
    return found


def dump(ctx: AppContext) -> dict[str, list[tuple[object, ...]]]:
    return {t: rows for t, rows in database_dump(ctx.engine).items() if t not in LOGS}


@pytest.fixture
def walk(ctx: AppContext) -> Walk:
    world = build_world(ctx)
    walk = Walk(ctx, world, web_client(ctx))
    walk.callers = {caller: walk.fresh(caller) for caller in CALLERS}
    return walk


def test_every_route_has_its_expectations(walk: Walk) -> None:
    routes = routes_of(walk.client)
    undeclared = sorted(set(routes) - set(EXPECTED))
    assert not undeclared, (
        "routes without expectations in tests/test_isolation.py EXPECTED — add a Case with the "
        f"status each of {', '.join(CALLERS)} gets (and a body the rules refuse for a change): "
        + "; ".join(f"{method} {path}" for method, path in undeclared)
    )
    gone = sorted(set(EXPECTED) - set(routes))
    assert not gone, f"EXPECTED names routes the application no longer has: {gone}"


def _check(walk: Walk, method: str, path: str, case: Case) -> int:
    calls = 0
    for subject, row in case.rows.items():
        statuses = row.split()
        assert len(statuses) == len(CALLERS), (method, path, subject)
        for caller, wanted in zip(CALLERS, statuses, strict=True):
            before = dump(walk.ctx)
            answer = walk.call(method, path, case, subject, caller)
            calls += 1
            where = f"{method} {path} [{subject}] as {caller}"
            if answer.status_code != int(wanted):
                walk.failures.append(
                    f"{where}: {answer.status_code}, wanted {wanted}: {answer.text[:200]}"
                )
                continue
            if not case.own_credentials and dump(walk.ctx) != before:
                walk.failures.append(f"{where}: answered {wanted} but changed the database")
            signin = answer.headers.get("location", "/signin").startswith("/signin")
            if (
                answer.status_code == 303
                and caller == "anonymous"
                and not signin
                and "{code}" not in path
            ):
                walk.failures.append(f"{where}: redirected to {answer.headers['location']}")
            if answer.status_code == 404 and subject != "missing":
                _same_as_missing(walk, method, path, case, subject, answer, where)
    return calls


def _same_as_missing(
    walk: Walk, method: str, path: str, case: Case, subject: str, answer: Any, where: str
) -> None:
    """A record the caller may not see is answered word for word as a missing one."""
    caller = where.rsplit(" as ", 1)[1]
    missing = walk.call(method, path, case, "missing", caller)
    real = walk.values(subject)
    if not path.startswith("/api/"):
        if missing.status_code != 404:
            walk.failures.append(
                f"{where}: 404, but a missing record answers {missing.status_code}"
            )
        return
    expected = missing.text
    for name, value in real.items():
        if f"{{{name}}}" in path:
            expected = expected.replace(str(MISSING), str(value))
    if answer.text != expected:
        walk.failures.append(
            f"{where}: {answer.text} differs from a missing record's {missing.text}"
        )


def test_every_route_answers_every_caller_as_the_table_says_and_changes_nothing(
    walk: Walk,
) -> None:
    routes = routes_of(walk.client)
    calls = sum(
        _check(walk, method, path, case)
        for (method, path), case in EXPECTED.items()
        if (method, path) in routes
    )
    assert not walk.failures, f"{len(walk.failures)} of {calls} calls:\n" + "\n".join(walk.failures)
    assert calls >= len(routes) * len(CALLERS)
