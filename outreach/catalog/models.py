"""Sites and the admin-managed catalog: equipment items and referral types."""

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.catalog.vocabulary import EQUIPMENT_CATEGORIES, SITE_KINDS, check_in
from outreach.extensions import db


class Site(db.Model):
    __tablename__ = "sites"
    __table_args__ = (CheckConstraint(check_in("kind", SITE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    city: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # What is usually handed out here, applied with one tap on the contact form:
    # [{"name": "Injecting pack", "items": {"syringe_1ml": 10, "needle": 10}}, ...]
    usual_packs: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    def __repr__(self):
        return f"<Site {self.code}>"


class EquipmentItem(db.Model):
    __tablename__ = "equipment_items"
    __table_args__ = (CheckConstraint(check_in("category", EQUIPMENT_CATEGORIES), name="category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_nl: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(20), default="piece")
    counts_as_syringe: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en


class ReferralType(db.Model):
    __tablename__ = "referral_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_nl: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en
