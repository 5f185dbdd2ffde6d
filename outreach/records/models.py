"""Records made in the field: contacts (with items, substances, referrals) and incidents.

Every record's id is a UUID made on the device; the primary key makes a retried sync idempotent.
`content_hash` is a keyed hash of what the device sent, to tell a retry from a conflicting record.
"""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.catalog.vocabulary import (
    CONTACT_KINDS,
    INCIDENT_KINDS,
    INCIDENT_OUTCOMES,
    NALOXONE_REFILL_REASONS,
    REFERRAL_STATUSES,
    ROUTES,
    SUBSTANCES,
    check_in,
)
from outreach.clients.models import Client
from outreach.database import UTCDateTime, utcnow
from outreach.extensions import db
from outreach.limits import (
    MAX_NALOXONE_DOSES,
    MAX_OVERDOSE_REVERSALS,
    MAX_PEOPLE,
    MAX_QUANTITY,
    MAX_REFERRED_TO,
    MAX_VOID_REASON,
    MIN_PEOPLE,
)


class VoidableRecord:
    """Columns shared by records that are voided (soft-deleted with a reason), never deleted."""

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The device's UTC offset when the record was made, to show it in its own local time.
    utc_offset_minutes: Mapped[int] = mapped_column(default=0)
    # Seconds added to the device's time because its clock was wrong (outreach.timekeeping).
    clock_correction_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(MAX_VOID_REASON))

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Contact(VoidableRecord, db.Model):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(check_in("kind", CONTACT_KINDS), name="kind"),
        CheckConstraint(f"people_count BETWEEN {MIN_PEOPLE} AND {MAX_PEOPLE}", name="people_count"),
        CheckConstraint(f"on_behalf_of BETWEEN 0 AND {MAX_PEOPLE}", name="on_behalf_of"),
        CheckConstraint("gender IS NULL OR gender IN ('f', 'm', 'x')", name="gender"),
        CheckConstraint(f"route IS NULL OR {check_in('route', ROUTES)}", name="route"),
        CheckConstraint(
            f"returned_syringes IS NULL OR returned_syringes BETWEEN 0 AND {MAX_QUANTITY}",
            name="returned_syringes",
        ),
        CheckConstraint(
            "naloxone_refill_reason IS NULL OR "
            + check_in("naloxone_refill_reason", NALOXONE_REFILL_REASONS),
            name="naloxone_refill_reason",
        ),
        CheckConstraint(
            f"overdose_reversals BETWEEN 0 AND {MAX_OVERDOSE_REVERSALS}", name="overdose_reversals"
        ),
        # Reports filter by site and month, and by month across all sites.
        Index("ix_contacts_site_id_occurred_at", "site_id", "occurred_at"),
        Index("ix_contacts_occurred_at", "occurred_at"),
        Index("ix_contacts_recorded_by_id_occurred_at", "recorded_by_id", "occurred_at"),
        Index("ix_contacts_client_id_occurred_at", "client_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    people_count: Mapped[int] = mapped_column(default=1)
    on_behalf_of: Mapped[int] = mapped_column(default=0)
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None]
    injects: Mapped[bool] = mapped_column(default=False)
    smokes: Mapped[bool] = mapped_column(default=False)
    sex_work: Mapped[bool] = mapped_column(default=False)
    homeless: Mapped[bool] = mapped_column(default=False)
    foreign_national: Mapped[bool] = mapped_column(default=False)
    route: Mapped[str | None] = mapped_column(String(10))
    returned_syringes: Mapped[int | None]
    returned_estimated: Mapped[bool] = mapped_column(default=False)
    naloxone_trained: Mapped[bool] = mapped_column(default=False)
    naloxone_refill_reason: Mapped[str | None] = mapped_column(String(20))
    overdose_reversals: Mapped[int] = mapped_column(default=0)

    site: Mapped[Site] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    client: Mapped[Client | None] = relationship()
    items: Mapped[list["ContactItem"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan"
    )
    substances: Mapped[list["ContactSubstance"]] = relationship(cascade="all, delete-orphan")
    referrals: Mapped[list["Referral"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan"
    )


class ContactItem(db.Model):
    """Equipment handed out at a contact."""

    __tablename__ = "contact_items"
    __table_args__ = (
        CheckConstraint(f"quantity BETWEEN 1 AND {MAX_QUANTITY}", name="quantity"),
        Index("ix_contact_items_item_id", "item_id"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"), primary_key=True)
    quantity: Mapped[int]

    contact: Mapped[Contact] = relationship(back_populates="items")
    item: Mapped[EquipmentItem] = relationship()


class ContactSubstance(db.Model):
    __tablename__ = "contact_substances"
    __table_args__ = (CheckConstraint(check_in("substance", SUBSTANCES), name="substance"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    substance: Mapped[str] = mapped_column(String(20), primary_key=True)


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint(check_in("status", REFERRAL_STATUSES), name="status"),
        Index("ix_referrals_status_contact_id", "status", "contact_id"),
        Index("ix_referrals_contact_id", "contact_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    type_id: Mapped[int] = mapped_column(ForeignKey("referral_types.id"))
    # About the organisation referred to, never about the client.
    referred_to: Mapped[str] = mapped_column(String(MAX_REFERRED_TO), default="")
    status: Mapped[str] = mapped_column(String(20), default="made")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(back_populates="referrals")
    type: Mapped[ReferralType] = relationship()
    history: Mapped[list["ReferralStatusChange"]] = relationship(
        back_populates="referral", order_by="ReferralStatusChange.occurred_at"
    )


class ReferralStatusChange(db.Model):
    """A follow-up of a referral; its id comes from the device, like every record's."""

    __tablename__ = "referral_status_changes"
    __table_args__ = (
        CheckConstraint(check_in("status", REFERRAL_STATUSES), name="status"),
        Index("ix_referral_status_changes_referral_id", "referral_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_correction_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str] = mapped_column(String(64))

    referral: Mapped[Referral] = relationship(back_populates="history")
    recorded_by: Mapped[User] = relationship()


class Incident(VoidableRecord, db.Model):
    """A drug-related emergency."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(check_in("kind", INCIDENT_KINDS), name="kind"),
        CheckConstraint(check_in("outcome", INCIDENT_OUTCOMES), name="outcome"),
        CheckConstraint(
            f"naloxone_doses BETWEEN 0 AND {MAX_NALOXONE_DOSES}", name="naloxone_doses"
        ),
        Index("ix_incidents_site_id_occurred_at", "site_id", "occurred_at"),
        Index("ix_incidents_recorded_by_id_occurred_at", "recorded_by_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    kind: Mapped[str] = mapped_column(String(20))
    naloxone_doses: Mapped[int] = mapped_column(default=0)
    oxygen_given: Mapped[bool] = mapped_column(default=False)
    rescue_breathing: Mapped[bool] = mapped_column(default=False)
    ambulance_called: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(20), default="unknown")

    site: Mapped[Site] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    client: Mapped[Client | None] = relationship()
