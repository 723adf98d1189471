"""Ranking of the year's capability_city applications by weighted score, and their batch approval.

The scores file is a CSV with the column `unit` and one column per scoring dimension (the nine
of SPEC.md §2, or whatever the panel scored). A unit's total is the weighted sum of its scores;
weights come from `[rules] city_weights` in the configuration, 1 for a dimension not named.

Tie rule: equal totals are ordered by the scores of the dimensions in the file's column order
(the higher score on the first dimension that differs ranks first). Applicants equal on every
dimension cannot be ordered by the rules: the ranking is refused, naming them, so the panel
decides. An applicant the category's applicant rule does not admit (states.eligibility: only
the prefecture and 贵安新区 IP offices) refuses the whole ranking, naming it. Ranks 1–10 receive the tiers of states.rules.CITY_TIERS; `--approve` approves all of
them with these amounts and rejects any applicant beyond the last tier, in one transaction.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from sqlalchemy import extract, select

from states.rules import CITY_TIERS
from workflow.core.boundary import Work, use_case
from workflow.core.errors import Refused
from workflow.core.i18n import _
from workflow.core.results import Result
from workflow.db.orm import Project, Unit
from workflow.money.funding import city_grant
from workflow.projects.actions import advance_in
from workflow.projects.eligibility import project_problems
from workflow.projects.importing.files import SCORE_COLUMNS

CATEGORY = "capability_city"


@dataclass(frozen=True)
class Scored:
    """One applicant's scores as read from the file."""

    unit: str
    scores: tuple[Decimal, ...]


@dataclass(frozen=True)
class Ranked(Result):
    """One applicant's place in the ranking: `city rank --json`."""

    unit: str
    project_id: int
    total: float
    rank: int
    amount: int
    """The grant of its tier, 0 beyond the last tier."""


def parse_scores(text: str, weights: dict[str, float]) -> tuple[list[str], list[Scored]]:
    """The dimensions and each unit's scores; every bad cell is reported at once."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [r for r in reader if any(cell.strip() for cell in r)]
    if not rows or SCORE_COLUMNS.code(rows[0][0]) != "unit" or len(rows[0]) < 2:
        raise Refused(_("评分文件的表头须为 unit（或“单位”）,维度1,维度2,…（至少一个评分维度）"))
    dimensions = [d.strip() for d in rows[0][1:]]
    if len(set(dimensions)) != len(dimensions) or not all(dimensions):
        raise Refused(_("评分文件的维度名称不能为空或重复"))
    unknown = set(weights) - set(dimensions)
    if unknown:
        raise Refused(
            _("配置[rules].city_weights中的维度不在评分文件中：{dimensions}").format(
                dimensions=_("、").join(sorted(unknown))
            )
        )
    problems: list[str] = []
    scored: list[Scored] = []
    for line, row in enumerate(rows[1:], start=2):
        unit = row[0].strip()
        if len(row) != len(rows[0]):
            problems.append(
                _("第{line}行应有{expected}列，实有{count}列").format(
                    line=line, expected=len(rows[0]), count=len(row)
                )
            )
            continue
        values: list[Decimal] = []
        for dimension, cell in zip(dimensions, row[1:], strict=True):
            try:
                value = Decimal(unicodedata.normalize("NFKC", cell).strip())
            except InvalidOperation:
                value = Decimal(-1)
            if not value.is_finite() or value < 0:
                problems.append(
                    _("第{line}行“{dimension}”的得分“{cell}”不是不小于0的数").format(
                        line=line, dimension=dimension, cell=cell
                    )
                )
            values.append(value)
        if any(s.unit == unit for s in scored):
            problems.append(_("第{line}行：单位“{unit}”重复").format(line=line, unit=unit))
        scored.append(Scored(unit, tuple(values)))
    if problems:
        raise Refused(_("评分文件有误：{problems}").format(problems=_("；").join(problems)))
    if not scored:
        raise Refused(_("评分文件中没有任何单位"))
    return dimensions, scored


def rank(
    dimensions: list[str], scored: list[Scored], weights: dict[str, float]
) -> list[tuple[Scored, Decimal]]:
    """Applicants in rank order with their totals, by the tie rule of this module."""
    factors = [Decimal(str(weights.get(d, 1))) for d in dimensions]
    totals = [
        (s, sum((f * v for f, v in zip(factors, s.scores, strict=True)), Decimal(0)))
        for s in scored
    ]
    ordered = sorted(totals, key=lambda st: (st[1], st[0].scores), reverse=True)
    for (a, ta), (b, tb) in pairwise(ordered):
        if ta == tb and a.scores == b.scores:
            raise Refused(
                _(
                    "“{a}”与“{b}”总分和各维度得分完全相同，无法按规则排序：请评审委员会确定名次后修改评分文件"
                ).format(a=a.unit, b=b.unit)
            )
    return ordered


@use_case(
    "city_rank",
    write=True,
    action_of=lambda arguments: "approve" if arguments["approve"] else "city_rank",
    actions=("city_rank", "approve"),
)
def city_rank(work: Work, year: int, scores_text: str, approve: bool) -> list[Ranked]:
    """Rank the year's capability_city applications; with `approve`, approve them all at once."""
    ctx, session = work.ctx, work.session
    weights = dict(ctx.settings.rules.city_weights)
    dimensions, scored = parse_scores(scores_text, weights)
    ordered = rank(dimensions, scored, weights)
    applications = (
        select(Project, Unit.name)
        .join(Unit, Unit.id == Project.unit_id)
        .where(
            Project.category == CATEGORY,
            Project.state == "screened",
            extract("year", Project.start) == year,
        )
    )
    if approve:
        # Lock the applications' rows, in id order, before the year budget's key (taken by each
        # approval): the order `project advance` takes them in, so neither waits on the other
        # in turn. A second ranking waits here, then finds them approved.
        applications = applications.order_by(Project.id).with_for_update(of=Project)
    projects = {name: project for project, name in session.execute(applications).tuples()}
    missing = [s.unit for s in scored if s.unit not in projects]
    if missing:
        raise Refused(
            _("以下单位没有{year}年度已初审的市州级能力提升项目：{units}").format(
                year=year, units=_("、").join(missing)
            )
        )
    ineligible = [
        _("“{unit}”（项目#{id}）：{problems}").format(
            unit=name, id=project.id, problems=_("；").join(problems)
        )
        for name, project in sorted(projects.items(), key=lambda item: item[1].id)
        if (problems := project_problems(session, project))
    ]
    if ineligible:
        raise Refused(
            _("以下申报单位不符合市州级能力提升项目的申报主体条件，不能参加排序：{units}").format(
                units=_("；").join(ineligible)
            )
        )
    unscored = sorted(set(projects) - {s.unit for s in scored})
    if unscored:
        raise Refused(
            _("以下申报单位没有评分，须全部评分后统一排序：{units}").format(
                units=_("、").join(unscored)
            )
        )
    result = [
        Ranked(s.unit, projects[s.unit].id, float(total), position, city_grant(position))
        for position, (s, total) in enumerate(ordered, start=1)
    ]
    if approve:
        for position, (s, total) in enumerate(ordered, start=1):
            if position <= len(CITY_TIERS):
                note = f"{year}年度市州级综合得分第{position}名（{total:f}分）"
                advance_in(
                    session,
                    ctx,
                    projects[s.unit],
                    "approve",
                    note,
                    data={"rank": str(position), "total": f"{total:f}"},
                    via_ranking=True,
                )
            else:
                note = f"综合得分第{position}名，未进入前{len(CITY_TIERS)}名"
                advance_in(session, ctx, projects[s.unit], "reject", note)
    return result
