"""Imports read what offices save: WPS and Excel workbooks, GBK files, Chinese headers, values,
dates and money, plan sheets found or refused, limits, hostile files, re-imports and the lock.

Every file here is a real one: workbooks written by openpyxl and then patched as WPS saves
them (their XML rewritten inside the zip), CSV files encoded in GBK or GB18030.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select

from states.categories import CATEGORIES
from states.eligibility import TIERS, UNIT_KINDS
from tests.conftest import NOON, Cli, database_dump, without_clock_notice
from workflow.core.clock import fixed_clock
from workflow.core.codes import code_for, label_keys
from workflow.core.config import Settings
from workflow.core.context import AppContext
from workflow.core.dates import parse_date
from workflow.core.errors import Refused
from workflow.core.money import parse_yuan
from workflow.db.engine import make_engine, transaction
from workflow.db.orm import PlanTask, Project, Unit
from workflow.projects.importing.rows import import_projects
from workflow.units.actions import RECORD_KINDS, add_unit

HEADER = ["category", "title", "unit", "start", "end", "budget", "ref"]
CN_HEADER = ["类别", "项目名称", "承担单位", "开始日期", "结束日期", "申请金额", "申报编号"]
ROWS: list[list[Any]] = [
    ["strong_enterprise", "黔茶品牌强企培育", "贵州湄潭某茶业有限公司", date(2027, 1, 1),
     date(2027, 12, 31), 200000, "2027-QQ-001"],
    ["data_ip_chain", "磷化工产业链数据知识产权强链增效", "贵阳某大数据科技有限公司",
     date(2027, 1, 1), date(2027, 12, 31), 300000, "2027-SJ-001"],
    ["strong_enterprise", "白酒企业知识产权强企培育", "贵州仁怀某酒业有限公司",
     date(2027, 3, 1), date(2028, 2, 29), 200000, "2027-QQ-002"],
]  # fmt: skip
PLAN_HEADER = ["project", "task", "start", "due", "weight"]
PLAN: list[list[Any]] = [
    [2, "商标布局", date(2027, 1, 1), date(2027, 6, 30), 1],
    [2, "贯标认证", date(2027, 7, 1), date(2027, 12, 31), 2],
]


# ---------------------------------------------------------------------------- file builders


def workbook(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """An xlsx file written by openpyxl, one sheet per entry, in order."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def patched(path: Path, changes: dict[str, Callable[[bytes], bytes]]) -> Path:
    """Rewrite entries of the zip `path` in place: each named entry through its function
    (a regular expression pattern instead of a name changes every entry it matches)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            for pattern, change in changes.items():
                if re.fullmatch(pattern, info.filename):
                    data = change(data)
            target.writestr(info, data)
    return path


def dimension(ref: str) -> Callable[[bytes], bytes]:
    """A sheet's declared dimension set to `ref`, as WPS writes `A1` for a whole sheet."""
    return lambda xml: re.sub(
        rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), xml
    )


def declared(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as z:
        return [
            m
            for name in z.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.findall(rb'<dimension ref="[^"]*"', z.read(name))
        ]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    """Every project as (category, title, unit, start, end, budget, ref, tier), in id order."""
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Project.category,
                Project.title,
                Unit.name,
                Project.start,
                Project.end,
                Project.budget,
                Project.ref,
                Project.tier,
            )
            .join(Unit, Unit.id == Project.unit_id)
            .order_by(Project.id)
        ).all()
    return [tuple(r) for r in rows]


def tasks(engine: Engine) -> dict[str, list[tuple[str, date, date, float]]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(Project.title, PlanTask.name, PlanTask.start, PlanTask.due, PlanTask.weight)
            .join(PlanTask, PlanTask.project_id == Project.id)
            .order_by(Project.id, PlanTask.seq)
        ).all()
    found: dict[str, list[tuple[str, date, date, float]]] = {}
    for title, *task in rows:
        found.setdefault(title, []).append(tuple(task))  # type: ignore[arg-type]
    return found


def refused(result: Any) -> str:
    """The one-paragraph refusal of a command that exited 1 with no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""
    return without_clock_notice(result.stderr)


# ---------------------------------------------------------------------------- WPS and Excel


@pytest.mark.parametrize("ref", ["A1", "A1:G2"])
def test_a_workbook_whose_declared_dimension_is_wrong_is_read_whole(
    ipflow: Cli, engine: Engine, tmp_path: Path, ref: str
) -> None:
    path = workbook(tmp_path / "wps.xlsx", {"项目": [HEADER, *ROWS], "计划": [PLAN_HEADER, *PLAN]})
    patched(path, {r"xl/worksheets/sheet\d+\.xml": dimension(ref)})
    assert set(declared(path)) == {f'<dimension ref="{ref}"'.encode()}

    result = ipflow("project", "import", str(path), "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"imported": 3, "ids": [1, 2, 3]}
    assert [r[1] for r in stored(engine)] == [r[1] for r in ROWS]
    assert tasks(engine)["黔茶品牌强企培育"] == [
        ("商标布局", date(2027, 1, 1), date(2027, 6, 30), 1.0),
        ("贯标认证", date(2027, 7, 1), date(2027, 12, 31), 2.0),
    ]


def test_dates_in_a_chinese_format_openpyxl_does_not_know_are_read_as_day_numbers(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    """WPS saves 2027年3月1日 as a number with its built-in format 31, which openpyxl reads as
    the bare number 46447; in a date column it is that day."""
    book = Workbook()
    sheet = book.active
    sheet.title = "项目"
    sheet.append(CN_HEADER)
    sheet.append(["知识产权强企培育项目", "黔茶品牌强企培育", "贵州湄潭某茶业有限公司",
                  datetime(2027, 3, 1), datetime(2028, 2, 29), 200000, "2027-QQ-001"])  # fmt: skip
    for cell in ("D2", "E2"):
        sheet[cell].number_format = 'yyyy"年"m"月"d"日"'
    path = tmp_path / "wps.xlsx"
    book.save(path)

    def builtin_31(xml: bytes) -> bytes:
        custom = re.search(rb'<numFmt numFmtId="(\d+)" formatCode="yyyy&quot;', xml)
        assert custom is not None
        xml = re.sub(rb"<numFmts.*?</numFmts>", b"", xml)
        return xml.replace(b'numFmtId="' + custom.group(1) + b'"', b'numFmtId="31"')

    patched(path, {"xl/styles.xml": builtin_31})

    result = ipflow("project", "import", str(path))

    assert result.exit_code == 0, result.output
    assert stored(engine)[0][3:5] == (date(2027, 3, 1), date(2028, 2, 29))


# ---------------------------------------------------------------------------- encodings


CN_ROWS = [
    [*CN_HEADER, "申报层级"],
    ["知识产权强企培育项目", "黔茶品牌强企培育", "贵州湄潭某茶业有限公司", "2027/3/1",
     "2028年2月29日", "50万", "2027-QQ-001", "基础培育"],
    ["数据知识产权强链增效", "磷化工产业链数据知识产权强链增效", "贵阳某大数据科技有限公司",
     "2027.1.1", "2027-12-31", "￥300,000.00", "2027-SJ-001", ""],
    ["strong_enterprise", "白酒企业知识产权强企培育", "贵州仁怀某酒业有限公司", "46447",
     "2028/2/29", "3.8万元", "2027-QQ-002", "basic"],
]  # fmt: skip
CN_STORED = [
    ("strong_enterprise", "黔茶品牌强企培育", "贵州湄潭某茶业有限公司", date(2027, 3, 1),
     date(2028, 2, 29), 500000, "2027-QQ-001", "basic"),
    ("data_ip_chain", "磷化工产业链数据知识产权强链增效", "贵阳某大数据科技有限公司",
     date(2027, 1, 1), date(2027, 12, 31), 300000, "2027-SJ-001", None),
    ("strong_enterprise", "白酒企业知识产权强企培育", "贵州仁怀某酒业有限公司", date(2027, 3, 1),
     date(2028, 2, 29), 38000, "2027-QQ-002", "basic"),
]  # fmt: skip


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_a_csv_in_gbk_gb18030_or_utf8_with_chinese_headers_and_values_is_imported(
    ipflow: Cli, engine: Engine, tmp_path: Path, encoding: str
) -> None:
    path = write_csv(tmp_path / "申报.csv", CN_ROWS, encoding)
    write_csv(
        tmp_path / "申报.plan.csv",
        [
            ["项目", "任务", "开始", "截止", "权重"],
            ["黔茶品牌强企培育", "商标布局", "2027年3月1日", "2027/6/30", "30%"],
            ["2", "贯标认证", "2027.7.1", "2028-02-29", "70%"],
        ],
        encoding,
    )

    result = ipflow("project", "import", str(path), "--json")

    assert result.exit_code == 0, result.output
    assert stored(engine) == CN_STORED
    assert tasks(engine)["黔茶品牌强企培育"] == [
        ("商标布局", date(2027, 3, 1), date(2027, 6, 30), 0.3),
        ("贯标认证", date(2027, 7, 1), date(2028, 2, 29), 0.7),
    ]


def test_gb18030_characters_beyond_gbk_are_read(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    rows = [HEADER, ["strong_enterprise", "𠮷字号品牌强企培育", "贵州某𠮷商贸有限公司",
                     "2027-01-01", "2027-12-31", "200000", ""]]  # fmt: skip
    with pytest.raises(UnicodeEncodeError):
        "𠮷".encode("gbk")
    path = write_csv(tmp_path / "p.csv", rows, "gb18030")

    result = ipflow("project", "import", str(path))

    assert result.exit_code == 0, result.output
    assert stored(engine)[0][1:3] == ("𠮷字号品牌强企培育", "贵州某𠮷商贸有限公司")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("类别,项目名称\n".encode("utf-16"), "UTF-16编码"),
        ("category,title\ncafé,x\n".encode("latin-1"), "既不是UTF-8也不是GBK/GB18030"),
        (b"category,title\n\x00\x01\x02", "既不是UTF-8也不是GBK/GB18030"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "Excel或WPS工作簿"),
        (b"PK\x03\x04" + bytes(64), "Excel或WPS工作簿"),
    ],
    ids=["utf-16", "latin-1", "binary", "xls", "zip"],
)
def test_a_file_in_another_encoding_is_refused_saying_how_to_save_it(
    ipflow: Cli, engine: Engine, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    before = database_dump(engine)

    message = refused(ipflow("project", "import", str(path)))

    assert reason in message and "\n" not in message
    assert database_dump(engine) == before


# ---------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2027-03-01", date(2027, 3, 1)),
        ("2027-3-1", date(2027, 3, 1)),
        ("2027/3/1", date(2027, 3, 1)),
        ("2027/03/01", date(2027, 3, 1)),
        ("2027.3.1", date(2027, 3, 1)),
        ("2027年3月1日", date(2027, 3, 1)),
        ("２０２７年３月１日", date(2027, 3, 1)),
        (" 2027/3/1 0:00 ", date(2027, 3, 1)),
    ],
)
def test_the_date_forms_offices_write_are_read(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text", ["2027-02-29", "2027/3", "3/1/2027", "2027-3/1", "明年三月", "46447"]
)
def test_other_date_forms_are_refused_naming_the_forms_read(text: str) -> None:
    with pytest.raises(
        ValueError,
        match=re.escape("不是日期（可写作2027-03-01、2027/3/1、2027.3.1、2027年3月1日）"),
    ):
        parse_date(text)


def test_excel_day_numbers_are_dates_in_files_only_and_in_plausible_years() -> None:
    assert parse_date("46447", serials=True) == date(2027, 3, 1)
    assert parse_date("46447.0", serials=True) == date(2027, 3, 1)
    for text in ("2027", "46447.5", "99999"):
        with pytest.raises(ValueError):
            parse_date(text, serials=True)


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("500000", 500000),
        ("500,000", 500000),
        ("50万", 500000),
        ("3.8万", 38000),
        ("50万元", 500000),
        ("500000元", 500000),
        ("¥500,000.00", 500000),
        ("￥500,000.00", 500000),
        ("５０万", 500000),
        ("1.2亿", 120000000),
        ("3.85万", 38500),
    ],
)
def test_the_money_forms_offices_write_are_exact_whole_yuan(text: str, yuan: int) -> None:
    assert parse_yuan(text) == yuan


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3.00001万", "不能有不足一元的零头"),
        ("500000.5", "不能有不足一元的零头"),
        ("¥0.01", "不能有不足一元的零头"),
        ("5,00,000", "不是整数元"),
        ("五十万", "不是整数元"),
        ("1e5", "不是整数元"),
        ("9" * 30, "超出可接受的范围"),
    ],
)
def test_fractions_of_a_yuan_and_other_amounts_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_yuan(text)


def test_a_budget_column_headed_in_wan_reads_bare_numbers_as_wan(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    header = ["类别", "项目名称", "承担单位", "开始日期", "结束日期", "申请金额（万元）"]
    rows = [
        header,
        ["知识产权强企培育项目", "甲", "贵州某甲有限公司", "2027-01-01", "2027-12-31", "20"],
        ["知识产权强企培育项目", "乙", "贵州某乙有限公司", "2027-01-01", "2027-12-31", "3.8"],
        ["知识产权强企培育项目", "丙", "贵州某丙有限公司", "2027-01-01", "2027-12-31", "150000元"],
    ]
    path = write_csv(tmp_path / "p.csv", rows, "gbk")

    result = ipflow("project", "import", str(path))

    assert result.exit_code == 0, result.output
    assert [r[5] for r in stored(engine)] == [200000, 38000, 150000]


def test_the_command_line_reads_the_same_dates_money_and_chinese_codes(
    ipflow: Cli, engine: Engine
) -> None:
    result = ipflow(
        "project", "create", "--category", "知识产权强企培育项目", "--title", "黔茶品牌强企培育",
        "--unit", "贵州湄潭某茶业有限公司", "--start", "2027/3/1", "--end", "2028年2月29日",
        "--budget", "3.8万", "--tier", "基础培育", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert stored(engine) == [
        ("strong_enterprise", "黔茶品牌强企培育", "贵州湄潭某茶业有限公司", date(2027, 3, 1),
         date(2028, 2, 29), 38000, None, "basic"),
    ]  # fmt: skip
    listed = ipflow("project", "list", "--category", "知识产权强企培育", "--json")
    assert [p["id"] for p in json.loads(listed.stdout)] == [1]
    bad = ipflow("project", "advance", "1", "screen", "--amount", "3.00001万")
    assert bad.exit_code == 2 and "不能有不足一元的零头" in bad.stderr


def test_unit_kinds_and_credit_record_kinds_may_be_given_by_their_chinese_names(
    ipflow: Cli,
) -> None:
    assert ipflow("unit", "add", "贵州某大学", "--kind", "高校").exit_code == 0
    assert ipflow("unit", "add", "贵州某协会", "--kind", "行业协会").exit_code == 0
    added = ipflow(
        "unit", "record", "add", "贵州某大学", "--kind", "经营异常", "--start", "2027/3/1",
        "--end", "2027年12月31日",
    )  # fmt: skip
    assert added.exit_code == 0, added.output

    assert json.loads(ipflow("unit", "show", "贵州某大学", "--json").stdout)["kind"] == "university"
    assert (
        json.loads(ipflow("unit", "show", "贵州某协会", "--json").stdout)["kind"] == "association"
    )
    records = json.loads(ipflow("unit", "record", "list", "贵州某大学", "--json").stdout)
    assert [(r["kind"], r["start"], r["end"]) for r in records] == [
        ("abnormal_operation", "2027-03-01", "2027-12-31")
    ]
    unknown = ipflow("unit", "add", "贵州某公司", "--kind", "公司")
    assert unknown.exit_code == 1 and "未知的单位类型“公司”" in unknown.stderr


@pytest.mark.parametrize(
    "labels",
    [
        {code: c.name for code, c in CATEGORIES.items()},
        UNIT_KINDS,
        RECORD_KINDS,
        *TIERS.values(),
    ],
    ids=["categories", "unit_kinds", "record_kinds", *TIERS],
)
def test_every_chinese_name_names_one_code(labels: dict[str, str]) -> None:
    keys = [key for label in labels.values() for key in label_keys(label)]
    assert len(keys) == len(set(keys))
    assert {code_for(label, labels) for label in labels.values()} == set(labels)


# ---------------------------------------------------------------------------- plan sheets


def test_a_plan_on_a_sheet_with_another_name_is_refused_naming_the_sheets(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "p.xlsx", {"Sheet1": [HEADER, *ROWS], "Sheet2": [PLAN_HEADER, *PLAN]}
    )
    before = database_dump(engine)

    message = refused(ipflow("project", "import", str(path)))

    assert "没有名为“计划”的工作表，却还有工作表“Sheet2”" in message
    assert "请将该工作表改名为“计划”" in message and "\n" not in message
    assert database_dump(engine) == before


@pytest.mark.parametrize("name", ["任务清单", "Plan", "实施计划"])
def test_a_plan_sheet_is_found_by_its_name(
    ipflow: Cli, engine: Engine, tmp_path: Path, name: str
) -> None:
    path = workbook(
        tmp_path / "p.xlsx",
        {
            "填表说明": [["每行一个项目"]],
            "Sheet1": [HEADER, *ROWS],
            name: [PLAN_HEADER, *PLAN],
            "Sheet3": [],
        },
    )

    result = ipflow("project", "import", str(path))

    assert result.exit_code == 0, result.output
    assert [t[0] for t in tasks(engine)["黔茶品牌强企培育"]] == ["商标布局", "贯标认证"]


def test_a_hidden_sheet_of_drop_down_choices_is_not_read(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "p.xlsx", {"项目": [HEADER, *ROWS], "选项": [["高价值专利培育项目"]]}
    )
    book = load_workbook(path)
    book["选项"].sheet_state = "hidden"
    book.save(path)

    result = ipflow("project", "import", str(path))

    assert result.exit_code == 0, result.output
    assert len(stored(engine)) == 3


def test_a_sheet_beside_the_projects_and_the_plan_is_refused(ipflow: Cli, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "p.xlsx",
        {"项目": [HEADER, *ROWS], "计划": [PLAN_HEADER, *PLAN], "汇总": [["合计", 3]]},
    )

    message = refused(ipflow("project", "import", str(path)))

    assert "还有工作表“汇总”，无法判断其用途" in message


def test_a_sheet_with_a_title_row_above_its_header_is_read(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "p.xlsx", {"项目": [["2027年度项目申报汇总表"], [], CN_HEADER, *ROWS]}
    )

    result = ipflow("project", "import", str(path))

    assert result.exit_code == 0, result.output
    assert len(stored(engine)) == 3


def test_create_reads_a_plan_from_a_gbk_csv_or_a_workbooks_plan_sheet(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    rows = [["任务", "开始", "截止", "权重"], ["商标布局", "2027/1/1", "2027年6月30日", "1"]]
    plan_csv = write_csv(tmp_path / "计划.csv", rows, "gbk")
    plan_xlsx = workbook(tmp_path / "计划.xlsx", {"说明": [["按月填报"]], "任务清单": rows})
    for n, plan in enumerate((plan_csv, plan_xlsx), start=1):
        result = ipflow(
            "project", "create", "--category", "strong_enterprise", "--title", f"强企{n}",
            "--unit", f"贵州某企业{n}", "--start", "2027-01-01", "--end", "2027-12-31",
            "--budget", "20万", "--plan", str(plan),
        )  # fmt: skip
        assert result.exit_code == 0, result.output

    assert tasks(engine) == {
        f"强企{n}": [("商标布局", date(2027, 1, 1), date(2027, 6, 30), 1.0)] for n in (1, 2)
    }


def test_create_refuses_a_workbook_whose_plan_sheet_cannot_be_told(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    rows = [["task", "start", "due"], ["商标布局", "2027-01-01", "2027-06-30"]]
    plan = workbook(tmp_path / "p.xlsx", {"Sheet1": rows, "Sheet2": rows})
    before = database_dump(engine)

    message = refused(
        ipflow(
            "project",
            "create",
            "--category",
            "strong_enterprise",
            "--title",
            "强企",
            "--unit",
            "贵州某企业",
            "--start",
            "2027-01-01",
            "--end",
            "2027-12-31",
            "--budget",
            "200000",
            "--plan",
            str(plan),
        )
    )

    assert "找不到计划工作表：它的工作表是“Sheet1”、“Sheet2”" in message
    assert database_dump(engine) == before


# ---------------------------------------------------------------------------- limits, hostile files


def config(tmp_path: Path, **limits: int) -> str:
    path = tmp_path / "ipflow.toml"
    path.write_text("[imports]\n" + "".join(f"{k} = {v}\n" for k, v in limits.items()))
    return str(path)


def test_the_default_limits_take_a_programme_and_refuse_a_flood() -> None:
    limits = Settings().imports
    assert (limits.max_bytes, limits.max_rows, limits.max_unpacked_bytes) == (
        64 * 1024 * 1024,
        100_000,
        256 * 1024 * 1024,
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "p.csv", [HEADER, *ROWS])
    before = database_dump(engine)

    message = refused(
        ipflow("--config", config(tmp_path, max_bytes=100), "project", "import", str(path))
    )

    assert "超过导入文件的上限100 B（配置项[imports].max_bytes）" in message
    assert database_dump(engine) == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused(
    ipflow: Cli, engine: Engine, tmp_path: Path, kind: str
) -> None:
    rows = [HEADER, *ROWS]
    path = (
        write_csv(tmp_path / "p.csv", rows)
        if kind == "csv"
        else workbook(tmp_path / "p.xlsx", {"projects": rows})
    )
    before = database_dump(engine)

    message = refused(
        ipflow("--config", config(tmp_path, max_rows=2), "project", "import", str(path))
    )

    assert "超过2行数据，超过导入的上限（配置项[imports].max_rows）" in message
    assert database_dump(engine) == before


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1 MB workbook whose sheet inflates to 1 GiB: a real one, with blanks in its XML."""
    path = workbook(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", {"projects": [HEADER, ROWS[0]]})
    with zipfile.ZipFile(path) as source:
        entries = [(i, source.read(i.filename)) for i in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info, data in entries:
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, data)
                continue
            head, tail = data.split(b"<sheetData>")
            with target.open(info.filename, "w", force_zip64=True) as out:
                out.write(head + b"<sheetData>")
                blank = b" " * (1 << 20)
                for _ in range(1024):
                    out.write(blank)
                out.write(tail)
    assert path.stat().st_size < 2 * 1024 * 1024
    return path


def test_a_workbook_that_inflates_to_a_gibibyte_is_refused_without_inflating_it(
    ctx: AppContext, ipflow: Cli, engine: Engine, zip_bomb: Path
) -> None:
    before = database_dump(engine)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(Refused) as caught:
        import_projects(ctx, zip_bomb, None)
    elapsed = time.perf_counter() - started
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert "解压后有1024 MB，超过上限256 MB（配置项[imports].max_unpacked_bytes）" in str(
        caught.value
    )
    assert peak < 32 * 1024 * 1024 and elapsed < 5
    assert str(caught.value) in refused(ipflow("project", "import", str(zip_bomb)))
    assert database_dump(engine) == before


XXE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)
HOSTILE = {
    # read as the sheet is read: an external entity in a cell, as in XXE attacks
    "external entity": ("xl/worksheets/sheet1.xml", XXE, b"<t>", b"<t>&xxe;"),
    # read when the workbook is opened: entities that expand a thousandfold
    "billion laughs": (
        "xl/workbook.xml",
        LAUGHS,
        b"<workbookPr />",
        b"<workbookPr>&d;</workbookPr>",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_xml_with_entities_is_refused_in_one_sentence(
    ipflow: Cli, engine: Engine, tmp_path: Path, case: str
) -> None:
    entry, doctype, old, new = HOSTILE[case]
    path = workbook(tmp_path / "p.xlsx", {"projects": [HEADER, *ROWS]})
    patched(path, {entry: lambda xml: doctype + xml.replace(old, new, 1)})
    with zipfile.ZipFile(path) as z:
        assert z.read(entry).startswith(doctype) and new in z.read(entry)
    before = database_dump(engine)

    message = refused(ipflow("project", "import", str(path)))

    assert "含有XML实体或外部引用" in message and "\n" not in message
    assert "root:" not in message
    assert database_dump(engine) == before


# ---------------------------------------------------------------------------- twice


def test_importing_the_same_workbook_twice_is_refused_naming_the_first_imports_projects(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "p.xlsx", {"项目": [HEADER, *ROWS], "计划": [PLAN_HEADER, *PLAN]})
    assert ipflow("project", "import", str(path)).exit_code == 0
    before = database_dump(engine)

    message = refused(ipflow("project", "import", str(path)))

    lines = message.splitlines()
    assert lines[0].endswith("共发现3处问题：")
    assert lines[1].endswith(
        "第2行：申报编号“2027-QQ-001”已被项目#1“黔茶品牌强企培育”使用：该申请此前已导入或创建，不能重复导入"
    )
    assert "第4行：申报编号“2027-QQ-002”已被项目#3" in lines[3]
    assert database_dump(engine) == before


def test_rows_without_a_ref_are_the_same_application_by_unit_title_and_start(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    rows = [HEADER[:6], *(r[:6] for r in ROWS)]
    first = write_csv(tmp_path / "first.csv", rows)
    assert ipflow("project", "import", str(first)).exit_code == 0
    before = database_dump(engine)
    again = write_csv(
        tmp_path / "again.csv", [rows[0], rows[2], [*rows[3][:3], "2027-04-01", *rows[3][4:]]]
    )

    message = refused(ipflow("project", "import", str(again)))

    assert (
        "第2行：单位“贵阳某大数据科技有限公司”开始日期为2027-01-01的项目“磷化工产业链数据知识产权强链增效”已有项目#2"
        in message
    )
    assert "第3行" not in message  # another start: another application
    assert database_dump(engine) == before
    renumbered = write_csv(
        tmp_path / "renumbered.csv", [[*rows[0], "ref"], [*rows[2], "2027-SJ-009"]]
    )
    assert ipflow("project", "import", str(renumbered)).exit_code == 0


def test_a_refusal_lists_a_hundred_problems_and_counts_the_rest(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "p.csv", many_rows(150))
    import_projects(ctx, path, None)

    with pytest.raises(Refused) as caught:
        import_projects(ctx, path, None)

    lines = str(caught.value).splitlines()
    assert lines[0] == "导入未执行，数据库未作任何修改；共发现150处问题："
    assert len(lines) == 1 + 100 + 1 and lines[-1] == "……另有50处问题未列出"
    assert lines[100].endswith(
        "已被项目#100“批量项目00099”使用：该申请此前已导入或创建，不能重复导入"
    )


# ---------------------------------------------------------------------------- the lock


def many_rows(n: int, prefix: str = "批量") -> list[list[str]]:
    return [HEADER] + [
        ["strong_enterprise", f"{prefix}项目{k:05d}", f"{prefix}单位{k:05d}", "2027-01-01",
         "2027-12-31", "200000", f"{prefix}-{k:05d}"]
        for k in range(n)
    ]  # fmt: skip


def test_a_write_during_a_long_import_is_not_kept_waiting_and_both_are_kept(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "p.csv", many_rows(1500))
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["ids"] = import_projects(ctx, path, None)

    importing = threading.Thread(target=run)
    importing.start()
    time.sleep(0.5)
    add_unit(ctx, "导入期间登记的单位", "university", None, {})
    still_importing = importing.is_alive()
    importing.join()

    assert still_importing
    assert len(outcome["ids"]) == 1500
    with transaction(engine) as session:
        assert (
            session.scalar(select(Unit.kind).where(Unit.name == "导入期间登记的单位"))
            == "university"
        )
        assert session.query(Project).count() == 1500


def test_an_import_whose_database_keeps_changing_is_refused_and_writes_nothing(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """SQLite only: there the import is rehearsed on a copy and written if nothing changed."""
    database = tmp_path / "ipflow.db"
    shutil.copy(sqlite_template, database)
    engine = make_engine(f"sqlite:///{database}")
    ctx = AppContext(engine, Settings(), fixed_clock(NOON), "tester")
    path = write_csv(tmp_path / "p.csv", many_rows(400))
    writing = threading.Event()

    def keep_writing() -> None:
        connection = sqlite3.connect(database, timeout=30)
        n = 0
        while not writing.is_set():
            with connection:
                connection.execute(
                    "INSERT INTO unit (name, kind, created_at) VALUES (?, 'enterprise', '2027-04-15')",
                    (f"并发单位{n}",),
                )
            n += 1
            time.sleep(0.02)
        connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        with pytest.raises(Refused, match="数据库在校验期间被其他操作修改了3次，本次操作未执行"):
            import_projects(ctx, path, None)
    finally:
        writing.set()
        writer.join()

    assert stored(engine) == []
    engine.dispose()


def test_each_office_file_is_read_as_the_same_rows_in_both_databases(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    """The same rows from a GBK CSV and from a WPS workbook: the first import takes them, the
    second, from the other file, is refused as a re-import."""
    csv_path = write_csv(tmp_path / "p.csv", CN_ROWS, "gbk")
    book = workbook(tmp_path / "p.xlsx", {"项目": CN_ROWS})
    patched(book, {r"xl/worksheets/sheet\d+\.xml": dimension("A1")})

    import_projects(ctx, csv_path, None)
    with pytest.raises(Refused, match="共发现3处问题"):
        import_projects(ctx, book, None)

    assert stored(engine) == CN_STORED
