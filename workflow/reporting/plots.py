"""Charts for the contractor's reports (matplotlib): progress curve, flag counts, lag by category."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
FLAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
FLAG_NAMES = {"green": "绿", "amber": "黄", "red": "红"}


CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP"]
"""The Chinese fonts the charts prefer (Debian's fonts-noto-cjk); any other that covers
Chinese follows them."""


def _figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A figure whose text is set in a Chinese font; refused (NoCjkFont) on a host with none,
    where every Chinese label would be blank boxes."""
    from workflow.core.i18n import _
    from workflow.documents.fonts import require_chinese_fonts

    others = [f for f in require_chinese_fonts(_("无法作图")) if f not in CJK_FAMILIES]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    matplotlib.rcParams["font.family"] = [*CJK_FAMILIES, *others, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.hashsalt"] = "ipflow"
    return Figure(figsize=(width, height), dpi=150, layout="constrained")


def _x(days: Sequence[date]) -> Any:
    """Dates as an axis matplotlib understands (numpy day precision)."""
    import numpy

    return numpy.array(days, dtype="datetime64[D]")


def _save(fig: Figure, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"不支持的图片格式“{fmt}”：可用 png 或 svg")
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": "ipflow"}
    fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def progress_curve(
    title: str,
    days: Sequence[date],
    planned: Sequence[float],
    reports: Sequence[tuple[date, float]],
    fmt: str = "png",
) -> bytes:
    """Planned progress over the term as a line, each report's actual progress as a point."""
    fig = _figure()
    ax = fig.subplots()
    ax.plot(_x(days), list(planned), color="#1565c0", label="计划进度")
    if reports:
        xs, ys = zip(*reports, strict=True)
        ax.plot(_x(xs), list(ys), "o--", color="#c62828", label="实际进度（季度报告）")
    ax.set_ylim(0, 105)
    ax.set_ylabel("进度（%）")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    return _save(fig, fmt)


def flag_counts(
    days: Sequence[date], counts: Mapping[str, Sequence[int]], fmt: str = "png", title: str = ""
) -> bytes:
    """How many projects carried each flag on each checked day, stacked."""
    fig = _figure()
    ax = fig.subplots()
    flags = [f for f in ("green", "amber", "red") if f in counts]
    ax.stackplot(
        _x(days),
        *[list(counts[f]) for f in flags],
        labels=[FLAG_NAMES[f] for f in flags],
        colors=[FLAG_COLOURS[f] for f in flags],
        alpha=0.85,
    )
    ax.set_ylabel("项目数")
    ax.set_title(title or "红黄绿预警项目数变化")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return _save(fig, fmt)


def lag_by_category(
    lags: Mapping[str, Sequence[float]], threshold: float, fmt: str = "png", title: str = ""
) -> bytes:
    """Each category's projects' lag as points over the category's mean as a bar."""
    fig = _figure(7.0, max(2.4, 0.45 * len(lags) + 1.2))
    ax = fig.subplots()
    names = list(lags)
    means = [sum(v) / len(v) if v else 0.0 for v in lags.values()]
    ax.barh(names, means, color="#90caf9", label="平均滞后")
    for i, values in enumerate(lags.values()):
        ax.plot(list(values), [i] * len(values), "o", color="#0d47a1", markersize=3)
    ax.axvline(threshold, color="#c62828", linestyle="--", label=f"预警线{threshold:g}")
    ax.invert_yaxis()
    ax.set_xlabel("滞后（百分点）")
    ax.set_title(title or "各类别项目进度滞后")
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, fmt)
