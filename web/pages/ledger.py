"""The contractor's desk: the ledger with filters and its xlsx, the flag trend, periodic reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from web.pages.forms import form_date, refusal_status
from web.templating import render
from web.visitors import PageVisitor, State
from workflow.core.errors import Refused

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIODIC_KINDS = (
    ("quarterly", "2027Q3"),
    ("fund-use", "2027H1"),
    ("risk", "2027H1"),
    ("fund-summary", "2027H1"),
    ("performance", "2027"),
)
"""The kinds of `ipflow report periodic` and how each writes its period."""


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/ledger")
def ledger_page(
    request: Request,
    visitor: PageVisitor,
    state: State,
    day: Annotated[str, Query(max_length=40)] = "",
    category: str | None = None,
    flag: Annotated[str | None, Query(pattern="^(green|amber|red|none)?$")] = None,
) -> Response:
    """The ledger of a day (today by default) as the latest check on or before it recorded."""
    from states.categories import CATEGORIES, MONITORED
    from workflow.core.i18n import _
    from workflow.reporting.ledger import ledger_view

    ctx = state.acting(visitor)
    values: dict[str, Any] = {
        "visitor": visitor,
        "day": day,
        "category": category or "",
        "flag": flag or "",
        "categories": {code: CATEGORIES[code] for code in CATEGORIES if code in MONITORED},
    }
    try:
        view = ledger_view(
            ctx, form_date(day, _("台账日期"), ctx.today()), category or None, flag or None
        )
    except Refused as refused:
        status = refusal_status(refused)
        return render(request, "ledger.html", status, view=None, error=str(refused), **values)
    return render(request, "ledger.html", view=view, **values)


@router.get("/ledger.xlsx")
def ledger_xlsx(
    visitor: PageVisitor, state: State, day: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    """The whole ledger of the day as `ipflow ledger export --format xlsx` writes it."""
    from workflow.core.i18n import _
    from workflow.reporting.ledger import export_ledger

    ctx = state.acting(visitor)
    on = form_date(day, _("台账日期"), ctx.today())
    found = export_ledger(ctx, "xlsx", on)
    return _attachment(found.content, XLSX, f"进度台账-{on.isoformat()}.xlsx")


@router.get("/trend")
def trend_page(
    request: Request,
    visitor: PageVisitor,
    state: State,
    first: Annotated[str, Query(max_length=40)] = "",
    last: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """How many monitored projects carried each flag on each checked day (90 days by default)."""
    from workflow.core.i18n import _
    from workflow.reporting.periodic import flag_series

    ctx = state.acting(visitor)
    values: dict[str, Any] = {"visitor": visitor, "first": first, "last": last}
    try:
        until = form_date(last, _("截止日期"), ctx.today())
        since = form_date(first, _("起始日期"), until - timedelta(days=90))
        if since > until:
            raise Refused(_("起始日期{first}晚于截止日期{last}").format(first=since, last=until))
        series = flag_series(ctx, since, until)
    except Refused as refused:
        status = refusal_status(refused)
        return render(request, "trend.html", status, series=None, error=str(refused), **values)
    return render(
        request, "trend.html", series=series, chart=_chart(series.days, series.counts), **values
    )


@dataclass(frozen=True)
class Bar:
    """One flag's part of one day's stacked bar."""

    x: float
    y: float
    width: float
    height: float
    flag: str
    count: int
    day: date


@dataclass(frozen=True)
class Chart:
    """Stacked bars of the flag counts, in the coordinates an inline SVG draws (no script)."""

    width: int
    height: int
    left: int
    base: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]
    """(y, count) of the horizontal grid lines."""
    labels: list[tuple[float, date]]
    """(x, day) of the days named under the bars."""


def _chart(days: list[date], counts: dict[str, list[int]]) -> Chart:
    width, height, left, base, top = 720, 240, 36, 216, 8
    plot_w, plot_h = width - left - 8, base - top
    totals = [sum(c[i] for c in counts.values()) for i in range(len(days))]
    tallest = max(totals, default=0) or 1
    step = plot_w / max(len(days), 1)
    bar = max(min(step * 0.7, 28), 2)
    bars = []
    for i, day in enumerate(days):
        y = float(base)
        for flag in ("green", "amber", "red"):
            n = counts[flag][i]
            h = plot_h * n / tallest
            y -= h
            if n:
                bars.append(Bar(left + i * step + (step - bar) / 2, y, bar, h, flag, n, day))
    ticks = [(base - plot_h * k / 4, round(tallest * k / 4)) for k in range(5)]
    every = max(len(days) // 8, 1)
    labels = [(left + i * step + step / 2, d) for i, d in enumerate(days) if i % every == 0]
    return Chart(width, height, left, base, bars, ticks, labels)


@router.get("/periodic")
def periodic_page(request: Request, visitor: PageVisitor) -> Response:
    """The form of the contractor's periodic reports (SPEC.md §8), for the roles that may
    write them."""
    from workflow.access.rules import allowed
    from workflow.core.errors import Forbidden
    from workflow.core.i18n import _

    if not allowed(visitor.role, "report_periodic"):
        raise Forbidden(_("您的角色不能生成定期报告"))
    return render(request, "periodic.html", visitor=visitor, kinds=PERIODIC_KINDS)


@router.get("/periodic/report")
def periodic_report(
    request: Request,
    visitor: PageVisitor,
    state: State,
    kind: Annotated[str, Query(max_length=20)] = "",
    period: Annotated[str, Query(max_length=20)] = "",
    fmt: Annotated[str, Query(alias="format", pattern="^(html|pdf)$")] = "html",
) -> Response:
    """A periodic report as `ipflow report periodic --kind --period --format` writes it."""
    from workflow.reporting.periodic import render_report

    try:
        document = render_report(state.acting(visitor), kind, period.strip(), fmt)
    except Refused as refused:
        status = refusal_status(refused)
        values = {"kind": kind, "period": period, "fmt": fmt}
        return render(
            request,
            "periodic.html",
            status,
            visitor=visitor,
            kinds=PERIODIC_KINDS,
            error=str(refused),
            form=values,
        )
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return _attachment(document, media, f"{kind}-{period.strip()}.{fmt}")
