"""capability_city ranking: weighted totals, the tie rule, the seed's tiers and approval in one go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.conftest import Cli, database_dump
from tests.factories import make_project
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import Project
from workflow.db.orm_money import ProjectFunding

CITIES = (
    "贵阳市",
    "遵义市",
    "六盘水市",
    "安顺市",
    "毕节市",
    "铜仁市",
    "黔东南州",
    "黔南州",
    "黔西南州",
    "贵安新区",
)
DIMENSIONS = (
    "patent_use,trademark,gi,data_ip,pledge,promotion,county_support,coordination,deployment"
)


def office(city: str) -> str:
    return f"{city}市场监督管理局（知识产权局）"


def applications(ctx: AppContext) -> dict[str, int]:
    return {
        office(c): make_project(ctx, state="screened", category="capability_city", unit=office(c))
        for c in CITIES
    }


def scores_file(tmp_path: Path, rows: list[tuple[str, list[int]]]) -> str:
    lines = ["unit," + DIMENSIONS] + [f"{u},{','.join(map(str, s))}" for u, s in rows]
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def descending(tmp_path: Path) -> str:
    """Ten offices with totals 90, 81, 72, … so the order is the cities' order above."""
    return scores_file(tmp_path, [(office(c), [10 - i] * 9) for i, c in enumerate(CITIES)])


def test_ten_ranked_applicants_are_funded_by_the_seeds_tiers_630_wan_not_720(
    ctx: AppContext, ipflow: Cli, tmp_path: Path
) -> None:
    ids = applications(ctx)
    result = ipflow("city", "rank", "--year", "2027", "--scores", descending(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["amount"] for r in rows] == [
        2_000_000,
        1_000_000,
        1_000_000,
        500_000,
        500_000,
        500_000,
        200_000,
        200_000,
        200_000,
        200_000,
    ]
    # 200 + 2×100 + 3×50 + 4×20 = 630万: the seed's own tiers. The "720万" does not
    # add up; the seed is the fact (SPEC.md, preamble).
    assert sum(r["amount"] for r in rows) == 6_300_000
    assert [r["unit"] for r in rows] == [office(c) for c in CITIES]
    assert [r["rank"] for r in rows] == list(range(1, 11))
    assert rows[0] == {
        "unit": office("贵阳市"),
        "project_id": ids[office("贵阳市")],
        "total": 90.0,
        "rank": 1,
        "amount": 2_000_000,
    }


def test_approving_the_ranking_approves_all_ten_with_their_amounts(
    ctx: AppContext, ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    applications(ctx)
    result = ipflow("city", "rank", "--year", "2027", "--scores", descending(tmp_path), "--approve")
    assert result.exit_code == 0, result.output
    with transaction(engine) as session:
        states = set(session.scalars(select(Project.state)).all())
        committed = session.scalars(select(ProjectFunding.committed)).all()
    assert states == {"approved"}
    assert sum(committed) == 6_300_000


def test_a_ranking_that_fails_midway_approves_none_of_them(
    ctx: AppContext, ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    from workflow.units.actions import add_record

    applications(ctx)
    add_record(ctx, office("黔西南州"), "penalty", ctx.today(), None, "行政处罚")
    before = database_dump(engine)
    result = ipflow("city", "rank", "--year", "2027", "--scores", descending(tmp_path), "--approve")
    assert result.exit_code == 1 and "行政处罚" in result.output
    assert database_dump(engine) == before


def test_weights_from_the_configuration_change_the_totals(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    applications(ctx)
    config = tmp_path / "ipflow.toml"
    config.write_text("[rules]\ncity_weights = { patent_use = 2.5 }\n", encoding="utf-8")
    rows = [(office(c), [10 - i] * 9) for i, c in enumerate(CITIES)]
    rows[9] = (office("贵安新区"), [100, 0, 0, 0, 0, 0, 0, 0, 0])
    from click.testing import CliRunner

    from cli import cli

    result = CliRunner().invoke(
        cli,
        [
            "--db",
            db_url,
            "--config",
            str(config),
            "city",
            "rank",
            "--year",
            "2027",
            "--scores",
            scores_file(tmp_path, rows),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    top = json.loads(result.stdout)[0]
    assert (top["unit"], top["total"]) == (office("贵安新区"), 250.0)


def test_equal_totals_are_ordered_by_the_first_dimension_that_differs(
    ctx: AppContext, ipflow: Cli, tmp_path: Path
) -> None:
    applications(ctx)
    rows = [(office(c), [10 - i] * 9) for i, c in enumerate(CITIES)]
    rows[0] = (office("贵阳市"), [5, 15, 10, 10, 10, 10, 10, 10, 10])  # total 90
    rows[1] = (office("遵义市"), [6, 14, 10, 10, 10, 10, 10, 10, 10])  # total 90, more patent use
    result = ipflow(
        "city", "rank", "--year", "2027", "--scores", scores_file(tmp_path, rows), "--json"
    )
    ranked = json.loads(result.stdout)
    assert [r["unit"] for r in ranked[:2]] == [office("遵义市"), office("贵阳市")]
    assert [r["total"] for r in ranked[:2]] == [90.0, 90.0]


def test_applicants_equal_on_every_dimension_are_refused_for_the_panel_to_decide(
    ctx: AppContext, ipflow: Cli, engine: Engine, tmp_path: Path
) -> None:
    applications(ctx)
    rows = [(office(c), [10 - i] * 9) for i, c in enumerate(CITIES)]
    rows[1] = (office("遵义市"), [10] * 9)
    before = database_dump(engine)
    result = ipflow(
        "city", "rank", "--year", "2027", "--scores", scores_file(tmp_path, rows), "--approve"
    )
    assert result.exit_code == 1 and "评审委员会" in result.output
    assert database_dump(engine) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,a\n贵阳,1\n", "表头"),
        (f"unit,{DIMENSIONS}\n{office('贵阳市')},1,2,3\n", "应有10列"),
        (f"unit,{DIMENSIONS}\n{office('贵阳市')},-1,0,0,0,0,0,0,0,0\n", "不小于0"),
        (f"unit,{DIMENSIONS}\n某市,1,1,1,1,1,1,1,1,1\n", "没有2027年度已初审"),
        (f"unit,{DIMENSIONS}\n{office('贵阳市')},1,1,1,1,1,1,1,1,1\n", "没有评分"),
    ],
)
def test_a_bad_scores_file_is_refused_naming_the_problem(
    ctx: AppContext, ipflow: Cli, engine: Engine, tmp_path: Path, content: str, message: str
) -> None:
    applications(ctx)
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = database_dump(engine)
    result = ipflow("city", "rank", "--year", "2027", "--scores", str(path), "--approve")
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert database_dump(engine) == before


def test_a_capability_city_project_cannot_be_approved_on_its_own(
    ctx: AppContext, ipflow: Cli
) -> None:
    ids = applications(ctx)
    result = ipflow("project", "advance", str(ids[office("贵阳市")]), "approve")
    assert result.exit_code == 1 and "city rank" in result.output
