"""Importing projects from an xlsx workbook: every row or none, bad rows named by sheet and row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from tests.conftest import Cli, database_dump
from tests.factories import make_project, register
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm import PlanTask, Project
from workflow.projects.importing.rows import import_projects
from workflow.projects.importing.xlsx import cell_text

PROJECT_HEADER = ["category", "title", "unit", "start", "end", "budget", "contact_email"]
PLAN_HEADER = ["project", "task", "start", "due", "weight"]


@pytest.fixture(autouse=True)
def applicants(ctx: AppContext) -> None:
    """The units of the workbooks below that are not enterprises, registered with their kinds."""
    register(ctx, "贵州大学", "university", {"valid_patents": "45"})
    register(ctx, "贵州某会计师事务所", "accounting_firm")


# Real cell types, as Excel stores them: dates as datetimes, money as numbers.
TYPED_PROJECTS: list[list[Any]] = [
    [
        "high_value_patent",
        "磷石膏资源化利用高价值专利培育",
        "贵州大学",
        datetime(2027, 1, 1),
        datetime(2028, 12, 31),
        500000,
        "kjc@example.org",
    ],
    [
        "data_ip_chain",
        "磷化工产业链数据知识产权强链增效",
        "贵阳某大数据科技有限公司",
        date(2027, 1, 1),
        date(2027, 12, 31),
        300000.0,
        None,
    ],
]
TYPED_PLAN: list[list[Any]] = [
    [2, "存量专利盘点", datetime(2027, 1, 1), datetime(2027, 6, 30), 2],
    [2.0, "高价值专利布局", datetime(2027, 3, 1), datetime(2028, 10, 31), 3.5],
    ["磷化工产业链数据知识产权强链增效", "产业数据摸底", date(2027, 1, 1), date(2027, 3, 31), None],
]


def workbook(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """Write an xlsx file with openpyxl, one sheet per entry, in order."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def projects_and_tasks(engine: Engine) -> dict[str, list[tuple[str, float]]]:
    """Each project's title with its plan tasks (name, weight) in plan order."""
    with transaction(engine) as session:
        rows = session.execute(
            select(Project.title, PlanTask.name, PlanTask.weight)
            .join(PlanTask, PlanTask.project_id == Project.id)
            .order_by(Project.id, PlanTask.seq)
        ).all()
    found: dict[str, list[tuple[str, float]]] = {}
    for title, task, weight in rows:
        found.setdefault(title, []).append((task, weight))
    return found


def refusal(ctx: AppContext, path: Path, plan: Path | None = None) -> str:
    with pytest.raises(Refused) as caught:
        import_projects(ctx, path, plan)
    return str(caught.value)


def test_a_workbook_with_real_dates_and_numbers_imports_every_project_with_its_plan(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "2027申报.xlsx",
        {"projects": [PROJECT_HEADER, *TYPED_PROJECTS], "plan": [PLAN_HEADER, *TYPED_PLAN]},
    )

    ids = import_projects(ctx, path, None)

    assert len(ids) == 2
    assert projects_and_tasks(engine) == {
        "磷石膏资源化利用高价值专利培育": [("存量专利盘点", 2.0), ("高价值专利布局", 3.5)],
        "磷化工产业链数据知识产权强链增效": [("产业数据摸底", 1.0)],
    }
    with transaction(engine) as session:
        stored = session.execute(
            select(Project.start, Project.end, Project.budget, Project.contact_email)
            .where(Project.id.in_(ids))
            .order_by(Project.id)
        ).all()
    assert [tuple(r) for r in stored] == [
        (date(2027, 1, 1), date(2028, 12, 31), 500000, "kjc@example.org"),
        (date(2027, 1, 1), date(2027, 12, 31), 300000, None),
    ]


def test_chinese_sheet_names_and_text_cells_are_read_like_a_csv_file(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    text_rows = [[cell_text(v) for v in row] for row in TYPED_PROJECTS]
    text_plan = [["2", "专利盘点", "2027-01-01", "2027-06-30", "1"]]
    path = workbook(
        tmp_path / "p.xlsx",
        {
            "说明": [["本工作簿供导入"]],
            "计划": [PLAN_HEADER, *text_plan],
            "项目": [PROJECT_HEADER, *text_rows],
        },
    )

    ids = import_projects(ctx, path, None)

    assert len(ids) == 2
    assert projects_and_tasks(engine)["磷石膏资源化利用高价值专利培育"] == [("专利盘点", 1.0)]


def test_without_a_named_projects_sheet_the_first_sheet_other_than_the_plan_is_read(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "p.xlsx",
        {"Plan": [PLAN_HEADER, TYPED_PLAN[0]], "Sheet1": [PROJECT_HEADER, TYPED_PROJECTS[0]]},
    )

    import_projects(ctx, path, None)

    assert projects_and_tasks(engine) == {"磷石膏资源化利用高价值专利培育": [("存量专利盘点", 2.0)]}


def test_every_bad_row_of_both_sheets_is_reported_by_sheet_and_row_and_nothing_is_written(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    make_project(ctx, title="已有项目")
    before = database_dump(engine)
    path = workbook(
        tmp_path / "p.xlsx",
        {
            "projects": [
                PROJECT_HEADER,
                TYPED_PROJECTS[0],
                ["no_such_category", "类别错误", "某单位", date(2027, 1, 1), date(2027, 12, 31), 1],
                TYPED_PROJECTS[1],
                [
                    "strong_enterprise",
                    "小数预算",
                    "某企业",
                    date(2027, 1, 1),
                    date(2027, 12, 31),
                    200000.5,
                ],
                [
                    "strong_enterprise",
                    "带时刻的日期",
                    "某企业",
                    datetime(2027, 1, 1, 9, 30),
                    date(2027, 12, 31),
                    200000,
                ],
                [None] * 7,
                [
                    "strong_enterprise",
                    "多一列",
                    "某企业",
                    date(2027, 1, 1),
                    date(2027, 12, 31),
                    200000,
                    None,
                    "备注",
                ],
            ],
            "plan": [
                PLAN_HEADER,
                [2, "超出期限", date(2027, 6, 1), date(2029, 3, 31), 1],
                [4, "零权重", date(2027, 1, 1), date(2027, 3, 31), 0],
                [99, "无主任务", date(2027, 1, 1), date(2027, 3, 31), 1],
                [3, "坏项目的任务", date(2027, 1, 1), date(2027, 3, 31), 1],
            ],
        },
    )

    message = refusal(ctx, path)

    sheet = f"{path}工作表"
    lines = message.splitlines()[1:]
    assert [line.split("：")[0] for line in lines] == [
        f"{sheet}“projects”第{n}行" for n in (8, 3, 5, 6)
    ] + [f"{sheet}“plan”第{n}行" for n in (2, 3, 4)]
    assert "多于表头的7列" in lines[0]
    assert "no_such_category" in lines[1]
    assert "预算：金额“200000.5”不是整数元" in lines[2]
    assert "开始日期“2027-01-01 09:30:00”不是日期" in lines[3]
    assert "超出项目期限" in lines[4]
    assert "权重须大于0" in lines[5]
    assert "“99”不是" in lines[6]
    assert database_dump(engine) == before


def test_a_wrong_header_names_the_sheet_and_its_first_row(ctx: AppContext, tmp_path: Path) -> None:
    header = ["category", "title", "unit", "start", "finish", "budget"]
    path = workbook(tmp_path / "p.xlsx", {"项目": [header, TYPED_PROJECTS[0][:6]]})

    message = refusal(ctx, path)

    assert f"{path}工作表“项目”第1行" in message
    assert "缺少 end" in message and "无法识别的列 “finish”" in message


def test_the_database_rules_are_checked_for_sheet_rows_too(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    before = database_dump(engine)
    path = workbook(
        tmp_path / "p.xlsx",
        {
            "projects": [
                PROJECT_HEADER,
                [
                    "risk_control",
                    "风险防控",
                    "贵州某会计师事务所",
                    date(2027, 1, 1),
                    date(2027, 12, 31),
                    500000,
                ],
                [
                    "strong_enterprise",
                    "强企培育",
                    "贵州某会计师事务所",
                    date(2027, 1, 1),
                    date(2027, 12, 31),
                    200000,
                ],
            ]
        },
    )

    message = refusal(ctx, path)

    assert f"{path}工作表“projects”第3行：单位“贵州某会计师事务所”不能申报该项目" in message
    assert database_dump(engine) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"category,title\n", "不是可读取的xlsx工作簿"), (b"", "不是可读取的xlsx工作簿")],
)
def test_a_file_that_is_no_workbook_is_refused_in_one_sentence(
    ctx: AppContext, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(content)

    message = refusal(ctx, path)

    assert reason in message and "\n" not in message


def test_a_plan_file_beside_a_workbook_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    path = workbook(tmp_path / "p.xlsx", {"projects": [PROJECT_HEADER, TYPED_PROJECTS[0]]})

    assert "不能另用 --plan" in refusal(ctx, path, tmp_path / "p.plan.csv")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (datetime(2027, 3, 31), "2027-03-31"),
        (date(2027, 3, 31), "2027-03-31"),
        (500000.0, "500000"),
        (2.5, "2.5"),
        (7, "7"),
        ("  贵州大学 ", "贵州大学"),
    ],
)
def test_a_cell_reads_as_the_text_a_csv_file_would_hold(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_the_command_imports_a_workbook_and_prints_the_new_ids(ipflow: Cli, tmp_path: Path) -> None:
    path = workbook(tmp_path / "p.xlsx", {"projects": [PROJECT_HEADER, *TYPED_PROJECTS]})

    result = ipflow("project", "import", str(path), "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"imported": 2, "ids": [1, 2]}


def test_the_command_refuses_a_bad_workbook_with_every_row_and_changes_nothing(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "p.xlsx",
        {
            "projects": [
                PROJECT_HEADER,
                TYPED_PROJECTS[0],
                [
                    "high_value_patent",
                    "无预算",
                    "贵州大学",
                    date(2027, 1, 1),
                    date(2028, 12, 31),
                    None,
                ],
            ],
            "plan": [PLAN_HEADER, [2, "任务", date(2026, 1, 1), date(2027, 3, 31), 1]],
        },
    )
    before = database_dump(engine)

    result = ipflow("project", "import", str(path))

    assert result.exit_code == 1
    assert "“projects”第3行：预算为空" in result.stderr
    assert "“plan”第2行" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""
    assert database_dump(engine) == before
