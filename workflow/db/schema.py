"""Every table of the schema: importing this module registers all ORM modules on one metadata."""

from __future__ import annotations

import workflow.db.orm_money
import workflow.db.orm_review  # noqa: F401
import workflow.db.orm_users  # noqa: F401
from workflow.db import orm_notices  # noqa: F401
from workflow.db.orm import Base

metadata = Base.metadata
