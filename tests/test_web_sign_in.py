"""Sign-in on the web console and the API: passwords, lock-out, TOTP, sessions, CSRF, tokens."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import register
from tests.web_support import (
    PASSWORD,
    bearer,
    form_csrf,
    sign_in,
    token_for,
    user,
    web_client,
)
from workflow.auth.actions import list_sign_ins, revoke_token
from workflow.core.clock import fixed_clock
from workflow.core.config import Settings, WebSettings
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm_sign_in import ApiToken, WebSession
from workflow.db.orm_users import AppUser


@pytest.fixture
def office(ctx: AppContext) -> AppContext:
    """An admin 王处长 and a unit user of 贵州大学, both with the test password."""
    register(ctx, "贵州大学", "university")
    user(ctx, "王处长", "admin")
    user(replace(ctx, actor="王处长"), "贵大科技处", "unit", "贵州大学")
    return ctx


def test_passwords_are_stored_as_argon2id_hashes(office: AppContext) -> None:
    with transaction(office.engine) as session:
        stored = session.scalar(select(AppUser.password_hash).where(AppUser.name == "王处长"))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_a_good_password_opens_a_session_in_an_httponly_samesite_cookie(office: AppContext) -> None:
    client = web_client(office)
    assert client.get("/projects").headers["location"] == "/signin?next=/projects"
    answer = sign_in(client, "王处长", next_path="/projects")
    assert answer.status_code == 303 and answer.headers["location"] == "/projects"
    cookie = answer.headers["set-cookie"]
    assert "ipflow_session=ips_" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/projects").status_code == 200
    with transaction(office.engine) as session:
        secret = client.cookies["ipflow_session"]
        stored = session.scalars(select(WebSession.secret_hash)).all()
    assert secret not in stored and len(stored) == 1  # only its hash is kept


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(office: AppContext) -> None:
    client = web_client(office)
    wrong = sign_in(client, "王处长", "not-the-password-1")
    unknown = sign_in(client, "没有这个人", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.text and "用户名或密码不正确" in unknown.text
    assert 'value="王处长"' in wrong.text  # the name typed is kept, the password never
    assert "not-the-password-1" not in wrong.text
    outcomes = [(r.name, r.outcome, r.via) for r in list_sign_ins(replace(office, actor="王处长"))]
    assert outcomes == [("没有这个人", "unknown", "web"), ("王处长", "bad_password", "web")]


def test_five_failures_lock_the_account_for_fifteen_minutes(office: AppContext) -> None:
    client = web_client(office)
    for _ in range(5):
        assert sign_in(client, "贵大科技处", "guess-guess-1").status_code == 401
    locked = sign_in(client, "贵大科技处")  # the right password, too late
    assert locked.status_code == 401 and "已锁定至2027-04-15 12:15" in locked.text
    assert (
        client.post(
            "/api/v1/token", data={"username": "贵大科技处", "password": PASSWORD}
        ).status_code
        == 401
    )
    later = web_client(replace(office, clock=fixed_clock(office.clock() + timedelta(minutes=15))))
    assert sign_in(later, "贵大科技处").status_code == 303
    outcomes = [r.outcome for r in list_sign_ins(replace(office, actor="王处长"))][::-1]
    assert outcomes == ["bad_password"] * 5 + ["locked", "locked", "ok"]


def test_the_sign_in_form_and_sign_out_need_their_csrf_token(office: AppContext) -> None:
    client = web_client(office)
    client.get("/signin")
    forged = client.post(
        "/signin", data={"username": "王处长", "password": PASSWORD, "csrf": "forged", "next": "/"}
    )
    assert forged.status_code == 403 and "ipflow_session" not in client.cookies
    assert sign_in(client, "王处长").status_code == 303
    assert client.post("/signout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/projects").status_code == 200  # still signed in
    csrf = form_csrf(client.get("/projects").text)
    old = client.cookies["ipflow_session"]
    assert client.post("/signout", data={"csrf": csrf}).status_code == 303
    client.cookies.set("ipflow_session", old)
    assert client.get("/projects").status_code == 303  # the ended session is refused


def test_after_sign_in_only_paths_of_this_site_are_followed(office: AppContext) -> None:
    client = web_client(office)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert sign_in(client, "王处长", next_path=target).headers["location"] == "/"


def _totp_settings(ctx: AppContext) -> AppContext:
    return replace(ctx, settings=Settings(web=WebSettings(totp_roles=("admin",))))


def test_a_role_the_office_requires_two_factor_for_enrols_then_gives_codes(
    office: AppContext,
) -> None:
    ctx = _totp_settings(office)
    client = web_client(ctx)
    answer = sign_in(client, "王处长")
    assert answer.headers["location"] == "/signin/enrol?next=/"
    half = client.cookies["ipflow_session"]
    assert client.get("/projects").status_code == 303  # not signed in before the code
    page = client.get("/signin/enrol")
    with transaction(ctx.engine) as session:
        secret = session.scalar(select(AppUser.totp_secret).where(AppUser.name == "王处长"))
    assert secret and secret in page.text and "otpauth://totp/" in page.text
    wrong = client.post("/signin/enrol", data={"code": "000000", "csrf": form_csrf(page.text)})
    assert wrong.status_code == 401 and "动态验证码不正确" in wrong.text
    good = client.post(
        "/signin/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf": form_csrf(page.text)}
    )
    assert good.status_code == 303
    assert client.cookies["ipflow_session"] != half  # a new session secret after the code
    assert client.get("/projects").status_code == 200
    # From now on the code is asked for, on the pages and for a token.
    again = web_client(ctx)
    assert sign_in(again, "王处长").headers["location"] == "/signin/code?next=/"
    no_code = again.post("/api/v1/token", data={"username": "王处长", "password": PASSWORD})
    assert no_code.status_code == 401 and "code" in no_code.json()["detail"]
    with_code = again.post(
        "/api/v1/token",
        data={"username": "王处长", "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    assert with_code.status_code == 200
    # A unit user's role is not required to use a code.
    assert sign_in(web_client(ctx), "贵大科技处").headers["location"] == "/"


def test_api_tokens_are_hashed_expire_and_can_be_revoked(office: AppContext) -> None:
    client = web_client(office)
    assert client.get("/api/v1/projects").status_code == 401
    assert client.get("/api/v1/projects", headers=bearer("ipt_made-up")).status_code == 401
    token = token_for(client, "贵大科技处")
    assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 200
    with transaction(office.engine) as session:
        row = session.scalars(select(ApiToken)).one()
    assert token not in row.secret_hash
    assert (row.expires_at - office.clock()).days == 90
    later = web_client(replace(office, clock=fixed_clock(row.expires_at)))
    assert later.get("/api/v1/projects", headers=bearer(token)).status_code == 401
    revoke_token(replace(office, actor="贵大科技处"), row.id)
    assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 401


def test_a_disabled_user_loses_sessions_and_tokens_at_once(office: AppContext, ipflow: Cli) -> None:
    client = web_client(office)
    token = token_for(client, "贵大科技处")
    assert sign_in(client, "贵大科技处").status_code == 303
    assert ipflow("--as", "王处长", "user", "disable", "贵大科技处").exit_code == 0
    assert client.get("/projects").status_code == 303
    assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 401


def test_passwords_and_tokens_from_the_command_line(office: AppContext, ipflow: Cli) -> None:
    added = ipflow(
        "--as",
        "王处长",
        "user",
        "add",
        "李会计",
        "--role",
        "manager",
        "--password-stdin",
        input="会计-核算-2027-夏\n",
    )
    assert added.exit_code == 0, added.output
    client = web_client(office)
    assert sign_in(client, "李会计", "会计-核算-2027-夏").status_code == 303
    issued = ipflow("--as", "王处长", "user", "token", "create", "李会计", "--days", "7", "--json")
    assert issued.exit_code == 0
    import json

    token = json.loads(issued.stdout)["token"]
    assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 200
    listed = ipflow("--as", "王处长", "user", "token", "list", "--all", "--json")
    assert token not in listed.stdout and "李会计" in listed.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("user", "add", "赵工", "--role", "manager", "--password-stdin"),
            "short\n",
            "密码至少10个字符",
        ),
        (
            ("user", "add", "赵工", "--role", "manager", "--password-stdin"),
            "aaaaaaaaaaaa\n",
            "至少应包含4个不同的字符",
        ),
        (
            ("user", "password", "王处长", "--password-stdin"),
            "王处长的密码1234\n",
            "密码不能包含用户名",
        ),
        (
            ("user", "password", "没有的人", "--password-stdin"),
            "正确的马电池订书钉\n",
            "没有名为“没有的人”的用户",
        ),
        (("user", "token", "create", "王处长", "--days", "0"), None, "令牌有效期须为1到366天"),
        (("user", "token", "revoke", "99"), None, "没有编号为99的令牌"),
    ],
)
def test_bad_credentials_input_is_refused_and_changes_nothing(
    office: AppContext, ipflow: Cli, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    before = database_dump(office.engine)
    result = ipflow("--as", "王处长", *args, input=stdin)
    assert result.exit_code == 1
    assert message in without_clock_notice(result.stderr)
    assert "Traceback" not in result.output
    assert database_dump(office.engine) == before


def test_only_the_admin_sets_others_passwords_or_reads_the_sign_in_log(
    office: AppContext, ipflow: Cli
) -> None:
    before = database_dump(office.engine)
    for args in (
        ("user", "password", "王处长", "--password-stdin"),
        ("user", "sign-ins"),
        ("user", "token", "create", "王处长"),
    ):
        result = ipflow("--as", "贵大科技处", *args, input="另一个很长的密码哦\n")
        assert result.exit_code == 1 and "无权执行" in result.stderr
    after = database_dump(office.engine)
    assert {k: v for k, v in after.items() if k != "refusal_log"} == {
        k: v for k, v in before.items() if k != "refusal_log"
    }
