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
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sites: Mapped[list[Site]] = relationship(secondary=user_sites, order_by=Site.code)

    # The session this request runs in (a UserSession), and the key its cookies carry: set when
    # the user is signed in or loaded (outreach.auth.sessions), never stored on the user.
    session = None
    session_key = None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What the session cookie (and a remember-me cookie) carry: the session's key."""
        return self.session_key

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_see_reports(self) -> bool:
        return self.role in ("supervisor", "admin")

    def __repr__(self):
        return f"<User {self.username}>"


class UserSession(db.Model):
    """A signed-in browser or phone: the server's side of its cookies. The cookies carry a
    random key, stored here only as a hash; signing out, expiry, a password change, signing a
    device out and deactivating the account delete the row, and the cookies stop working."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Such as "Android · Chrome", from the browser's User-Agent when it signed in.
    device: Mapped[str] = mapped_column(String(60), default="")
    # Signed in with "Keep me signed in on this phone": lasts longer, restored by a cookie.
    remember: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
