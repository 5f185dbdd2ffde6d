"""Organisation settings kept in the database: one row per key."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
