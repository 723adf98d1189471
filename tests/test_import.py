"""Importing projects from CSV: every row or none, every bad row reported by file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.conftest import Cli, database_dump
from tests.factories import make_project, register
from workflow.core.context import AppContext
from workflow.core.errors import Refused
from workflow.db.engine import transaction
from workflow.db.orm import PlanTask, Project
from workflow.projects.importing.rows import default_plan_path, import_projects
from workflow.units.actions import add_record

HEADER = "category,title,unit,start,end,budget,contact_email,ref,tier,partners\n"
GOOD_ROWS = (
    "high_value_patent,磷石膏资源化利用高价值专利培育,贵州大学,2027-01-01,2028-12-31,500000,kjc@example.org\n"
    "data_ip_chain,磷化工产业链数据知识产权强链增效,贵阳某大数据科技有限公司,2027-01-01,2027-12-31,300000,\n"
    "patent_navigation,新能源电池及材料产业专利导航,贵州师范大学,2027-01-01,2027-12-31,200000,nav@example.org,,,贵州省工业和信息化厅\n"
)


@pytest.fixture(autouse=True)
def applicants(ctx: AppContext) -> None:
    """The units of the files below that are not enterprises, registered with their kinds."""
    register(ctx, "贵州大学", "university", {"valid_patents": "45"})
    register(ctx, "贵州省工业和信息化厅", "industry_authority")
    register(ctx, "贵州某会计师事务所", "accounting_firm")


PLAN_HEADER = "project,task,start,due,weight\n"


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
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


def test_a_good_file_imports_every_project_with_its_plan(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    projects = write(tmp_path / "projects.csv", HEADER + GOOD_ROWS, bom=True)
    write(
        tmp_path / "projects.plan.csv",
        PLAN_HEADER + "2,存量专利盘点,2027-01-01,2027-06-30,2\n"
        "2,高价值专利布局,2027-03-01,2028-10-31,3\n"
        "3,产业数据摸底,2027-01-01,2027-03-31,\n",
    )

    ids = import_projects(ctx, projects, None)

    assert len(ids) == 3
    assert projects_and_tasks(engine) == {
        "磷石膏资源化利用高价值专利培育": [("存量专利盘点", 2.0), ("高价值专利布局", 3.0)],
        "磷化工产业链数据知识产权强链增效": [("产业数据摸底", 1.0)],
        "新能源电池及材料产业专利导航": [("项目实施", 1.0)],
    }
    with transaction(engine) as session:
        states = session.scalars(select(Project.state).where(Project.id.in_(ids))).all()
    assert states == ["applied"] * 3


def test_plan_rows_may_name_their_project_by_line_or_by_exact_title(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    projects = write(tmp_path / "batch.csv", HEADER + GOOD_ROWS)
    plan = write(
        tmp_path / "tasks.csv",
        PLAN_HEADER + "新能源电池及材料产业专利导航,导航分析,2027-02-01,2027-09-30,1\n"
        "4,成果推送,2027-10-01,2027-12-31,1\n"
        "磷石膏资源化利用高价值专利培育,专利盘点,2027-01-01,2027-06-30,1\n",
    )

    import_projects(ctx, projects, plan)

    tasks = projects_and_tasks(engine)
    assert tasks["新能源电池及材料产业专利导航"] == [("导航分析", 1.0), ("成果推送", 1.0)]
    assert tasks["磷石膏资源化利用高价值专利培育"] == [("专利盘点", 1.0)]


def test_three_bad_rows_are_all_reported_and_the_database_is_unchanged(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    make_project(ctx, title="已有项目")
    before = database_dump(engine)
    projects = write(
        tmp_path / "projects.csv",
        HEADER
        + GOOD_ROWS.splitlines(keepends=True)[0]
        + "no_such_category,类别错误的项目,某单位,2027-01-01,2027-12-31,100000,\n"
        + GOOD_ROWS.splitlines(keepends=True)[1]
        + "data_ip_chain,期限错误的项目,某单位,2027-01-01,2028-12-31,300000,\n"
        + "strong_enterprise,预算错误的项目,某企业,2027-01-01,2027-12-31,-200000,\n",
    )

    message = refusal(ctx, projects)

    assert "projects.csv第3行" in message
    assert "projects.csv第5行" in message
    assert "projects.csv第6行" in message
    assert "第2行" not in message and "第4行" not in message
    assert database_dump(engine) == before


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("high_value_patent,甲,贵州大学,2027-13-01,2028-12-31,500000,", "2027-13-01"),
        ("high_value_patent,甲,贵州大学,2027-06-01,2027-01-01,500000,", "须晚于开始日期"),
        ("gi_brand,甲,某协会,2027-01-01,2027-12-31,500000,", "实施期为2年"),
        ("high_value_patent,甲,贵州大学,2027-01-01,2028-12-31,五十万,", "不是整数元"),
        ("high_value_patent,甲,贵州大学,2027-01-01,2028-12-31,500000.5,", "不是整数元"),
        ("high_value_patent,甲,贵州大学,2027-01-01,2028-12-31,-1,", "不小于0"),
        ("high_value_patent,甲,贵州大学,2027-01-01,2028-12-31,500000,not-an-email", "联系邮箱"),
        ("high_value_patent,甲,贵州大学,2027-01-01,2028-12-31,,", "预算为空"),
    ],
)
def test_a_bad_field_is_reported_with_its_line_and_reason(
    ctx: AppContext, engine: Engine, tmp_path: Path, row: str, reason: str
) -> None:
    projects = write(tmp_path / "p.csv", HEADER + GOOD_ROWS + row + "\n")

    message = refusal(ctx, projects)

    assert "p.csv第5行：" in message
    assert reason in message
    assert len(message.splitlines()) == 2
    assert database_dump(engine)["project"] == []


def test_a_title_repeated_within_the_file_is_reported(ctx: AppContext, tmp_path: Path) -> None:
    first = GOOD_ROWS.splitlines()[0]
    projects = write(tmp_path / "p.csv", HEADER + first + "\n" + first + "\n")

    message = refusal(ctx, projects)

    assert "p.csv第3行：项目名称“磷石膏资源化利用高价值专利培育”与第2行重复" in message


def test_every_bad_plan_row_is_reported(ctx: AppContext, engine: Engine, tmp_path: Path) -> None:
    projects = write(tmp_path / "p.csv", HEADER + GOOD_ROWS)
    write(
        tmp_path / "p.plan.csv",
        PLAN_HEADER + "2,专利盘点,2027-01-01,2027-06-30,1\n"
        "3,超出期限,2027-06-01,2028-03-31,1\n"
        "2,专利盘点,2027-02-01,2027-05-31,1\n"
        "4,零权重,2027-01-01,2027-03-31,0\n"
        "9,无主任务,2027-01-01,2027-03-31,1\n"
        "不存在的项目,无主任务,2027-01-01,2027-03-31,1\n",
    )

    message = refusal(ctx, projects)

    lines = [line for line in message.splitlines() if "p.plan.csv" in line]
    assert [line.split("：")[0] for line in lines] == [
        f"{tmp_path / 'p.plan.csv'}第{n}行" for n in (3, 4, 5, 6, 7)
    ]
    assert "超出项目期限" in lines[0]
    assert "重复" in lines[1]
    assert "权重须大于0" in lines[2]
    assert "“9”不是项目文件中任何项目" in lines[3]
    assert database_dump(engine)["project"] == []


def test_plan_rows_of_a_bad_project_row_are_not_reported_twice(
    ctx: AppContext, tmp_path: Path
) -> None:
    projects = write(tmp_path / "p.csv", HEADER + "bogus,坏项目,某单位,2027-01-01,2027-12-31,1,\n")
    write(tmp_path / "p.plan.csv", PLAN_HEADER + "2,任务,2027-01-01,2027-03-31,1\n")

    message = refusal(ctx, projects)

    assert "p.plan.csv" not in message
    assert "p.csv第2行" in message


def test_restricted_units_and_the_contractors_conflict_are_reported_with_the_rest(
    ctx: AppContext, engine: Engine, tmp_path: Path
) -> None:
    make_project(ctx, unit="被限制的公司", title="旧项目")
    add_record(
        ctx, "被限制的公司", "restricted", date(2027, 1, 1), date(2029, 12, 31), "两次验收不通过"
    )
    before = database_dump(engine)
    projects = write(
        tmp_path / "p.csv",
        HEADER
        + "risk_control,风险防控,贵州某会计师事务所,2027-01-01,2027-12-31,500000,\n"
        + "strong_enterprise,强企培育,贵州某会计师事务所,2027-01-01,2027-12-31,200000,\n"
        + "strong_enterprise,限制期内的申报,被限制的公司,2027-02-01,2027-12-31,200000,\n"
        + "gi_brand,期限错误,某协会,2027-01-01,2027-12-31,500000,\n",
    )

    message = refusal(ctx, projects)

    assert "p.csv第3行：单位“贵州某会计师事务所”不能申报该项目" in message
    assert "p.csv第4行：单位“被限制的公司”处于限制申报期" in message
    assert "p.csv第5行" in message
    assert "p.csv第2行" not in message
    assert database_dump(engine) == before


def test_a_wrong_header_is_reported_once(ctx: AppContext, tmp_path: Path) -> None:
    projects = write(
        tmp_path / "p.csv", "category,title,unit,start,finish,budget\n" + "x,y,z,1,2,3\n"
    )

    message = refusal(ctx, projects)

    assert "p.csv第1行" in message
    assert "缺少 end" in message and "无法识别的列 “finish”" in message


def test_a_missing_xlsx_file_is_refused_in_one_sentence(ctx: AppContext, tmp_path: Path) -> None:
    message = refusal(ctx, tmp_path / "projects.xlsx")

    assert "找不到项目文件" in message
    assert "\n" not in message


def test_a_missing_plan_file_named_explicitly_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    projects = write(tmp_path / "p.csv", HEADER + GOOD_ROWS)

    assert "找不到计划文件" in refusal(ctx, projects, tmp_path / "absent.plan.csv")


def test_the_default_plan_file_sits_beside_the_projects_file() -> None:
    assert default_plan_path(Path("/data/2027.csv")) == Path("/data/2027.plan.csv")
    assert default_plan_path(Path("/data/list.txt")) == Path("/data/list.txt.plan.csv")


def test_the_cli_reports_every_bad_row_on_stderr_and_exits_1(
    ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    before = database_dump(engine)
    projects = write(
        tmp_path / "p.csv",
        HEADER
        + GOOD_ROWS
        + "bogus,类别错误,某单位,2027-01-01,2027-12-31,1,\n"
        + "high_value_patent,日期错误,贵州大学,2027-01-32,2027-12-31,1,\n",
    )

    result = ipflow("project", "import", str(projects))

    assert result.exit_code == 1
    assert "p.csv第5行" in result.stderr and "p.csv第6行" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert database_dump(engine) == before


def test_the_cli_imports_a_good_file_with_json_output(ipflow: Cli, tmp_path: Path) -> None:
    projects = write(tmp_path / "p.csv", HEADER + GOOD_ROWS)
    plan = write(tmp_path / "plan.csv", PLAN_HEADER + "2,专利盘点,2027-01-01,2027-06-30,1\n")

    result = ipflow("project", "import", str(projects), "--plan", str(plan), "--json")

    assert result.exit_code == 0, result.output
    assert '"imported": 3' in result.stdout
