"""The project page's reading in one transaction: the project, its plan, letters and money."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.core.boundary import Work, use_case
from workflow.core.results import Result
from workflow.letters.actions import LetterRow, letters_of
from workflow.money.budget import FundUse, project_fund_use
from workflow.projects.actions import ProjectView, get_project, project_view
from workflow.projects.tasks import ProjectPlan, plan_view

SHOWN_WITH = ("letter_list", "budget_show")
"""The actions whose reading the dossier includes under `project_show`'s authorisation: every
role's right on them must be its right on `project_show` (tests/test_access.py holds them)."""


@dataclass(frozen=True)
class ProjectDossier(Result):
    """One project as its page shows it: what `project show`, its plan, `letters list
    --project` and `budget show` give, read together."""

    project: ProjectView
    plan: ProjectPlan
    letters: list[LetterRow]
    funds: FundUse


@use_case("project_show", write=False, subject=("project", "project_id"))
def project_dossier(work: Work, project_id: int) -> ProjectDossier:
    """The project, its plan and reports, its letters and its fund use, in one transaction
    (one authorisation, one snapshot of the data, the money figures read once)."""
    held = get_project(work.session, project_id)  # kept in the session for each part that reads it
    project = project_view(work, project_id)
    return ProjectDossier(
        project=project,
        plan=plan_view(work, project_id),
        letters=letters_of(work, None, None, project_id),
        funds=project_fund_use(work, held.id, work.ctx.today(), project.money),
    )
