"""Stock: what staff recorded (`StockMovement`), the append-only ledger it makes
(`StockEntry`, one line per change of a site's stock of an item's lot), the running balance
(`StockBalance`), a site's level per item (`StockLevel`), shortfalls to resolve
(`StockShortfall`) and the monthly flows the reports read (`StockMonth`).

What a site holds is the sum of its ledger lines; `StockBalance` keeps that sum, changed in the
same transaction as each line, so that reading stock never sums the ledger. Ledger lines and
movements are never changed or deleted: a mistake is corrected by another movement.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.catalog.models import EquipmentItem, Site
from outreach.catalog.vocabulary import check_in
from outreach.database import UTCDateTime, utcnow
from outreach.extensions import db
from outreach.limits import MAX_LOT, MAX_REFERENCE, MAX_STOCK_QUANTITY
from outreach.supplies.vocabulary import ENTRY_KINDS, MOVEMENT_KINDS, REASONS, SOURCES

# SQLite numbers its rows itself only for an INTEGER PRIMARY KEY.
_ROW_NUMBER = BigInteger().with_variant(Integer, "sqlite")


class StockMovement(db.Model):
    """A movement as staff recorded it (a delivery, a transfer, a count, …), with the id its
    device made: the sync's idempotency, the history's and the audit log's subject."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(check_in("kind", MOVEMENT_KINDS), name="kind"),
        CheckConstraint(f"source IS NULL OR {check_in('source', SOURCES)}", name="source"),
        CheckConstraint(f"reason IS NULL OR {check_in('reason', REASONS)}", name="reason"),
        CheckConstraint(
            f"quantity BETWEEN {-MAX_STOCK_QUANTITY} AND {MAX_STOCK_QUANTITY}", name="quantity"
        ),
        Index("ix_stock_movements_site_id_occurred_at", "site_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    utc_offset_minutes: Mapped[int] = mapped_column(default=0)
    clock_correction_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    # As entered: units received, moved, disposed or handed out; counted on the shelf; or the
    # signed change of an adjustment.
    quantity: Mapped[int]
    to_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    lot: Mapped[str | None] = mapped_column(String(MAX_LOT))
    expires_on: Mapped[date | None]
    source: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(MAX_REFERENCE))
    reason: Mapped[str | None] = mapped_column(String(20))

    site: Mapped[Site] = relationship(foreign_keys=[site_id])
    to_site: Mapped[Site | None] = relationship(foreign_keys=[to_site_id])
    item: Mapped[EquipmentItem] = relationship()
    recorded_by: Mapped[User] = relationship()


class StockEntry(db.Model):
    """A line of the ledger: a signed change of a site's stock of an item's lot.

    Written for a movement (`movement_id`; a transfer writes lines at both sites, a count the
    difference it found), or for a contact (`contact_id`, kind `contact`: its items drawn from
    the site's stock; the same lines with the other sign when it is voided). `shortfall` lines
    add what a hand-out took beyond the books, so that no balance goes below zero.
    `contact_id` has no foreign key: lines stay when old contacts are purged.
    """

    __tablename__ = "stock_entries"
    __table_args__ = (
        CheckConstraint(check_in("kind", ENTRY_KINDS), name="kind"),
        Index("ix_stock_entries_site_id_occurred_at", "site_id", "occurred_at"),
        # No index on `movement_id` or `contact_id`: every contact's lines would pay for them;
        # nothing looks lines up by a movement, and a void finds its contact's lines by site
        # and time (`ledger.put_back_contact`).
    )

    id: Mapped[int] = mapped_column(_ROW_NUMBER, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"))
    lot: Mapped[str] = mapped_column(String(MAX_LOT), default="")  # "" for stock of no lot
    expires_on: Mapped[date | None]
    quantity: Mapped[int]
    movement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stock_movements.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # A transfer's other site: where it went to, or came from.
    other_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))

    site: Mapped[Site] = relationship(foreign_keys=[site_id])
    other_site: Mapped[Site | None] = relationship(foreign_keys=[other_site_id])
    item: Mapped[EquipmentItem] = relationship()
    movement: Mapped[StockMovement | None] = relationship()


class StockBalance(db.Model):
    """What a site holds of an item's lot now: the sum of its ledger lines, never below zero."""

    __tablename__ = "stock_balances"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity"),)

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"), primary_key=True)
    lot: Mapped[str] = mapped_column(String(MAX_LOT), primary_key=True)
    expires_on: Mapped[date | None]
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)


class StockLevel(db.Model):
    """A site's stock of an item: made the first time it moves, and locked by every change to
    it (so that concurrent requests drawing the same stock wait for each other). A supervisor
    sets the level at which it runs low. `books_kept` once a movement was recorded for it: only
    then is a hand-out beyond the books flagged as a shortfall (a site whose stock nobody
    records would flag every contact)."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint(
            f"running_low_at IS NULL OR running_low_at BETWEEN 0 AND {MAX_STOCK_QUANTITY}",
            name="running_low_at",
        ),
    )

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"), primary_key=True)
    running_low_at: Mapped[int | None]
    books_kept: Mapped[bool] = mapped_column(default=False, server_default="0")


class StockShortfall(db.Model):
    """Stock handed out beyond what the books held, for a supervisor to look into. Resolving
    one (or voiding the contact that caused it) closes it; the ledger keeps its line."""

    __tablename__ = "stock_shortfalls"
    __table_args__ = (Index("ix_stock_shortfalls_site_id_resolved_at", "site_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(_ROW_NUMBER, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"))
    quantity: Mapped[int]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    movement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stock_movements.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site: Mapped[Site] = relationship()
    item: Mapped[EquipmentItem] = relationship()
    resolved_by: Mapped[User | None] = relationship()


class StockMonth(db.Model):
    """The monthly roll-up of the ledger: per month (organisation time), site, item and flow
    (`vocabulary.FLOW_OF_ENTRY`, transfers as `transferred_in` and `transferred_out`), the sum
    of the lines' signed quantities."""

    __tablename__ = "stock_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(30), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
