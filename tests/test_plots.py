"""Plots: real PNG and SVG files from matplotlib, and the CLI that writes them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import Cli, without_clock_notice
from tests.factories import make_project
from tests.test_text_safety import EMPTY_FONTCONFIG
from workflow.check.actions import run_check
from workflow.core.context import AppContext
from workflow.projects.plans import PlanRow
from workflow.projects.reports import submit
from workflow.reporting.periodic import progress_curve_data
from workflow.reporting.plots import flag_counts, lag_by_category, progress_curve

PNG = b"\x89PNG\r\n\x1a\n"
YEAR = [PlanRow("全年任务", date(2027, 1, 1), date(2027, 12, 31), 1)]


def test_the_progress_curve_runs_from_0_to_100_percent_with_one_point_per_report(
    ctx: AppContext,
) -> None:
    project_id = make_project(ctx, plan=YEAR, title="曲线项目")
    submit(ctx, project_id, date(2027, 3, 31), {"全年任务": 20})
    curve = progress_curve_data(ctx, project_id)
    title, days, planned, points = curve.title, curve.days, curve.planned, curve.points
    assert title == f"项目#{project_id} 曲线项目"
    assert (days[0], days[-1], planned[0], planned[-1]) == (
        date(2027, 1, 1), date(2027, 12, 31), 0.0, 100.0,
    )  # fmt: skip
    assert points == [(date(2027, 3, 31), 20.0)]
    assert progress_curve(title, days, planned, points, "png").startswith(PNG)


def test_svg_output_is_an_svg_document() -> None:
    svg = lag_by_category({"高价值专利培育项目": [5.0, 15.0]}, 10, "svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg


def test_flag_counts_are_drawn_for_each_day() -> None:
    png = flag_counts([date(2027, 1, 1), date(2027, 1, 2)], {"green": [2, 1], "red": [0, 1]})
    assert png.startswith(PNG) and len(png) > 5000


def test_the_plot_commands_write_png_and_svg_files(
    ctx: AppContext, ipflow: Cli, tmp_path: Path
) -> None:
    project_id = make_project(ctx, plan=YEAR)
    submit(ctx, project_id, date(2027, 2, 28), {"全年任务": 5})
    for day in (date(2027, 3, 1), date(2027, 3, 2)):
        run_check(ctx, day)
    runs = {
        "p.svg": ("plot", "progress", str(project_id)),
        "f.png": ("plot", "flags", "--from", "2027-03-01", "--to", "2027-03-31"),
        "l.png": ("plot", "lag", "--today", "2027-03-02"),
    }
    for name, args in runs.items():
        result = ipflow(*args, "--output", str(tmp_path / name))
        assert result.exit_code == 0, result.output
    assert (tmp_path / "f.png").read_bytes().startswith(PNG)
    assert b"<svg" in (tmp_path / "p.svg").read_bytes()


def test_plotting_flags_of_days_never_checked_is_refused(ipflow: Cli, tmp_path: Path) -> None:
    result = ipflow("plot", "flags", "--from", "2027-01-01", "--to", "2027-01-31",
                    "--output", str(tmp_path / "f.png"))  # fmt: skip
    assert result.exit_code == 1 and "没有检查记录" in result.output


def test_a_chart_is_refused_without_a_chinese_font_naming_the_package(
    ctx: AppContext, ipflow: Cli, tmp_path: Path
) -> None:
    project_id = make_project(ctx, plan=YEAR)
    submit(ctx, project_id, date(2027, 2, 28), {"全年任务": 5})
    for day in (date(2027, 3, 1), date(2027, 3, 2)):
        run_check(ctx, day)
    conf = tmp_path / "fonts.conf"  # a fontconfig that knows no font, as on a bare host
    conf.write_text(EMPTY_FONTCONFIG, encoding="utf-8")
    bare = {"FONTCONFIG_FILE": str(conf)}
    runs = {
        "p.svg": ("plot", "progress", str(project_id)),
        "f.png": ("plot", "flags", "--from", "2027-03-01", "--to", "2027-03-31"),
        "l.png": ("plot", "lag", "--today", "2027-03-02"),
    }

    for name, args in runs.items():
        result = ipflow(*args, "--output", str(tmp_path / name), env=bare)
        message = without_clock_notice(result.stderr)
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert message == (
            "ipflow: 无法作图：本机没有可用的中文字体，生成的文件中将没有中文。"
            "请安装字体包fonts-noto-cjk（Debian/Ubuntu：apt-get install fonts-noto-cjk）后重试"
        )
        assert not (tmp_path / name).exists()
    drawn = ipflow("plot", "lag", "--today", "2027-03-02", "--output", str(tmp_path / "l.png"))
    assert drawn.exit_code == 0 and (tmp_path / "l.png").read_bytes().startswith(PNG)
