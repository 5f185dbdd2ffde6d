"""Pseudonymous clients: a keyed hash of their code, never the code itself."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.database import UTCDateTime, utcnow
from outreach.extensions import db


class Client(db.Model):
    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("gender IS NULL OR gender IN ('f', 'm', 'x')", name="gender"),
        CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # HMAC-SHA256(client key, normalised code), hex.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    alias: Mapped[str] = mapped_column(String(12), index=True)
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None]
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The client's first contact not voided, kept by the reports' roll-ups (new clients).
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    first_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
