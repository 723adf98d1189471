"""who may apply: unit kinds of the call, unit facts, joint applications, ref and tier

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Units of the former kind `authority` (知识产权主管部门) become `city_ip_office`, the kind of the
prefecture and 贵安新区 IP offices that held it. Units record facts (`unit_fact`: valid patents,
链主/龙头, …) and projects their partners (`project_partner`), their application number
(`ref`, unique when given) and their tier; the strong_enterprise projects already filed are of
the basic tier (基础培育), the only one before this revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND_BEFORE = {
    "city_ip_office": "authority",
    "county_ip_office": "authority",
    "zone_authority": "authority",
    "industry_authority": "authority",
    "accounting_firm": "service_org",
    "consultancy": "service_org",
}
"""Downgrade: each new kind to the old kind closest to it."""


def upgrade() -> None:
    unit = sa.table("unit", sa.column("kind", sa.String))
    op.execute(unit.update().where(unit.c.kind == "authority").values(kind="city_ip_office"))
    op.create_table(
        "unit_fact",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_fact_unit_id_unit")),
        sa.PrimaryKeyConstraint("unit_id", "name", name=op.f("pk_unit_fact")),
    )
    op.create_table(
        "project_partner",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_partner_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_project_partner_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("project_id", "unit_id", name=op.f("pk_project_partner")),
    )
    with op.batch_alter_table("project_partner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_partner_unit_id"), ["unit_id"], unique=False)
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ref", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("tier", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_project_ref"), ["ref"])
    project = sa.table("project", sa.column("category", sa.String), sa.column("tier", sa.String))
    op.execute(
        project.update().where(project.c.category == "strong_enterprise").values(tier="basic")
    )


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_project_ref"), type_="unique")
        batch_op.drop_column("tier")
        batch_op.drop_column("ref")
    with op.batch_alter_table("project_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_partner_unit_id"))
    op.drop_table("project_partner")
    op.drop_table("unit_fact")
    unit = sa.table("unit", sa.column("kind", sa.String))
    for kind, before in KIND_BEFORE.items():
        op.execute(unit.update().where(unit.c.kind == kind).values(kind=before))
