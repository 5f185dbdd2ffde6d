"""Staff accounts and their site memberships."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.catalog.models import Site
from outreach.catalog.vocabulary import ROLES, check_in
from outreach.database import UTCDateTime, utcnow
from outreach.extensions import db

user_sites = Table(
    "user_sites",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(check_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="worker")
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to sign the user out everywhere (a lost phone): old session cookies stop matching.
    session_version: Mapped[int] = mapped_column(default=1)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sites: Mapped[list[Site]] = relationship(secondary=user_sites, order_by=Site.code)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_see_reports(self) -> bool:
        return self.role in ("supervisor", "admin")

    def __repr__(self):
        return f"<User {self.username}>"
