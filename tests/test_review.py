"""Letter review and rectification: statuses, plans, follow-up, overdue plans and escalation."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine

from tests.conftest import Cli, database_dump
from tests.factories import make_project
from workflow.check.actions import run_check
from workflow.check.recommendations import list_recommendations
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.letters.actions import list_letters
from workflow.letters.review import follow_up, letter_file, record_plan, review_letter
from workflow.projects.actions import show
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit

# One task over the year: on 2027-03-01 59 of 364 days have passed, planned 16.21%;
# a report of 5% puts the lag at 11.21 points (amber), and it stays under 25 until May.
YEAR = [PlanRow("全年任务", date(2027, 1, 1), date(2027, 12, 31), 1)]
ISSUED = date(2027, 3, 1)


def _letter(ctx: AppContext) -> tuple[int, int]:
    """A project behind by 11.21 points and the amber letter the check issued on 2027-03-01."""
    project_id = make_project(ctx, plan=YEAR)
    submit(ctx, project_id, date(2027, 2, 28), {"全年任务": 5})
    assert run_check(ctx, ISSUED).letters_issued == 1
    [letter] = list_letters(ctx, None)
    assert letter.rectification_due == date(2027, 3, 16)  # 15 days by default
    return project_id, letter.id


def _codes(ctx: AppContext, project_id: int) -> set[str]:
    return {r["code"] for r in show(ctx, project_id).flag_reasons}


def test_a_plan_not_received_more_than_15_days_after_its_deadline_turns_the_project_red(
    ctx: AppContext,
) -> None:
    project_id, _ = _letter(ctx)
    run_check(ctx, date(2027, 3, 31))  # 15 days overdue: not yet more than 15
    assert show(ctx, project_id).flag == "amber"
    run_check(ctx, date(2027, 4, 1))  # 16 days overdue; the lag (19.73) alone is amber
    assert show(ctx, project_id).flag == "red"
    assert "rectification_overdue" in _codes(ctx, project_id)


def test_a_plan_received_keeps_the_project_amber_while_the_letter_stays_open(
    ctx: AppContext,
) -> None:
    project_id, letter_id = _letter(ctx)
    result = record_plan(ctx, letter_id, date(2027, 3, 20), None, "增派人员，补齐调研")
    assert (result.due, result.late_days) == (date(2027, 4, 4), 4)
    run_check(ctx, date(2027, 4, 1))
    assert show(ctx, project_id).flag == "amber"
    assert "rectification_overdue" not in _codes(ctx, project_id)


def test_a_review_moves_the_letter_and_keeps_the_comment_in_its_file(ctx: AppContext) -> None:
    _, letter_id = _letter(ctx)
    review_letter(ctx, letter_id, "reviewed", "滞后原因属实")
    record_plan(ctx, letter_id, date(2027, 3, 10), date(2027, 4, 30), "补齐调研")
    follow_up(ctx, letter_id, date(2027, 4, 10), "调研过半", False)
    review_letter(ctx, letter_id, "closed", "整改到位")
    doc = letter_file(ctx, letter_id)
    assert doc.status == "closed"
    assert [(r.from_, r.to, r.comment) for r in doc.reviews] == [
        ("pending", "reviewed", "滞后原因属实"),
        ("reviewed", "closed", "整改到位"),
    ]
    assert doc.plan is not None and doc.plan.due == date(2027, 4, 30)
    assert doc.plan.follow_ups[0].note == "调研过半"


def test_closing_a_letter_without_a_plan_is_refused_and_changes_nothing(
    ctx: AppContext, engine: Engine
) -> None:
    _, letter_id = _letter(ctx)
    review_letter(ctx, letter_id, "reviewed", "已核实")
    before = database_dump(engine)
    with pytest.raises(Refused, match="尚未收到整改方案"):
        review_letter(ctx, letter_id, "closed", "办结")
    assert database_dump(engine) == before


def test_a_closed_letter_cannot_be_reviewed_again(ctx: AppContext) -> None:
    _, letter_id = _letter(ctx)
    review_letter(ctx, letter_id, "reviewed", "已核实")
    record_plan(ctx, letter_id, date(2027, 3, 10), None, "")
    review_letter(ctx, letter_id, "closed", "办结")
    with pytest.raises(Refused, match="当前可改为：无"):
        review_letter(ctx, letter_id, "escalated", "再议")


MOVES = {
    "pending": {"reviewed", "escalated"},
    "reviewed": {"closed", "escalated"},
    "closed": set(),
    "escalated": set(),
}
"""SPEC.md §6: pending → reviewed → closed or escalated; closed and escalated are final."""
WALK = {
    "pending": [],
    "reviewed": ["reviewed"],
    "closed": ["reviewed", "closed"],
    "escalated": ["escalated"],
}
"""How a new letter (with its plan recorded) reaches each status."""


@pytest.mark.parametrize(("current", "wanted"), [(a, b) for a in MOVES for b in MOVES])
def test_a_letter_moves_exactly_as_the_review_allows(
    ctx: AppContext, current: str, wanted: str
) -> None:
    _, letter_id = _letter(ctx)
    record_plan(ctx, letter_id, date(2027, 3, 10), None, "补齐调研")
    for status in WALK[current]:
        review_letter(ctx, letter_id, status, "审核")

    if wanted in MOVES[current]:
        assert review_letter(ctx, letter_id, wanted, "审核").status == wanted
    else:
        with pytest.raises(Refused, match="不能改为"):
            review_letter(ctx, letter_id, wanted, "审核")


def test_a_second_plan_for_the_same_letter_is_refused(ctx: AppContext) -> None:
    _, letter_id = _letter(ctx)
    record_plan(ctx, letter_id, date(2027, 3, 10), None, "")
    with pytest.raises(Refused, match="已登记"):
        record_plan(ctx, letter_id, date(2027, 3, 11), None, "")


def test_a_plan_dated_before_its_letter_is_refused(ctx: AppContext) -> None:
    _, letter_id = _letter(ctx)
    with pytest.raises(Refused, match="早于"):
        record_plan(ctx, letter_id, date(2027, 2, 1), None, "")


def test_an_escalation_yields_a_recommendation_the_office_can_list(
    ctx: AppContext, ipflow: Cli
) -> None:
    project_id, letter_id = _letter(ctx)
    result = ipflow("letters", "review", str(letter_id), "--status", "escalated",
                    "--comment", "逾期未整改，建议暂停拨款", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recommendation_created"] is True
    [rec] = [r for r in list_recommendations(ctx, None) if r.source == "escalation"]
    assert rec.project_id == project_id
    assert "逾期未整改" in rec.reason
    listed = ipflow("recommendations", "list", "--json")
    assert any(r["source"] == "escalation" for r in json.loads(listed.stdout))


def test_the_review_commands_refuse_an_unknown_letter_with_exit_1(
    ipflow: Cli, engine: Engine
) -> None:
    before = database_dump(engine)
    result = ipflow("letters", "review", "99", "--status", "reviewed", "--comment", "x")
    assert result.exit_code == 1 and "没有编号为99" in result.output
    result = ipflow("letters", "plan", "99", "--received", "2027-04-01")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert database_dump(engine) == before


def test_an_unknown_review_status_is_a_usage_error(ipflow: Cli) -> None:
    result = ipflow("letters", "review", "1", "--status", "done", "--comment", "x")
    assert result.exit_code == 2
