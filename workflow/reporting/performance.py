"""The performance evaluation report (绩效评价总报告及分类评价报告, SPEC.md §8): an overall
report and one section per class of monitored project (`[performance] classes`, by default the
eight the call lists), with each project's targets met, fund use and qualitative assessments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from states.categories import CATEGORIES
from workflow.core.context import AppContext
from workflow.db.orm import Project
from workflow.db.orm_performance import Evaluation
from workflow.money.figures import total
from workflow.performance.rules import (
    ASSESSMENTS,
    GRADE_LABELS,
    KINDS,
    QUANTITATIVE,
    Figures,
    figures,
    grade,
    pooled,
)
from workflow.performance.store import EvaluationView, IndicatorView, evaluations, indicators_on
from workflow.reporting.ledger import LedgerRow
from workflow.reporting.periodic import Period, Section, period_rows

NUMERALS = "二三四五六七八九十"
"""Section numbers after the overall report's 一."""
INDICATORS = [
    "项目数",
    "量化目标（达成/设定）",
    "绩效目标达成率%",
    "定性指标（达到/部分/未达到/未评估）",
    "定性评价%",
    "核定资助",
    "已支出",
    "资金拨付率%",
    "资金支出率%",
    "红色预警",
    "综合得分",
    "评价等级",
]
"""The columns of an indicator table: a class's or the programme's figures."""


@dataclass(frozen=True)
class Evaluated:
    """One project of the report: its ledger row, indicators and figures at the period's end,
    and its latest evaluation recorded by then."""

    row: LedgerRow
    indicators: list[IndicatorView]
    figures: Figures
    recorded: EvaluationView | None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _rate(value: float | None) -> str:
    """A rate in running text: with its percent sign, or 无 when there is none."""
    return "无" if value is None else f"{value:.2f}%"


def _score(f: Figures, weights: dict[str, float]) -> tuple[str, str]:
    score = f.score(weights)
    if score is None:
        return "—", "—"
    return f"{score:.1f}", GRADE_LABELS[grade(score)]


def _qualitative(f: Figures) -> str:
    counts = [f.assessed.get(code, 0) for code in ASSESSMENTS]
    return "/".join(str(n) for n in [*counts, f.unassessed])


def _indicators(group: list[Evaluated], weights: dict[str, float]) -> list[object]:
    f = pooled(e.figures for e in group)
    return [
        len(group),
        f"{f.targets_met}/{f.targets}",
        _pct(f.achievement),
        _qualitative(f),
        _pct(f.qualitative_rate),
        f"{f.granted:,}",
        f"{f.spent:,}",
        _pct(total(e.row.values["money"] for e in group).disbursed_rate),
        _pct(f.fund_use),
        sum(e.row.flag == "red" for e in group),
        *_score(f, weights),
    ]


def _evaluated(session: Session, p: Period, today: date) -> list[Evaluated]:
    rows = period_rows(session, p, today)
    ids = [r.values["project_id"] for r in rows]
    shown = indicators_on(session, p.last, [Project.id.in_(ids)])
    recorded: dict[int, EvaluationView] = {}
    for e in evaluations(session, [Project.id.in_(ids), Evaluation.day <= p.last]):
        recorded.setdefault(e.project_id, e)
    result = []
    for r in rows:
        pid, money = r.values["project_id"], r.values["money"]
        mine = shown.get(pid, [])
        found = figures([i.reading for i in mine], money.granted, money.spent)
        result.append(Evaluated(r, mine, found, recorded.get(pid)))
    return result


def _method(weights: dict[str, float]) -> str:
    total = sum(weights.values())
    share = {k: f"{100 * w / total:g}%" for k, w in weights.items()}
    return (
        "评价方法：绩效目标达成率＝已达成的量化目标数÷设定的量化目标数（实际值不低于目标值为达成，"
        "尚未填报实际值的目标计为未达成）；资金使用效益以资金支出率计（已支出÷核定资助，不以申请金额计）；"
        "定性指标按达到1分、部分达到0.5分、未达到或未评估0分计。"
        f"综合得分＝绩效目标达成率×{share['targets']}＋资金支出率（至多按100计）×{share['funds']}"
        f"＋定性评价×{share['qualitative']}，无数据的维度不计权重，未设绩效指标的项目不计综合得分；"
        "90分以上为优秀，75分以上为良好，60分以上为合格，其余为不合格。"
    )


def _project_table(
    section: Section, caption: str, group: list[Evaluated], weights: dict[str, float]
) -> None:
    rows = []
    for e in group:
        v, f = e.row.values, e.figures
        recorded = e.recorded
        rows.append(
            [
                v["project_id"],
                v["title"],
                v["unit"],
                f"{f.targets_met}/{f.targets}",
                _pct(f.achievement),
                _pct(f.qualitative_rate),
                _pct(f.fund_use),
                *_score(f, weights),
                (
                    f"{recorded.day} {recorded.score:g}分 {GRADE_LABELS[recorded.grade]}"
                    if recorded
                    else "未记录"
                ),
            ]
        )
    section.table(
        caption,
        ["编号", "项目名称", "承担单位", "量化目标（达成/设定）", "达成率%", "定性评价%",
         "资金支出率%", "综合得分", "评价等级", "已记录的评价"],
        rows,
    )  # fmt: skip


def _value(i: IndicatorView) -> tuple[str, str, str]:
    """An indicator's target or criterion, its value and whether it is met, as report cells."""
    if i.kind == QUANTITATIVE:
        actual = "未填报" if i.actual is None else f"{i.actual:g}{i.unit or ''}"
        return f"{i.target:g}{i.unit or ''}", actual, "达成" if i.met else "未达成"
    assessed = ASSESSMENTS[i.assessment][0] if i.assessment else "未评估"
    return i.criterion or "", assessed, assessed


def _indicator_table(section: Section, caption: str, group: list[Evaluated]) -> None:
    rows = [
        [e.row.values["project_id"], i.name, KINDS[i.kind], *_value(i)]
        for e in group
        for i in e.indicators
    ]
    if rows:
        section.table(
            caption, ["编号", "指标", "类型", "目标值／评价标准", "实际值／评估", "达成情况"], rows
        )


def _class_section(
    number: str,
    name: str,
    codes: tuple[str, ...],
    group: list[Evaluated],
    weights: dict[str, float],
) -> Section:
    section = Section(f"{number}、分类评价报告：{name}")
    categories = "、".join(CATEGORIES[c].name for c in codes)
    if not group:
        section.paragraphs.append(f"本类包括{categories}；报告期内没有在实施的项目。")
        return section
    f = pooled(e.figures for e in group)
    section.paragraphs.append(
        f"本类包括{categories}；报告期内在实施项目{len(group)}个，设定量化目标{f.targets}个，"
        f"已达成{f.targets_met}个，绩效目标达成率{_rate(f.achievement)}；资金支出率"
        f"{_rate(f.fund_use)}；定性指标{f.qualitative}个。"
    )
    section.table("绩效评价指标", INDICATORS, [_indicators(group, weights)])
    _project_table(section, "项目绩效评价明细", group, weights)
    _indicator_table(section, "绩效指标明细", group)
    return section


def performance_sections(ctx: AppContext, session: Session, p: Period) -> list[Section]:
    """The overall report and one section per class, every class present even when empty."""
    settings = ctx.settings.performance
    weights = settings.weights
    evaluated = _evaluated(session, p, ctx.today())
    class_of = {code: name for name, codes in settings.classes.items() for code in codes}
    groups: dict[str, list[Evaluated]] = {name: [] for name in settings.classes}
    for e in evaluated:
        if (name := class_of.get(e.row.values["category"])) is not None:
            groups[name].append(e)
    overall = Section("一、绩效评价总报告")
    overall.paragraphs.append(
        f"评价对象为{p.label}在实施的监测范围内项目{len(evaluated)}个，"
        f"分{len(groups)}类评价：{'、'.join(groups)}。"
    )
    unclassed = Counter(
        CATEGORIES[e.row.values["category"]].name
        for e in evaluated
        if e.row.values["category"] not in class_of
    )
    if unclassed:
        overall.paragraphs.append(
            "未归入任何评价类别、仅计入合计的项目："
            + "、".join(f"{name}{n}个" for name, n in unclassed.items())
            + "。"
        )
    overall.paragraphs.append(_method(weights))
    overall.table(
        "表1 绩效评价指标（分类别及合计）",
        ["评价类别", *INDICATORS],
        [
            *([name, *_indicators(group, weights)] for name, group in groups.items()),
            ["合计", *_indicators(evaluated, weights)],
        ],
    )
    sections = [overall]
    for i, (name, group) in enumerate(groups.items()):
        number = NUMERALS[i] if i < len(NUMERALS) else f"{i + 2}"
        sections.append(_class_section(number, name, settings.classes[name], group, weights))
    return sections
