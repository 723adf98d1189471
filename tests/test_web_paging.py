"""The projects page shows a page of 100 at a time, computed for that page only."""

from __future__ import annotations

from dataclasses import replace

from tests.factories import make_project
from tests.web_support import signed_in, user
from workflow.core.context import AppContext


def test_the_project_list_pages_through_a_hundred_and_one_projects(ctx: AppContext) -> None:
    ids = [make_project(ctx, "applied", title=f"磷化工专利培育{n:03d}") for n in range(101)]
    user(ctx, "王处长", "admin")
    with signed_in(replace(ctx, actor="王处长"), "王处长") as client:
        first = client.get("/projects")
        assert first.status_code == 200
        assert "第1–100项，共101项" in first.text
        assert "磷化工专利培育099" in first.text and "磷化工专利培育100" not in first.text
        assert "offset=100" in first.text and "上一页" not in first.text
        last = client.get("/projects?offset=100")
        assert "第101–101项，共101项" in last.text
        assert f'href="/projects/{ids[-1]}"' in last.text and "磷化工专利培育099" not in last.text
        assert "offset=0" in last.text and "下一页" not in last.text
        assert client.get("/projects?offset=-1").status_code == 422
