"""The contractor's periodic reports (SPEC.md §8): their data, plots and HTML/PDF rendering.

Every report covers the monitored categories only (`states.categories.MONITORED`): patent
navigation, securitisation and the risk-control project itself are outside the contractor's
scope, whoever asks for the report.
"""

from __future__ import annotations

import base64
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from states.categories import CATEGORIES, MONITORED
from states.definitions import ACTIVE_STATES
from workflow.check.rules import FLAG_LABELS
from workflow.core.boundary import Work, use_case
from workflow.core.context import AppContext
from workflow.core.errors import NotFound, Refused
from workflow.core.i18n import N_, _
from workflow.core.limits import year_problem
from workflow.core.results import Result
from workflow.db.orm import LedgerSnapshot, Letter, PlanTask, Project, Report, ReportDue, Unit
from workflow.db.orm_money import Expenditure, FinalAccount
from workflow.db.orm_review import RectificationPlan
from workflow.documents.render import chinese_date, render
from workflow.letters.rules import STATUSES
from workflow.money.budget import MISUSE
from workflow.money.figures import MoneyFigures, total
from workflow.money.reviews import BudgetReviewView, evaluations_in, reviews_in
from workflow.money.rules import BASES, OPINIONS, use_rate
from workflow.progress.rules import TaskProgress, progress
from workflow.reporting import plots
from workflow.reporting.history import period_scope
from workflow.reporting.ledger import LedgerRow, ledger_rows, project_rows
from workflow.risks.actions import risks_of_period
from workflow.risks.rules import CLOSED, LEVELS
from workflow.risks.rules import STATUSES as RISK_STATUSES

KINDS = {
    "quarterly": ("Q", N_("项目任务执行季度报告")),
    "fund-use": ("H", N_("项目资金使用监管报告")),
    "risk": ("H", N_("项目风险评估报告")),
    "performance": ("Y", N_("项目绩效评价报告")),
    "fund-summary": ("H", N_("资金总结评价报告")),
}
"""Each report kind: the period it covers (quarter, half-year, year) and its title."""
QUARTERS = "一二三四"


@dataclass(frozen=True)
class Period:
    """A reporting period: a quarter (2027Q3), a half-year (2027H1) or a year (2027)."""

    kind: str
    first: date
    last: date
    label: str


def parse_period(text: str) -> Period:
    """2027Q3 → the third quarter of 2027; 2027H1 → its first half; 2027 → the year."""
    m = re.fullmatch(r"(\d{4})(?:([QqHh])([1-4]))?", text.strip())
    if not m:
        raise Refused(
            _("无法识别的报告期“{text}”：应为 2027Q3、2027H1 或 2027 这样的写法").format(text=text)
        )
    year, unit, n = int(m[1]), (m[2] or "Y").upper(), int(m[3] or 1)
    problem = year_problem(year)
    if problem:
        raise Refused(_("报告期“{text}”：{problem}").format(text=text, problem=problem))
    if unit == "H" and n > 2:
        raise Refused(_("无法识别的报告期“{text}”：半年只有H1和H2").format(text=text))
    months = {"Q": 3, "H": 6, "Y": 12}[unit]
    first = date(year, (n - 1) * months + 1, 1)
    end_month = first.month + months
    last = (date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)) - timedelta(1)
    label = {
        "Q": f"{year}年第{QUARTERS[n - 1]}季度",
        "H": f"{year}年{'上' if n == 1 else '下'}半年",
        "Y": f"{year}年度",
    }[unit]
    return Period(unit, first, last, label)


@dataclass
class Section:
    """One part of a report: a heading, paragraphs, tables and figures, in that order."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, str]] = field(default_factory=list)

    def table(self, caption: str, columns: list[str], rows: list[list[Any]]) -> None:
        """Add a table; cells are shown as given (format numbers before)."""
        self.tables.append({"caption": caption, "columns": columns, "rows": rows})

    def figure(self, caption: str, png: bytes) -> None:
        """Add a PNG picture, embedded in the document."""
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        self.figures.append({"caption": caption, "src": uri})


@dataclass(frozen=True)
class ReportData(Result):
    """Everything the periodic report's template shows."""

    title: str
    period: str
    author: str
    recipient: str
    generated: str
    sections: list[Section]


@dataclass(frozen=True)
class FlagSeries(Result):
    """How many projects carried each flag on each checked day."""

    days: list[date]
    counts: dict[str, list[int]]
    """Per flag (green, amber, red), the count on each of `days`."""


@dataclass(frozen=True)
class LagSeries(Result):
    """Each category's projects' lags in the ledger on a day."""

    lags: dict[str, list[float]]


@dataclass(frozen=True)
class ProgressCurve(Result):
    """A project's planned progress each week of its term and the actual one of each report."""

    title: str
    days: list[date]
    planned: list[float]
    points: list[tuple[date, float]]


def period_rows(session: Session, p: Period, today: date) -> list[LedgerRow]:
    """The monitored projects active at some time in the period up to today, those that ended
    within it included, each in its state at the period's end with its latest snapshot of the
    period."""
    scope = period_scope(session, p.first, min(p.last, today))
    found = session.execute(
        select(Project, Unit.name)
        .join(Unit, Unit.id == Project.unit_id)
        .where(Project.category.in_(MONITORED))
        .order_by(Project.category, Project.id)
    ).tuples()
    return project_rows(
        session,
        p.last,
        [
            (project, unit, scope.snapshots.get(project.id), scope.states[project.id])
            for project, unit in found
            if project.id in scope.states
        ],
    )


def _projects(rows: list[LedgerRow]) -> str:
    """How many projects the report covers, and how many of them ended in the period."""
    ended = sum(r.values["state"] not in ACTIVE_STATES for r in rows)
    return f"报告期内实施项目{len(rows)}个" + (f"（含期内结束的{ended}个）" if ended else "")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _yuan(amount: int) -> str:
    return f"{amount:,}"


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _flag_series(session: Session, first: date, last: date) -> FlagSeries:
    rows = session.execute(
        select(LedgerSnapshot.day, LedgerSnapshot.flag, func.count())
        .join(Project, Project.id == LedgerSnapshot.project_id)
        .where(LedgerSnapshot.day.between(first, last), Project.category.in_(MONITORED))
        .group_by(LedgerSnapshot.day, LedgerSnapshot.flag)
        .order_by(LedgerSnapshot.day)
    ).all()
    days = sorted({r[0] for r in rows})
    index = {d: i for i, d in enumerate(days)}
    counts = {f: [0] * len(days) for f in ("green", "amber", "red")}
    for day, flag, n in rows:
        counts[flag][index[day]] = n
    return FlagSeries(days, counts)


def _lags(rows: list[LedgerRow]) -> dict[str, list[float]]:
    lags: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r.values["lag"] is not None:
            lags[r.values["category_name"]].append(r.values["lag"])
    return dict(lags)


def _figures(
    section: Section, session: Session, ctx: AppContext, p: Period, rows: list[LedgerRow]
) -> None:
    series = _flag_series(session, p.first, p.last)
    if len(series.days) > 1:
        section.figure("图1 红黄绿预警项目数变化", plots.flag_counts(series.days, series.counts))
    lags = _lags(rows)
    if lags:
        section.figure(
            "图2 各类别项目进度滞后（百分点）",
            plots.lag_by_category(lags, ctx.settings.check.lag_warning),
        )


def _by_category(rows: list[LedgerRow]) -> dict[str, list[LedgerRow]]:
    found: dict[str, list[LedgerRow]] = defaultdict(list)
    for r in rows:
        found[r.values["category"]].append(r)
    return dict(sorted(found.items()))


def _flag_line(rows: list[LedgerRow]) -> str:
    flags = Counter(r.flag for r in rows)
    return "、".join(f"{FLAG_LABELS[f]}色{flags.get(f, 0)}个" for f in ("green", "amber", "red"))


def _project_table(section: Section, caption: str, rows: list[LedgerRow]) -> None:
    section.table(
        caption,
        ["编号", "项目名称", "承担单位", "计划进度%", "实际进度%", "滞后", "预警", "最近报告"],
        [
            [
                v["project_id"],
                v["title"],
                v["unit"],
                _pct(v["planned"]),
                _pct(v["actual"]),
                _pct(v["lag"]),
                FLAG_LABELS[v["flag"]] if v["flag"] else "未检查",
                v["last_report"] or "未提交",
            ]
            for v in (r.values for r in rows)
        ],
    )


def _reports_in(
    session: Session, p: Period, rows: list[LedgerRow]
) -> tuple[dict[int, int], dict[int, int]]:
    """Reports due and submitted in the period, per project of the report (a withdrawn or
    rejected project, never active, owes none)."""
    ids = {r.values["project_id"] for r in rows}
    due = dict(
        session.execute(
            select(ReportDue.project_id, func.count())
            .where(ReportDue.due.between(p.first, p.last))
            .group_by(ReportDue.project_id)
        )
        .tuples()
        .all()
    )
    submitted = dict(
        session.execute(
            select(Report.project_id, func.count())
            .where(Report.report_date.between(p.first, p.last))
            .group_by(Report.project_id)
        )
        .tuples()
        .all()
    )
    return (
        {i: n for i, n in due.items() if i in ids},
        {i: n for i, n in submitted.items() if i in ids},
    )


def _letters_in(session: Session, p: Period) -> list[tuple[Letter, str, date | None]]:
    return [
        (letter, title, received)
        for letter, title, received in session.execute(
            select(Letter, Project.title, RectificationPlan.received_on)
            .join(Project, Project.id == Letter.project_id)
            .outerjoin(RectificationPlan, RectificationPlan.letter_id == Letter.id)
            .where(Letter.issued_on.between(p.first, p.last), Project.category.in_(MONITORED))
            .order_by(Letter.issued_on, Letter.id)
        ).tuples()
    ]


def _quarterly(ctx: AppContext, session: Session, p: Period) -> list[Section]:
    rows = period_rows(session, p, ctx.today())
    due, submitted = _reports_in(session, p, rows)
    overview = Section("一、总体情况")
    overview.paragraphs.append(
        f"截至{chinese_date(p.last)}，{_projects(rows)}，其中{_flag_line(rows)}。"
        f"本季度应交季度报告{sum(due.values())}份，实际提交{sum(submitted.values())}份。"
    )
    _figures(overview, session, ctx, p, rows)
    categories = Section("二、分类别执行情况")
    categories.table(
        "表1 分类别任务执行情况",
        ["项目类别", "项目数", "平均计划进度%", "平均实际进度%", "平均滞后", "绿", "黄", "红"],
        [
            [
                CATEGORIES[code].name,
                len(group),
                _pct(
                    _mean([r.values["planned"] for r in group if r.values["planned"] is not None])
                ),
                _pct(_mean([r.values["actual"] for r in group if r.values["actual"] is not None])),
                _pct(_mean([r.values["lag"] for r in group if r.values["lag"] is not None])),
                *(sum(r.flag == f for r in group) for f in ("green", "amber", "red")),
            ]
            for code, group in _by_category(rows).items()
        ],
    )
    details = Section("三、项目任务执行明细")
    _project_table(details, "表2 项目任务执行明细", rows)
    letters = Section("四、进度滞后预警及整改")
    issued = _letters_in(session, p)
    letters.paragraphs.append(f"本季度发出预警告知书{len(issued)}份。")
    if issued:
        letters.table(
            "表3 本季度预警告知书",
            ["文号", "项目", "滞后", "等级", "状态", "整改方案"],
            [
                [
                    le.number,
                    title,
                    _pct(le.lag),
                    FLAG_LABELS.get(le.level, le.level),
                    STATUSES[le.status].label,
                    received or "未收到",
                ]
                for le, title, received in issued
            ],
        )
    return [overview, categories, details, letters]


def _flagged(session: Session, last: date) -> dict[int, int]:
    """Per project, the spending up to `last` that raised a flag (疑点支出)."""
    flagged: dict[int, int] = defaultdict(int)
    for pid, amount, flags in session.execute(
        select(Expenditure.project_id, Expenditure.amount, Expenditure.flags).where(
            Expenditure.day <= last
        )
    ):
        if flags:
            flagged[pid] += amount
    return flagged


MONEY_COLUMNS = [
    "申请金额",
    "核定资助",
    "已拨付",
    "拨付率%",
    "已支出",
    "支出率%",
    "审核认可",
    "已收回",
]
"""The money figures of a fund-use table, rates against the grant (SPEC.md §7)."""


def _money_cells(m: MoneyFigures) -> list[str]:
    return [
        _yuan(m.applied),
        _yuan(m.granted),
        _yuan(m.disbursed),
        _pct(m.disbursed_rate),
        _yuan(m.spent),
        _pct(m.spent_rate),
        _yuan(m.accepted),
        _yuan(m.recovered),
    ]


def _money_of(rows: list[LedgerRow]) -> MoneyFigures:
    return total(r.values["money"] for r in rows)


def _recoveries(session: Session, p: Period) -> list[tuple[FinalAccount, str]]:
    """The final accounts of the period that recovered money, with their projects' titles."""
    return [
        (account, title)
        for account, title in session.execute(
            select(FinalAccount, Project.title)
            .join(Project, Project.id == FinalAccount.project_id)
            .where(
                FinalAccount.day.between(p.first, p.last),
                FinalAccount.clawback > 0,
                Project.category.in_(MONITORED),
            )
            .order_by(FinalAccount.day, FinalAccount.project_id)
        ).tuples()
    ]


def _misuse(session: Session, last: date, rows: list[LedgerRow]) -> list[tuple[Expenditure, str]]:
    """The report's projects' expenditures found to be misuse (违规挪用) by `last`, with titles."""
    titles = {r.values["project_id"]: r.values["title"] for r in rows}
    found = session.scalars(
        select(Expenditure)
        .where(
            Expenditure.review_status == MISUSE,
            Expenditure.day <= last,
            Expenditure.reviewed_on <= last,
        )
        .order_by(Expenditure.reviewed_on, Expenditure.id)
    )
    return [(e, titles[e.project_id]) for e in found if e.project_id in titles]


def _misuse_table(section: Section, caption: str, cases: list[tuple[Expenditure, str]]) -> None:
    section.table(
        caption,
        ["编号", "项目名称", "支出日期", "科目", "金额", "认定日期", "认定意见"],
        [
            [e.project_id, title, e.day, e.line, _yuan(e.amount), e.reviewed_on, e.review_note]
            for e, title in cases
        ],
    )


def _fund_use(ctx: AppContext, session: Session, p: Period) -> list[Section]:
    rows = period_rows(session, p, ctx.today())
    flagged = _flagged(session, p.last)
    money = _money_of(rows)
    overview = Section("一、资金总体情况")
    overview.paragraphs.append(
        f"截至{chinese_date(p.last)}，{_projects(rows)}，申请金额合计{_yuan(money.applied)}元，"
        f"核定资助合计{_yuan(money.granted)}元；已拨付{_yuan(money.disbursed)}元，"
        f"拨付率{_pct(money.disbursed_rate)}%；已支出{_yuan(money.spent)}元，"
        f"支出率{_pct(money.spent_rate)}%，其中审核认可{_yuan(money.accepted)}元；"
        f"已收回{_yuan(money.recovered)}元。拨付率、支出率均以核定资助为基数，不以申请金额计。"
    )
    if not money.disbursed and not money.spent:
        overview.paragraphs.append("本期尚无拨付和支出记录，以下仅列示申请金额和核定资助。")
    cases = _misuse(session, p.last, rows)
    overview.paragraphs.append(
        f"认定为违规挪用的支出{len(cases)}笔，合计{_yuan(sum(e.amount for e, _t in cases))}元"
        + ("，明细见表3。" if cases else "。")
    )
    categories = Section("二、分类别资金使用情况")
    groups = _by_category(rows)
    categories.table(
        "表1 分类别资金使用情况（元）",
        ["项目类别", "项目数", *MONEY_COLUMNS, "疑点支出"],
        [
            *(
                [
                    CATEGORIES[code].name,
                    len(group),
                    *_money_cells(_money_of(group)),
                    _yuan(sum(flagged[r.values["project_id"]] for r in group)),
                ]
                for code, group in groups.items()
            ),
            [
                "合计",
                len(rows),
                *_money_cells(money),
                _yuan(sum(flagged[r.values["project_id"]] for r in rows)),
            ],
        ],
    )
    details = Section("三、项目资金明细")
    details.table(
        "表2 项目资金明细（元）",
        ["编号", "项目名称", *MONEY_COLUMNS, "疑点支出"],
        [
            [
                v["project_id"],
                v["title"],
                *_money_cells(v["money"]),
                _yuan(flagged[v["project_id"]]),
            ]
            for v in (r.values for r in rows)
        ],
    )
    if cases:
        _misuse_table(details, "表3 认定为违规挪用的支出（元）", cases)
    sections = [overview, categories, details]
    sections.append(_recovered(session, p, sections))
    sections.append(_budget_reviews(session, p, sections))
    return sections


def _recovered(session: Session, p: Period, before: list[Section]) -> Section:
    """The money final accounts recovered in the period, whichever projects the tables cover."""
    section = Section("四、资金收回情况")
    number = 1 + sum(len(s.tables) for s in before)
    recoveries = _recoveries(session, p)
    section.paragraphs.append(
        f"本期决算收回资金{len(recoveries)}笔，合计{_yuan(sum(a.clawback for a, _ in recoveries))}元"
        "（收回额＝已拨付－已支出并审核认可）。"
    )
    if recoveries:
        section.table(
            f"表{number} 本期收回资金（元）",
            ["编号", "项目名称", "决算日期", "核定资助", "已拨付", "审核认可支出", "收回金额"],
            [
                [
                    a.project_id,
                    title,
                    a.day,
                    _yuan(a.committed),
                    _yuan(a.disbursed),
                    _yuan(a.spent_accepted),
                    _yuan(a.clawback),
                ]
                for a, title in recoveries
            ],
        )
    return section


def _suggested(review: BudgetReviewView) -> str:
    """The amounts a review suggests, each against the line it changes."""
    return "；".join(
        f"{name} "
        + (
            "新增"
            if name not in review.reviewed_lines
            else f"{_yuan(review.reviewed_lines[name])}→"
        )
        + ("取消" if amount == 0 else _yuan(amount))
        for name, amount in review.suggested_lines.items()
    )


def _budget_reviews(session: Session, p: Period, before: list[Section]) -> Section:
    """The contractor's budget reviews before implementation (事前) recorded in the period."""
    section = Section("五、事前预算审核")
    number = 1 + sum(len(s.tables) for s in before)
    reviews = reviews_in(session, p.first, p.last)
    revise = sum(r.opinion == "revise" for r, _t in reviews)
    section.paragraphs.append(
        f"本期完成事前预算审核{len(reviews)}项，其中同意{len(reviews) - revise}项、"
        f"建议调整{revise}项，提出预算优化建议{sum(len(r.suggestions) for r, _t in reviews)}条。"
    )
    if reviews:
        section.table(
            f"表{number} 事前预算审核意见（元）",
            ["编号", "项目名称", "审核日期", "审核意见", "预算优化建议", "建议调整科目"],
            [
                [
                    r.project_id,
                    title,
                    r.day,
                    OPINIONS[r.opinion],
                    "；".join(f"{n}. {text}" for n, text in enumerate(r.suggestions, 1)) or "—",
                    _suggested(r) or "—",
                ]
                for r, title in reviews
            ],
        )
    return section


def _fund_summary(ctx: AppContext, session: Session, p: Period) -> list[Section]:
    """资金总结评价报告: the fund evaluations (事后) the contractor recorded in the period."""
    found = evaluations_in(session, p.first, p.last)
    evaluations = [e for e, _t in found]
    overview = Section("一、总体情况")
    if not found:
        overview.paragraphs.append("本期没有资金总结评价记录。")
        return [overview]
    final = sum(e.basis == "final" for e in evaluations)
    disbursed, accepted = (
        sum(getattr(e, k) for e in evaluations) for k in ("disbursed", "accepted")
    )
    overview.paragraphs.append(
        f"本期对{len(found)}个项目阶段作出资金总结评价，其中结项决算评价{final}项、"
        f"阶段评价{len(found) - final}项。评价涉及核定资助合计"
        f"{_yuan(sum(e.granted for e in evaluations))}元，已拨付{_yuan(disbursed)}元，"
        f"审核认可支出{_yuan(accepted)}元；结余合计{_yuan(sum(e.balance for e in evaluations))}元，"
        f"其中结转{_yuan(sum(e.carry_over for e in evaluations))}元、"
        f"收回{_yuan(sum(e.recovered for e in evaluations))}元；"
        f"认可支出率{_pct(use_rate(accepted, disbursed))}%（审核认可支出÷已拨付）。"
    )
    figures = Section("二、资金决算与使用效益")
    figures.table(
        "表1 资金决算与使用效益（元）",
        [
            "编号", "项目名称", "评价日期", "评价依据", "核定资助", "已拨付", "审核认可",
            "结余", "结转", "收回", "拨付率%", "认可支出率%",
        ],
        [
            [
                e.project_id, title, e.day, BASES[e.basis], _yuan(e.granted), _yuan(e.disbursed),
                _yuan(e.accepted), _yuan(e.balance), _yuan(e.carry_over), _yuan(e.recovered),
                _pct(e.disbursed_rate), _pct(e.use_rate),
            ]
            for e, title in found
        ],
    )  # fmt: skip
    conclusions = Section("三、评价结论与主要发现")
    conclusions.table(
        "表2 评价结论与主要发现",
        ["编号", "项目名称", "评价结论", "主要发现"],
        [[e.project_id, title, e.conclusion, "；".join(e.findings) or "—"] for e, title in found],
    )
    return [overview, figures, conclusions]


def _risk_points(session: Session, p: Period, today: date) -> Section:
    """The register's points of the period as they stood at its end (or today), by level."""
    section = Section("四、风险点台账")
    last = min(p.last, today)
    points = risks_of_period(session, p.first, last)
    levels = Counter(v.level for v in points)
    closed = Counter(v.level for v in points if v.status == CLOSED)
    section.paragraphs.append(
        f"截至{chinese_date(last)}，本期风险点台账共有风险点{len(points)}个，其中"
        + "、".join(f"{label}风险{levels[code]}个" for code, label in LEVELS.items())
        + f"；已关闭{closed.total()}个，未关闭{len(points) - closed.total()}个。"
    )
    section.table(
        "表3 风险点按等级统计",
        ["风险等级", "风险点数", "未关闭", "已关闭"],
        [
            *(
                [label, levels[code], levels[code] - closed[code], closed[code]]
                for code, label in LEVELS.items()
            ),
            ["合计", len(points), len(points) - closed.total(), closed.total()],
        ],
    )
    if points:
        section.table(
            "表4 风险点台账",
            ["编号", "项目", "风险点", "等级", "责任方", "应对措施", "登记日期", "状态"],
            [
                [
                    v.id,
                    "全局" if v.project_id is None else f"#{v.project_id} {v.title}",
                    v.point,
                    LEVELS[v.level],
                    v.owner,
                    v.action,
                    v.identified_on,
                    RISK_STATUSES[v.status],
                ]
                for v in points
            ],
        )
    return section


def _risk(ctx: AppContext, session: Session, p: Period) -> list[Section]:
    rows = period_rows(session, p, ctx.today())
    overview = Section("一、风险总体情况")
    overview.paragraphs.append(
        f"截至{chinese_date(p.last)}，{_projects(rows)}，其中{_flag_line(rows)}。"
    )
    _figures(overview, session, ctx, p, rows)
    risky = [r for r in rows if r.flag in ("red", "amber")]
    projects = Section("二、红色、黄色预警项目")
    if risky:
        projects.table(
            "表1 预警项目及原因",
            ["编号", "项目名称", "承担单位", "滞后", "预警", "原因"],
            [
                [
                    v["project_id"],
                    v["title"],
                    v["unit"],
                    _pct(v["lag"]),
                    FLAG_LABELS[v["flag"]],
                    v["reasons"],
                ]
                for v in (r.values for r in sorted(risky, key=lambda r: r.flag != "red"))
            ],
        )
    else:
        projects.paragraphs.append("本期末无红色、黄色预警项目。")
    letters = Section("三、预警告知书与整改")
    issued = _letters_in(session, p)
    statuses = Counter(le.status for le, _, _ in issued)
    by_status = "、".join(f"{s.label}{statuses[code]}份" for code, s in STATUSES.items())
    letters.paragraphs.append(
        f"本期发出预警告知书{len(issued)}份，{by_status}；"
        f"收到整改方案{sum(1 for _, _, r in issued if r)}份。"
    )
    if issued:
        letters.table(
            "表2 预警告知书办理情况",
            ["文号", "项目", "发出日期", "滞后", "状态", "整改方案"],
            [
                [
                    le.number,
                    title,
                    le.issued_on,
                    _pct(le.lag),
                    STATUSES[le.status].label,
                    received or "未收到",
                ]
                for le, title, received in issued
            ],
        )
    return [overview, projects, letters, _risk_points(session, p, ctx.today())]


def _performance(ctx: AppContext, session: Session, p: Period) -> list[Section]:
    from workflow.reporting.performance import performance_sections  # it builds on this module

    return performance_sections(ctx, session, p)


BUILDERS = {
    "quarterly": _quarterly,
    "fund-use": _fund_use,
    "risk": _risk,
    "performance": _performance,
    "fund-summary": _fund_summary,
}


def _report_data(work: Work, kind: str, period_text: str) -> ReportData:
    ctx, session = work.ctx, work.session
    if kind not in KINDS:
        raise Refused(
            _("未知的报告类型“{kind}”；可选：{choices}").format(kind=kind, choices=", ".join(KINDS))
        )
    unit, title = KINDS[kind]
    period = parse_period(period_text)
    if period.kind != unit:
        example = {"Q": "2027Q3", "H": "2027H1", "Y": "2027"}[unit]
        raise Refused(
            _("{title}的报告期应写作{example}这样的形式，而不是“{period_text}”").format(
                title=_(title), example=example, period_text=period_text
            )
        )
    if period.first > ctx.today():
        raise Refused(
            _("{label}尚未开始（今天是{today}）：没有尚未开始的报告期的报告").format(
                label=period.label, today=ctx.today()
            )
        )
    sections = BUILDERS[kind](ctx, session, period)
    return ReportData(
        title=f"{period.label}{title}",
        period=f"{chinese_date(period.first)}至{chinese_date(period.last)}",
        author=ctx.settings.letters.contact,
        recipient=ctx.settings.letters.sender,
        generated=chinese_date(ctx.today()),
        sections=sections,
    )


@use_case("report_periodic", write=False)
def build_report(work: Work, kind: str, period_text: str) -> ReportData:
    """Everything the report template shows for `kind` over the period `period_text`."""
    return _report_data(work, kind, period_text)


@use_case("report_periodic", write=False)
def render_report(work: Work, kind: str, period_text: str, fmt: str) -> bytes:
    """The report as HTML (UTF-8) or PDF bytes."""
    if fmt not in ("html", "pdf"):
        raise Refused(_("不支持的格式“{fmt}”：可用 html 或 pdf").format(fmt=fmt))
    html = render("report_periodic.html", vars(_report_data(work, kind, period_text)))
    if fmt == "html":
        return html.encode("utf-8")
    from workflow.documents.pdf import html_to_pdf

    return html_to_pdf(html)


@use_case("chart_project", write=False, subject=("project", "project_id"))
def progress_curve_data(work: Work, project_id: int) -> ProgressCurve:
    """A project's planned progress each week of its term and the actual progress of each report."""
    session = work.session
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(_("没有编号为{project_id}的项目").format(project_id=project_id))
    tasks = session.scalars(select(PlanTask).where(PlanTask.project_id == project_id)).all()
    plain = [TaskProgress(t.start, t.due, t.weight) for t in tasks]
    days = [
        project.start + timedelta(days=d)
        for d in range(0, (project.end - project.start).days + 7, 7)
    ]
    days = [min(d, project.end) for d in days]
    planned = [progress(plain, d, False).planned for d in days]
    points = []
    for report in session.scalars(
        select(Report).where(Report.project_id == project_id).order_by(Report.report_date)
    ):
        done = {i.task_id: i.completion for i in report.items}
        reported = [TaskProgress(t.start, t.due, t.weight, done.get(t.id)) for t in tasks]
        actual = progress(reported, report.report_date, True).actual
        points.append((report.report_date, actual or 0.0))
    return ProgressCurve(f"项目#{project.id} {project.title}", days, planned, points)


@use_case("chart_programme", write=False)
def flag_series(work: Work, first: date, last: date) -> FlagSeries:
    """Flag counts per checked day between `first` and `last`."""
    session = work.session
    return _flag_series(session, first, last)


@use_case("chart_programme", write=False)
def lag_series(work: Work, day: date) -> LagSeries:
    """Each category's projects' lags in the ledger on `day`."""
    session = work.session
    return LagSeries(_lags(ledger_rows(session, day)))
