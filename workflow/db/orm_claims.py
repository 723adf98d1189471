"""ORM table of securitisation subsidy claims: the product's terms and the reservation made at filing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db.orm import Base


class SubsidyClaim(Base):
    """A data_ip_securitization application's product and the subsidy reserved when it was filed.

    Reserved in filing order (先申请先资助) against the programme year's cap; the reservation
    holds while the application waits (applied, screened), becomes the grant at approval, and
    lapses when the application is rejected or withdrawn.
    """

    __tablename__ = "subsidy_claim"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    """The programme year whose cap it counts against (the project's start year)."""
    issuance: Mapped[int] = mapped_column(BigInteger)
    """The product's issuance amount (发行金额), in yuan."""
    financing: Mapped[int] = mapped_column(BigInteger)
    """The enterprise's own financing in the product (实际融资额), in yuan."""
    issue_size: Mapped[int] = mapped_column(BigInteger)
    """The product's issuance size (发行规模), in yuan."""
    issued_on: Mapped[date] = mapped_column(Date)
    """The day the product was issued (发行日)."""
    product_end: Mapped[date] = mapped_column(Date)
    """The day the product ends (产品到期日)."""
    subsidy: Mapped[int] = mapped_column(BigInteger)
    """What the rate gives: 4% × issuance × financing ÷ size, in yuan."""
    reserved: Mapped[int] = mapped_column(BigInteger)
    """What was left of the cap for it when it was filed, at most `subsidy`."""
    filed_at: Mapped[datetime]
