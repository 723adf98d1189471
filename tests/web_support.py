"""Helpers of the web tests: the application on the test database, users, sign-in, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from workflow.access.actions import add_user
from workflow.auth.actions import set_password
from workflow.core.config import Settings
from workflow.core.context import AppContext

PASSWORD = "磷矿-专利-2027-春"
"""The password every test user gets unless a test says otherwise."""


def web_client(ctx: AppContext, settings: Settings | None = None) -> TestClient:
    """A client of the application on the test database, with the test's clock."""
    from web.app import create_app

    app = create_app(
        str(ctx.engine.url.render_as_string(hide_password=False)),
        settings or ctx.settings,
        ctx.clock,
    )
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def user(ctx: AppContext, name: str, role: str, unit: str | None = None) -> None:
    """Register `name` with `role` (and `unit`) and the test password; the first is the admin."""
    add_user(ctx, name, role, unit, PASSWORD)


def reset_password(ctx: AppContext, name: str, password: str) -> None:
    set_password(ctx, name, password)


def form_csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next_path: str = "/"):  # type: ignore[no-untyped-def]
    """Post the sign-in form as a browser does; the client keeps the session cookie."""
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={
            "username": name,
            "password": password,
            "csrf": form_csrf(page.text),
            "next": next_path,
        },
    )


def token_for(client: TestClient, name: str, password: str = PASSWORD) -> str:
    answer = client.post("/api/v1/token", data={"username": name, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def signed_in(ctx: AppContext, name: str) -> Iterator[TestClient]:
    """A client signed in as `name` on the pages."""
    client = web_client(ctx)
    answer = sign_in(client, name)
    assert answer.status_code == 303, answer.text
    yield client
