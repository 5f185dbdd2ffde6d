"""Sites and the admin-managed catalog: equipment items and referral types."""

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach.catalog.vocabulary import EQUIPMENT_CATEGORIES, SITE_KINDS, check_in
from outreach.extensions import db
from outreach.limits import MAX_CITY, MAX_CODE, MAX_NAME, MAX_UNIT


class CatalogRow:
    """What every catalog row has: a code that records and exports name (fixed once made), and
    whether it is still offered (a retired one stays valid in every record naming it)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(MAX_CODE), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


def in_language(language: str, name_en: str, name_nl: str) -> str:
    """The name of the two that a reader of `language` ("en", "nl") reads."""
    return name_nl if language == "nl" else name_en


class NamedInTwoLanguages:
    """Something with a `name_en` and a `name_nl`: sites, equipment items, referral types."""

    def name(self, language: str) -> str:
        return in_language(language, self.name_en, self.name_nl)


class Site(NamedInTwoLanguages, CatalogRow, db.Model):
    __tablename__ = "sites"
    __table_args__ = (CheckConstraint(check_in("kind", SITE_KINDS), name="kind"),)

    name_en: Mapped[str] = mapped_column(String(MAX_NAME))
    name_nl: Mapped[str] = mapped_column(String(MAX_NAME))
    kind: Mapped[str] = mapped_column(String(30))
    city: Mapped[str] = mapped_column(String(MAX_CITY), default="")
    # What is usually handed out here, applied with one tap on the contact form:
    # [{"name_en": "Injecting pack", "name_nl": "Injectiepakket",
    #   "items": {"syringe_1ml": 10, "needle": 10}}, ...]
    usual_packs: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    def usual_packs_in(self, language: str) -> list[dict]:
        """The usual packs, each with its `name` in `language` beside both names and items."""
        return [
            {**pack, "name": in_language(language, pack["name_en"], pack["name_nl"])}
            for pack in self.usual_packs or []
        ]

    def __repr__(self):
        return f"<Site {self.code}>"


class CatalogEntry(NamedInTwoLanguages, CatalogRow):
    """Equipment items and referral types: names in English and Dutch, a place in the lists."""

    name_en: Mapped[str] = mapped_column(String(MAX_NAME))
    name_nl: Mapped[str] = mapped_column(String(MAX_NAME))
    sort_order: Mapped[int] = mapped_column(default=0)


class EquipmentItem(CatalogEntry, db.Model):
    __tablename__ = "equipment_items"
    __table_args__ = (CheckConstraint(check_in("category", EQUIPMENT_CATEGORIES), name="category"),)

    category: Mapped[str] = mapped_column(String(20))
    # What one of it is ("piece", "sheet", "kit"), in English and Dutch.
    unit_en: Mapped[str] = mapped_column(String(MAX_UNIT), default="piece")
    unit_nl: Mapped[str] = mapped_column(String(MAX_UNIT), default="stuk")
    counts_as_syringe: Mapped[bool] = mapped_column(default=False)

    def unit(self, language: str) -> str:
        return in_language(language, self.unit_en, self.unit_nl)


class ReferralType(CatalogEntry, db.Model):
    __tablename__ = "referral_types"
