"""Lifecycle steps have dates (SPEC.md §3, §10): review and acceptance windows, the leader's years.

Everything goes through the command line as the user types it, each command on its own day
(IPFLOW_TODAY); a refused step exits 1 with one paragraph naming the day it becomes possible,
and leaves the database as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine

from states.guards import Facts
from states.machines import TransitionRefused, fire
from tests.conftest import Cli, database_dump, without_clock_notice
from tests.factories import enrol, make_project
from workflow.core.context import AppContext
from workflow.letters.actions import list_letters
from workflow.projects.plans import PlanRow


@dataclass
class Typed(Cli):
    """The command line as typed on its day, with `--config FILE` when one is given."""

    config: str | None = None

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        chosen = ("--config", self.config) if self.config else ()
        return super().__call__(*chosen, *args, input=input, env=env)


def on(db_url: str, day: date, config: str | None = None) -> Typed:
    """The command line as typed on `day`."""
    return Typed(db_url, day, config)


def created(db_url: str, category: str, start: date, end: date, budget: int, *extra: str) -> int:
    """A project of `category` created and started through the CLI on its start date."""
    ipflow = on(db_url, start)
    result = ipflow(
        "project", "create", "--category", category, "--title", f"{category}测试项目",
        "--unit", "贵州大学", "--start", start.isoformat(), "--end", end.isoformat(),
        "--budget", str(budget), *extra, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    project_id = int(json.loads(result.stdout)["id"])
    for trigger in ("screen", "approve", "start"):
        moved = ipflow("project", "advance", str(project_id), trigger)
        assert moved.exit_code == 0, moved.output
    return project_id


def gi_brand(db_url: str, start: date = date(2027, 1, 1), end: date = date(2028, 12, 31)) -> int:
    """A gi_brand project of a provincial GI right holder, alone."""
    enrol(on(db_url, start), "贵州大学", "university", "provincial_gi_holder=yes")
    return created(db_url, "gi_brand", start, end, 500_000, "--tier", "provincial")


def refused(ipflow: Cli, engine: Engine, *args: str) -> str:
    """Run a command that must be refused: exit 1, one paragraph, nothing written."""
    before = database_dump(engine)
    result = ipflow(*args)
    assert result.exit_code == 1, result.output
    message = without_clock_notice(result.stderr)
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    assert database_dump(engine) == before
    return message


def advanced(ipflow: Cli, project_id: int, trigger: str, *extra: str) -> None:
    result = ipflow("project", "advance", str(project_id), trigger, *extra)
    assert result.exit_code == 0, result.output


def triggers(ipflow: Cli, project_id: int) -> list[str]:
    shown = ipflow("project", "show", str(project_id), "--json")
    assert shown.exit_code == 0, shown.output
    return list(json.loads(shown.stdout)["triggers"])


# --------------------------------------------------------------------------- gi_brand


def test_gi_brand_year_one_review_five_days_into_2027_is_refused_naming_2027_12_01(
    db_url: str, engine: Engine
) -> None:
    project_id = gi_brand(db_url)
    early = on(db_url, date(2027, 1, 6))

    message = refused(early, engine, "project", "advance", str(project_id), "review")

    assert "第1年度于2027-12-31结束，年度评审最早可于2027-12-01进行" in message
    assert message.endswith("当前可执行的操作：suspend、terminate")
    assert triggers(early, project_id) == ["suspend", "terminate"]
    # Rolling money (and ending support) follow the review: not possible from in_progress.
    refused(early, engine, "project", "advance", str(project_id), "roll", "--amount", "800000")


def test_gi_brand_year_one_review_opens_on_2027_12_01_and_not_a_day_before(
    db_url: str, engine: Engine
) -> None:
    project_id = gi_brand(db_url)
    eve, opening = on(db_url, date(2027, 11, 30)), on(db_url, date(2027, 12, 1))

    assert "年度评审最早可于2027-12-01进行" in refused(
        eve, engine, "project", "advance", str(project_id), "review"
    )
    assert triggers(eve, project_id) == ["suspend", "terminate"]
    assert triggers(opening, project_id) == ["review", "suspend", "terminate"]
    advanced(opening, project_id, "review", "--note", "第一年度目标评价")
    advanced(opening, project_id, "roll", "--amount", "800000")
    assert json.loads(opening("project", "show", str(project_id), "--json").stdout)["state"] == (
        "in_progress"
    )


def test_gi_brand_years_are_the_programme_years_whatever_its_start(
    db_url: str, engine: Engine
) -> None:
    # Started in March: its own first 12 months would end on 2028-02-29, but year 1 is 2027
    # (and its term may not run past the programme's second year, 2028).
    project_id = gi_brand(db_url, date(2027, 3, 1), date(2028, 12, 31))
    advanced(on(db_url, date(2027, 12, 1)), project_id, "review")
    advanced(on(db_url, date(2027, 12, 1)), project_id, "roll", "--amount", "500000")

    # Year 2 is 2028: acceptance opens 30 days before the term ends on 2028-12-31.
    message = refused(
        on(db_url, date(2028, 11, 30)), engine, "project", "advance", str(project_id),
        "request_acceptance",
    )  # fmt: skip
    assert "项目期于2028-12-31届满，验收最早可于2028-12-01申请" in message
    opened = refused(
        on(db_url, date(2028, 12, 1)), engine, "project", "advance", str(project_id),
        "request_acceptance",
    )  # fmt: skip
    assert "验收最早可于" not in opened  # the window is open; only the reports are missing


def test_a_gi_brand_year_two_review_is_refused_as_the_term_has_no_third_year(
    db_url: str, engine: Engine
) -> None:
    project_id = gi_brand(db_url)
    advanced(on(db_url, date(2027, 12, 1)), project_id, "review")
    advanced(on(db_url, date(2027, 12, 1)), project_id, "roll", "--amount", "500000")
    message = refused(
        on(db_url, date(2028, 12, 5)), engine, "project", "advance", str(project_id), "review"
    )
    assert "应进入验收而非年度评审" in message


# --------------------------------------------------------------------------- data_ip_leader


def test_a_leaders_second_evaluation_on_the_day_of_the_first_is_refused(
    db_url: str, engine: Engine
) -> None:
    project_id = created(db_url, "data_ip_leader", date(2027, 1, 1), date(2029, 12, 31), 200_000)

    message = refused(
        on(db_url, date(2027, 12, 31)), engine, "project", "advance", str(project_id), "review"
    )
    assert "第1次年度绩效评价须在实施满1年后进行，最早可于2028-01-01进行" in message
    first = on(db_url, date(2028, 1, 1))
    advanced(first, project_id, "review", "--note", "第一次绩效评价")
    advanced(first, project_id, "enter_library")
    message = refused(first, engine, "project", "advance", str(project_id), "review")
    assert "第2次年度绩效评价须在实施满2年后进行，最早可于2029-01-01进行" in message
    assert "review" not in triggers(first, project_id)

    second = on(db_url, date(2029, 1, 1))
    assert "review" in triggers(second, project_id)
    advanced(second, project_id, "review")
    advanced(second, project_id, "proceed")
    message = refused(second, engine, "project", "advance", str(project_id), "review")
    assert "最早可于2030-01-01进行" in message
    advanced(on(db_url, date(2030, 1, 1)), project_id, "review")


# --------------------------------------------------------------------------- acceptance


def _report(db_url: str, project_id: int, day: date, percent: int) -> None:
    result = on(db_url, day)(
        "report", "submit", str(project_id), "--date", day.isoformat(),
        "--progress", f"项目实施={percent}",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_acceptance_of_a_one_year_project_in_its_first_month_is_refused(
    db_url: str, engine: Engine
) -> None:
    project_id = created(db_url, "data_ip_chain", date(2027, 1, 1), date(2027, 12, 31), 300_000)

    january = on(db_url, date(2027, 1, 20))
    message = refused(january, engine, "project", "advance", str(project_id), "request_acceptance")
    assert "项目期于2027-12-31届满，验收最早可于2027-12-01申请" in message
    assert "request_acceptance" not in triggers(january, project_id)


def test_acceptance_is_possible_thirty_days_before_the_terms_end(
    db_url: str, engine: Engine
) -> None:
    project_id = created(db_url, "data_ip_chain", date(2027, 1, 1), date(2027, 12, 31), 300_000)
    for day, percent in (
        (date(2027, 3, 31), 25),
        (date(2027, 6, 30), 50),
        (date(2027, 9, 30), 75),
        (date(2027, 11, 30), 95),
    ):
        _report(db_url, project_id, day, percent)
    message = refused(
        on(db_url, date(2027, 11, 30)), engine, "project", "advance", str(project_id),
        "request_acceptance",
    )  # fmt: skip
    assert "验收最早可于2027-12-01申请" in message

    opening = on(db_url, date(2027, 12, 1))
    assert "request_acceptance" in triggers(opening, project_id)
    advanced(opening, project_id, "request_acceptance")


# --------------------------------------------------------------------------- configuration


def test_the_window_comes_from_the_configuration(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text("[rules]\nreview_window_days = 10\n", encoding="utf-8")
    project_id = gi_brand(db_url)
    one_year = created(db_url, "data_ip_chain", date(2027, 1, 1), date(2027, 12, 31), 300_000)

    message = refused(
        on(db_url, date(2027, 12, 20), str(config)), engine,
        "project", "advance", str(project_id), "review",
    )  # fmt: skip
    assert "年度评审最早可于2027-12-21进行" in message
    message = refused(
        on(db_url, date(2027, 12, 20), str(config)), engine,
        "project", "advance", str(one_year), "request_acceptance",
    )  # fmt: skip
    assert "验收最早可于2027-12-21申请" in message
    advanced(on(db_url, date(2027, 12, 21), str(config)), project_id, "review")


def test_a_negative_window_in_the_configuration_is_refused(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text("[rules]\nreview_window_days = -1\n", encoding="utf-8")
    project_id = gi_brand(db_url)
    message = refused(
        on(db_url, date(2027, 12, 20), str(config)), engine,
        "project", "advance", str(project_id), "review",
    )  # fmt: skip
    assert "review_window_days" in message


def test_the_guards_judge_the_window_from_the_facts_they_are_given() -> None:
    facts = Facts(
        project_id=7,
        category="high_value_patent",
        state="in_progress",
        term_years=2,
        today=date(2027, 12, 11),
        year_end=date(2027, 12, 31),
        review_window_days=20,
    )
    assert fire("review", facts) == "yearly_review"
    with pytest.raises(TransitionRefused) as refusal:
        fire("review", replace(facts, today=date(2027, 12, 10)))
    assert refusal.value.reasons == ["第1年度于2027-12-31结束，年度评审最早可于2027-12-11进行"]


# --------------------------------------------------------------------------- other dated facts

YEAR = [PlanRow("全年任务", date(2027, 1, 1), date(2027, 12, 31), 1)]


def test_money_dated_after_today_is_refused_through_the_cli(
    ipflow: Cli, ctx: AppContext, engine: Engine
) -> None:
    project_id = make_project(ctx)  # on 2027-04-15
    tomorrow = (date(2027, 4, 15) + timedelta(days=1)).isoformat()
    message = refused(
        ipflow, engine, "disburse", str(project_id), "--date", tomorrow,
        "--amount", "100000", "--stage", "首期拨付",
    )  # fmt: skip
    assert "拨付日期2027-04-16晚于今天2027-04-15" in message
    message = refused(
        ipflow, engine, "expense", "add", str(project_id), "--line", "设备费",
        "--date", tomorrow, "--amount", "1000", "--description", "检测设备",
    )  # fmt: skip
    assert "支出日期2027-04-16晚于今天2027-04-15" in message


def test_a_rectification_plan_or_follow_up_dated_after_today_is_refused_through_the_cli(
    ipflow: Cli, ctx: AppContext, engine: Engine
) -> None:
    from workflow.check.actions import run_check
    from workflow.letters.review import record_plan
    from workflow.projects.reports import submit

    project_id = make_project(ctx, plan=YEAR)
    submit(ctx, project_id, date(2027, 2, 28), {"全年任务": 5})  # behind by more than 10 points
    run_check(ctx, date(2027, 3, 1))
    [letter] = list_letters(ctx, None)

    message = refused(ipflow, engine, "letters", "plan", str(letter.id), "--received", "2027-04-16")
    assert "整改方案收到日期2027-04-16晚于今天2027-04-15" in message
    record_plan(ctx, letter.id, date(2027, 3, 20), None, "增派人员")
    message = refused(
        ipflow, engine, "letters", "follow-up", str(letter.id), "--date", "2027-04-16",
        "--note", "已完成调研",
    )  # fmt: skip
    assert "跟踪日期2027-04-16须在方案收到日期2027-03-20与今天2027-04-15之间" in message
