"""Money caps hold when `ipflow` processes race: exactly what fits is committed or paid, no more.

Each test releases real CLI processes together (tests.racing) against SQLite and PostgreSQL,
and counts who got through: the others are refused with the cap's own reason, never a crash.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.factories import SECURITIZATION_TERMS, make_project, on, register
from tests.racing import Racer, race, racing
from workflow.access.actions import add_user
from workflow.core.context import AppContext
from workflow.db.engine import transaction
from workflow.db.orm import Project
from workflow.db.orm_claims import SubsidyClaim
from workflow.db.orm_money import Disbursement, ProjectFunding
from workflow.money.programme import set_year_budget
from workflow.projects.actions import advance

pytestmark = racing


def tally(db_url: str, what: str, results: list[Racer], refusal: str) -> Counter[str]:
    """Count the racers that won and those refused for `refusal`; print it for the record."""
    counts = Counter(
        "won" if r.code == 0 else "refused" if r.clean_refusal and refusal in r.stderr else "other"
        for r in results
    )
    print(f"{db_url.split(':')[0]} {what}: {dict(counts)}")
    others = [r.stderr for r in results if r.code != 0 and not r.clean_refusal]
    assert not others, others
    return counts


def test_twenty_concurrent_disbursements_pay_exactly_the_commitment(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    project_id = make_project(ctx)  # high_value_patent, 50万 committed
    add_user(ctx, "racer", "admin", None)
    command = ["disburse", str(project_id), "--date", "2027-04-01", "--amount", "100000"]

    [results] = race(db_url, tmp_path, [[[*command, "--stage", f"第{n}期"] for n in range(20)]])

    counts = tally(db_url, "20 × disburse 100000 of 500000", results, "超过项目承诺资助额")
    assert counts == {"won": 5, "refused": 15}
    with transaction(ctx.engine) as session:
        paid = session.scalars(
            select(Disbursement.amount).where(Disbursement.project_id == project_id)
        ).all()
    assert (len(paid), sum(paid)) == (5, 500_000)


def test_ten_concurrent_approvals_commit_only_what_the_year_budget_holds(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    set_year_budget(ctx, 2027, "strong_enterprise", 400_000)  # room for two 20万 grants
    screened = [
        make_project(ctx, state="screened", category="strong_enterprise", unit=f"企业{n}")
        for n in range(10)
    ]
    add_user(ctx, "racer", "admin", None)

    [results] = race(
        db_url, tmp_path, [[["project", "advance", str(p), "approve"] for p in screened]]
    )

    counts = tally(db_url, "10 × approve with room for 2", results, "超出2027年度")
    assert counts == {"won": 2, "refused": 8}
    with transaction(ctx.engine) as session:
        approved = session.scalar(
            select(func.count()).where(Project.id.in_(screened), Project.state == "approved")
        )
        committed = session.scalar(
            select(func.sum(ProjectFunding.committed)).where(
                ProjectFunding.year == 2027, ProjectFunding.category == "strong_enterprise"
            )
        )
    assert (approved, committed) == (2, 400_000)


def _leader_ready_for_award(ctx: AppContext, year: int) -> int:
    """A data_ip_leader project of the one unit, in the library and evaluated again.

    Each evaluation follows a full implementation year: the first in January of year + 1,
    the second in January of year + 2.
    """
    project_id = make_project(
        ctx,
        category="data_ip_leader",
        unit="贵州数据宝",
        title=f"领军{year}",
        start=date(year, 1, 1),
        end=date(year + 2, 12, 31),
    )
    advance(on(ctx, date(year + 1, 1, 5)), project_id, "review")
    advance(on(ctx, date(year + 1, 1, 5)), project_id, "enter_library")
    advance(on(ctx, date(year + 2, 1, 5)), project_id, "review")
    return project_id


def test_concurrent_leader_awards_never_give_a_unit_more_than_20_wan(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    # One project per programme year: the year budgets' keys differ, only the unit's is shared.
    projects = [_leader_ready_for_award(ctx, year) for year in range(2022, 2028)]
    add_user(ctx, "racer", "admin", None)

    [results] = race(
        db_url,
        tmp_path,
        [[["project", "advance", str(p), "award", "--amount", "100000"] for p in projects]],
        today="2029-01-10",  # after the latest project's (2027–2029) second evaluation
    )

    counts = tally(db_url, "6 × award 100000 to one unit", results, "超过20万元上限")
    assert counts == {"won": 2, "refused": 4}
    with transaction(ctx.engine) as session:
        paid = session.scalars(
            select(Disbursement.amount).where(Disbursement.project_id.in_(projects))
        ).all()
    assert (len(paid), sum(paid)) == (2, 200_000)


def test_concurrent_securitisation_filings_fill_the_200_wan_cap_exactly(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    for n in range(8):
        register(ctx, f"数据{n}", "enterprise", {"guizhou_registered": "yes"})
    add_user(ctx, "racer", "admin", None)
    product = {**SECURITIZATION_TERMS, "issuance": "15000000", "financing": "15000000"}
    terms = [f"--data={key}={value}" for key, value in product.items()]  # 4% of 1500万: 60万
    application = ["--start", "2027-01-01", "--end", "2027-12-31", "--budget", "600000", *terms]
    create = ["project", "create", "--category", "data_ip_securitization"]
    filings = [
        [*create, "--title", f"证券化{n}", "--unit", f"数据{n}", *application] for n in range(8)
    ]

    [results] = race(db_url, tmp_path, [filings])

    counts = tally(db_url, "8 × file 600000 under the 2000000 cap", results, "额度2000000元已用完")
    assert counts == {"won": 4, "refused": 4}
    with transaction(ctx.engine) as session:
        reserved = session.scalars(select(SubsidyClaim.reserved).order_by(SubsidyClaim.reserved))
        assert list(reserved) == [200_000, 600_000, 600_000, 600_000]  # the last one partial
