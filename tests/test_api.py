"""The REST API: the CLI's JSON, pages, ETag and If-Match, idempotency keys, errors, the caller."""

from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.api_world import ROLES, World, build_world
from tests.conftest import Cli, database_dump
from tests.web_support import web_client
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import ProjectEvent
from workflow.db.orm_money import Expenditure
from workflow.db.orm_sign_in import IdempotencyRecord

REFUSAL_LOGS = ("refusal_log", "sign_in_log")


@pytest.fixture
def world(ctx: AppContext) -> World:
    return build_world(ctx)


@pytest.fixture
def client(ctx: AppContext, world: World) -> TestClient:
    return web_client(ctx)


def cli_json(ipflow: Cli, *args: str) -> object:
    result = ipflow("--as", ROLES["admin"][0], *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def dump(ctx: AppContext) -> dict[str, list[tuple[object, ...]]]:
    everything = database_dump(ctx.engine)
    return {table: rows for table, rows in everything.items() if table not in REFUSAL_LOGS}


def count(ctx: AppContext, model: type) -> int:
    with transaction(ctx.engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_projects_list_and_show_are_the_clis_json(
    client: TestClient, world: World, ipflow: Cli
) -> None:
    listed = client.get("/api/v1/projects", headers=world.bearer("admin"))
    assert listed.status_code == 200
    assert listed.json() == cli_json(ipflow, "project", "list")
    shown = client.get(f"/api/v1/projects/{world.monitored}", headers=world.bearer("admin"))
    assert shown.json() == cli_json(ipflow, "project", "show", str(world.monitored))
    assert shown.json()["flag"] == "amber" and shown.json()["lag"] == 15.0


def test_a_page_of_projects_is_that_slice_of_the_whole_list_with_its_total_and_next_link(
    client: TestClient, world: World, ipflow: Cli
) -> None:
    everything = cli_json(ipflow, "project", "list")
    assert isinstance(everything, list) and len(everything) == 3
    first = client.get("/api/v1/projects?limit=2", headers=world.bearer("admin"))
    assert first.headers["X-Total-Count"] == "3"
    assert first.json() == everything[:2]
    assert (
        first.headers["Link"] == '<http://testserver/api/v1/projects?offset=2&limit=2>; rel="next"'
    )
    second = client.get("/api/v1/projects?limit=2&offset=2", headers=world.bearer("admin"))
    assert second.json() == everything[2:] and "Link" not in second.headers
    keyset = client.get(
        f"/api/v1/projects?limit=1&after={everything[0]['id']}", headers=world.bearer("admin")
    )
    assert keyset.json() == everything[1:2]
    assert f"after={everything[1]['id']}" in keyset.headers["Link"]


def test_a_page_filtered_by_flag_counts_only_the_projects_with_that_flag(
    client: TestClient, world: World, ipflow: Cli
) -> None:
    amber = client.get("/api/v1/projects?flag=amber", headers=world.bearer("admin"))
    assert amber.headers["X-Total-Count"] == "1"  # the project behind plan, with its letter
    assert amber.json() == cli_json(ipflow, "project", "list", "--flag", "amber")
    assert [p["id"] for p in amber.json()] == [world.monitored]
    green = client.get("/api/v1/projects?flag=green&limit=1", headers=world.bearer("admin"))
    assert [p["id"] for p in green.json()] == [world.foreign]
    red = client.get("/api/v1/projects?flag=red", headers=world.bearer("admin"))
    assert red.json() == [] and red.headers["X-Total-Count"] == "0"


def test_each_role_lists_only_the_projects_it_may_see(client: TestClient, world: World) -> None:
    def ids(role: str) -> list[int]:
        answer = client.get("/api/v1/projects", headers=world.bearer(role))
        assert answer.status_code == 200, answer.text
        return [p["id"] for p in answer.json()]

    assert ids("admin") == ids("manager") == [world.monitored, world.unmonitored, world.foreign]
    assert ids("unit") == [world.monitored, world.unmonitored]
    assert ids("foreign") == [world.foreign]
    assert ids("contractor") == [world.monitored, world.foreign]  # no patent navigation
    assert client.get("/api/v1/projects", headers=world.bearer("scheduler")).status_code == 403


def test_another_units_project_is_answered_as_one_that_does_not_exist(
    client: TestClient, world: World
) -> None:
    foreign = client.get(f"/api/v1/projects/{world.monitored}", headers=world.bearer("foreign"))
    missing = client.get("/api/v1/projects/999", headers=world.bearer("foreign"))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == {"detail": f"没有编号为{world.monitored}的项目"}
    assert missing.json() == {"detail": "没有编号为999的项目"}
    hidden = client.get(f"/api/v1/projects/{world.unmonitored}", headers=world.bearer("contractor"))
    assert hidden.status_code == 404 and hidden.json() == {
        "detail": f"没有编号为{world.unmonitored}的项目"
    }


def test_without_a_valid_token_the_answer_is_401_with_a_bearer_challenge(
    client: TestClient, world: World
) -> None:
    for headers in ({}, {"Authorization": "Bearer ipt_not-a-token"}, {"Authorization": "Basic x"}):
        answer = client.get("/api/v1/projects", headers=headers)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"
        assert isinstance(answer.json()["detail"], str)


def test_a_role_that_may_not_take_an_action_gets_403_and_nothing_changes(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    before = dump(ctx)
    answer = client.post(
        f"/api/v1/projects/{world.monitored}/transitions",
        json={"trigger": "suspend", "note": "试图暂停"},
        headers=world.bearer("manager"),
    )
    assert answer.status_code == 403 and "无权执行“suspend”" in answer.json()["detail"]
    assert dump(ctx) == before


def test_invalid_requests_get_one_paragraph_and_change_nothing(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    before = dump(ctx)
    path = f"/api/v1/projects/{world.monitored}/reports"
    for body in (
        {"date": "2027-13-01", "progress": {"开展摸底调研": 50}},
        {"date": "2027-03-31", "progress": {"开展摸底调研": 150}},
        {"date": "2027-03-31", "progress": {}},
        {"date": "9999-03-31", "progress": {"开展摸底调研": 50}},
        {"progress": {"开展摸底调研": 50}},
    ):
        answer = client.post(path, json=body, headers=world.bearer("unit"))
        assert answer.status_code == 422, body
        detail = answer.json()["detail"]
        assert isinstance(detail, str) and detail.startswith("请求有误") and "\n" not in detail
    assert client.post(path, content=b"{", headers=world.bearer("unit")).status_code == 422
    assert dump(ctx) == before


def test_a_unit_submits_a_report_as_report_submit_json(client: TestClient, world: World) -> None:
    answer = client.post(
        f"/api/v1/projects/{world.monitored}/reports",
        json={"date": "2027-03-31", "progress": {"开展摸底调研": 100}},
        headers=world.bearer("unit"),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "id": answer.json()["id"],
        "project_id": world.monitored,
        "date": "2027-03-31",
        "progress": {"开展摸底调研": 100.0},
    }


def test_a_transition_fires_as_project_advance_json_and_the_etag_follows_the_version(
    client: TestClient, world: World
) -> None:
    path = f"/api/v1/projects/{world.monitored}"
    etag = client.get(path, headers=world.bearer("admin")).headers["ETag"]
    answer = client.post(
        f"{path}/transitions",
        json={"trigger": "suspend", "note": "整改期间暂停拨款"},
        headers={**world.bearer("admin"), "If-Match": etag},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "id": world.monitored,
        "from": "in_progress",
        "to": "suspended",
        "trigger": "suspend",
        "seq": answer.json()["seq"],
    }
    shown = client.get(path, headers=world.bearer("admin"))
    assert shown.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    assert shown.json()["history"][-1]["note"] == "整改期间暂停拨款"


def test_a_stale_if_match_is_refused_with_412_and_the_database_is_unchanged(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    path = f"/api/v1/projects/{world.monitored}"
    etag = client.get(path, headers=world.bearer("admin")).headers["ETag"]
    moved = client.post(
        f"{path}/transitions", json={"trigger": "suspend"}, headers=world.bearer("admin")
    )
    assert moved.status_code == 201  # no If-Match: made whatever the version
    before = dump(ctx)
    for request in (
        ("transitions", {"trigger": "resume"}, "admin"),
        ("reports", {"date": "2027-03-31", "progress": {"开展摸底调研": 90}}, "unit"),
        (
            "expenditures",
            {"line": "设备费", "date": "2027-03-01", "amount": 1000, "description": "耗材"},
            "unit",
        ),
    ):
        what, body, role = request
        answer = client.post(
            f"{path}/{what}", json=body, headers={**world.bearer(role), "If-Match": etag}
        )
        assert answer.status_code == 412, (what, answer.text)
        assert "已被修改" in answer.json()["detail"]
    malformed = client.post(
        f"{path}/transitions",
        json={"trigger": "resume"},
        headers={**world.bearer("admin"), "If-Match": "W/3"},
    )
    assert malformed.status_code == 412
    assert dump(ctx) == before


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer_and_acts_once(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    path = f"/api/v1/projects/{world.monitored}/expenditures"
    body = {"line": "设备费", "date": "2027-03-01", "amount": 1000, "description": "耗材"}
    headers = {**world.bearer("unit"), "Idempotency-Key": "expense-2027-03-01-1"}
    spent = count(ctx, Expenditure)
    first = client.post(path, json=body, headers=headers)
    again = client.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(ctx, Expenditure) == spent + 1
    other = client.post(path, json={**body, "amount": 2000}, headers=headers)
    assert other.status_code == 422 and "已用于另一个请求" in other.json()["detail"]
    assert count(ctx, Expenditure) == spent + 1
    # The key is the caller's own: another user may use the same text.
    admin = client.post(path, json=body, headers={**headers, **world.bearer("admin")})
    assert admin.status_code == 201 and admin.json()["id"] != first.json()["id"]


def test_a_refused_request_keeps_no_answer_and_its_retry_runs_again(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    path = f"/api/v1/projects/{world.monitored}/transitions"
    headers = {**world.bearer("admin"), "Idempotency-Key": "resume-1"}
    refused = client.post(path, json={"trigger": "resume"}, headers=headers)
    assert refused.status_code == 422 and count(ctx, IdempotencyRecord) == 0
    client.post(path, json={"trigger": "suspend"}, headers=world.bearer("admin"))
    retried = client.post(path, json={"trigger": "resume"}, headers=headers)
    assert retried.status_code == 201 and retried.json()["to"] == "in_progress"


def test_two_simultaneous_requests_with_one_key_act_once(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    path = f"/api/v1/projects/{world.monitored}/expenditures"
    body = {"line": "设备费", "date": "2027-03-01", "amount": 1000, "description": "耗材"}
    headers = {**world.bearer("unit"), "Idempotency-Key": "twice-at-once"}
    spent = count(ctx, Expenditure)
    start = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def send() -> None:
        with web_client(ctx) as own:
            start.wait()
            answer = own.post(path, json=body, headers=headers)
            answers.append((answer.status_code, answer.text))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _text in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert count(ctx, Expenditure) == spent + 1


def test_letters_list_show_and_file_as_the_cli_gives_them(
    client: TestClient, world: World, ipflow: Cli
) -> None:
    listed = client.get("/api/v1/letters", headers=world.bearer("unit"))
    assert listed.json() == [
        x for x in cli_json(ipflow, "letters", "list") if x["project_id"] == world.monitored
    ]
    text = client.get(f"/api/v1/letters/{world.letter}", headers=world.bearer("unit"))
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    cli_text = ipflow("--as", ROLES["admin"][0], "letters", "show", str(world.letter)).stdout
    assert text.text == cli_text
    html = client.get(f"/api/v1/letters/{world.letter}?format=html", headers=world.bearer("unit"))
    assert html.headers["content-type"].startswith("text/html") and "黔知运预" in html.text
    filed = client.get(f"/api/v1/letters/{world.letter}/file", headers=world.bearer("unit"))
    assert filed.json() == cli_json(ipflow, "letters", "file", str(world.letter))


def test_the_unit_answers_a_letter_and_the_contractor_reviews_and_follows_it_up(
    client: TestClient, world: World
) -> None:
    letter = f"/api/v1/letters/{world.letter}"
    plan = client.post(
        f"{letter}/plan",
        json={"received": "2027-01-20", "summary": "增派人员，补齐调研"},
        headers=world.bearer("unit"),
    )
    assert plan.status_code == 201, plan.text
    assert plan.json()["due"] == "2027-02-04" and plan.json()["late_days"] == 0
    refused = client.post(
        f"{letter}/reviews",
        json={"status": "reviewed", "comment": "自己审核"},
        headers=world.bearer("unit"),
    )
    assert refused.status_code == 403
    reviewed = client.post(
        f"{letter}/reviews",
        json={"status": "reviewed", "comment": "滞后原因属实"},
        headers=world.bearer("contractor"),
    )
    assert reviewed.status_code == 201 and reviewed.json()["status"] == "reviewed"
    followed = client.post(
        f"{letter}/follow-ups",
        json={"date": "2027-02-01", "note": "调研已补齐", "done": True},
        headers=world.bearer("contractor"),
    )
    assert followed.status_code == 201 and followed.json()["done"] is True
    filed = client.get(f"{letter}/file", headers=world.bearer("unit")).json()
    assert [r["to"] for r in filed["reviews"]] == ["reviewed"]
    assert filed["plan"]["follow_ups"][0]["note"] == "调研已补齐"


def test_the_contractor_reviews_a_flagged_expenditure(client: TestClient, world: World) -> None:
    path = f"/api/v1/expenditures/{world.expense}/reviews"
    unit = client.post(path, json={"decision": "accept"}, headers=world.bearer("unit"))
    assert unit.status_code == 403
    answer = client.post(path, json={"decision": "accept"}, headers=world.bearer("contractor"))
    assert answer.status_code == 201 and answer.json() == {
        "id": world.expense,
        "project_id": world.monitored,
        "status": "accepted",
    }


def test_the_ledger_downloads_as_csv_with_the_units_own_rows(
    client: TestClient, world: World
) -> None:
    answer = client.get("/api/v1/ledger?format=csv&date=2027-01-31", headers=world.bearer("unit"))
    assert answer.status_code == 200 and answer.headers["X-Project-Count"] == "1"
    assert "磷石膏资源化利用高价值专利培育" in answer.text and "锰系" not in answer.text
    early = client.get("/api/v1/ledger?format=csv&date=2027-01-01", headers=world.bearer("unit"))
    assert early.status_code == 422


def test_me_names_the_tokens_user_and_lists_and_revokes_only_their_tokens(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    me = client.get("/api/v1/me", headers=world.bearer("unit"))
    assert me.json() == {
        "name": "贵大科技处",
        "role": "unit",
        "role_name": "项目承担单位",
        "unit": "贵州大学",
    }
    mine = client.get("/api/v1/me/tokens", headers=world.bearer("unit")).json()
    assert {t["user"] for t in mine} == {"贵大科技处"} and len(mine) == 2
    live = next(t for t in mine if t["revoked_at"] is None)
    admins = client.get("/api/v1/me/tokens", headers=world.bearer("admin")).json()
    others = client.delete(f"/api/v1/me/tokens/{admins[0]['id']}", headers=world.bearer("unit"))
    assert others.status_code == 404
    revoked = client.delete(f"/api/v1/me/tokens/{live['id']}", headers=world.bearer("unit"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=world.bearer("unit")).status_code == 401


def test_signing_out_revokes_the_token_presented(client: TestClient, world: World) -> None:
    assert client.delete("/api/v1/token", headers=world.bearer("contractor")).status_code == 204
    assert client.get("/api/v1/me", headers=world.bearer("contractor")).status_code == 401
    assert client.get("/api/v1/me", headers=world.bearer("admin")).status_code == 200


def test_the_events_of_a_replayed_transition_are_not_repeated(
    ctx: AppContext, client: TestClient, world: World
) -> None:
    path = f"/api/v1/projects/{world.monitored}/transitions"
    headers = {**world.bearer("admin"), "Idempotency-Key": "suspend-once"}
    events = count(ctx, ProjectEvent)
    for _ in range(3):
        answer = client.post(path, json={"trigger": "suspend"}, headers=headers)
        assert answer.status_code == 201
    assert count(ctx, ProjectEvent) == events + 1
