"""Every table of the schema: importing this module registers all ORM modules on one metadata."""

from __future__ import annotations

from workflow.db import (
    orm_claims,
    orm_corrections,
    orm_eligibility,
    orm_evidence,
    orm_money,
    orm_notices,
    orm_oversight,
    orm_performance,
    orm_review,
    orm_sign_in,
    orm_users,
)
from workflow.db.orm import Base

metadata = Base.metadata
MODULES = (
    orm_claims,
    orm_corrections,
    orm_eligibility,
    orm_evidence,
    orm_money,
    orm_notices,
    orm_oversight,
    orm_performance,
    orm_review,
    orm_sign_in,
    orm_users,
)
"""The ORM modules beside workflow.db.orm whose tables share its metadata."""
