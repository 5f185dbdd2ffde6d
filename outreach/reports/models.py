"""The roll-up tables the reports read (kept up to date by `rollups.py`). A client's first contact,
the third roll-up, is kept on the client (`clients.first_contact_at`, `first_site_id`)."""

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


class MonthlyCount(db.Model):
    """An additive count per month, site, indicator and breakdown."""

    __tablename__ = "monthly_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class MonthlyClient(db.Model):
    """One row per month, site and client seen, to count distinct people."""

    __tablename__ = "monthly_clients"
    __table_args__ = (
        Index("ix_monthly_clients_month_client_id", "month", "client_id"),
        Index("ix_monthly_clients_client_id", "client_id"),
    )

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    contacts: Mapped[int] = mapped_column(default=0)
    # Contacts of this client in the month with each target-group flag.
    injects: Mapped[int] = mapped_column(default=0)
    smokes: Mapped[int] = mapped_column(default=0)
    sex_work: Mapped[int] = mapped_column(default=0)
    homeless: Mapped[int] = mapped_column(default=0)
    foreign_national: Mapped[int] = mapped_column(default=0)
    # A copy of the client's details, so reports by gender and age need no join.
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None]
