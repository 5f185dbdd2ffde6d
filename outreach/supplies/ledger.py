"""Writing the ledger: `Books` holds the balances of the stock a unit of work changes, locked,
changes them line by line in memory and writes the lines, the balances, the shortfalls and the
monthly flows in one go (`write`). Every change of stock goes through it: a movement staff
recorded (`movements.py`), a contact's items (`Books.draw_for_contact`, by the ingest) and a
void (`put_back_contact`).

Stock is drawn earliest-expiring lot first (stock of no lot last) unless a lot is named. A
hand-out (at a contact, or in bulk) is never refused: what it takes beyond the books is added
as a `shortfall` line and flagged (`StockShortfall`), so that no balance goes below zero. Other
movements that take more than the books hold are refused (`NotEnoughStock`).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, tuple_, update

from outreach.database import Upsert, insert_many
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.supplies.models import (
    StockBalance,
    StockEntry,
    StockLevel,
    StockMonth,
    StockShortfall,
)
from outreach.supplies.vocabulary import FLOW_OF_ENTRY
from outreach.timekeeping import month_of, now, organisation_zone

NO_LOT = ""


@dataclass
class Lot:
    """A site's stock of one lot of an item, as the books hold it now."""

    lot: str
    expires_on: object  # date or None
    quantity: int
    changed: bool = False

    def fefo_key(self):
        """Earliest expiry first; lots without a date after those with one; no lot last."""
        return (self.lot == NO_LOT, self.expires_on or date.max, self.lot)


def flow_of(kind: str, quantity: int) -> str:
    if kind == "transfer":
        return "transferred_in" if quantity > 0 else "transferred_out"
    return FLOW_OF_ENTRY[kind]


class NotEnoughStock(InvalidInput):
    pass


class Books:
    """The balances of some sites' items, locked for the rest of the transaction (on
    PostgreSQL; SQLite lets one writer in at a time), changed through `add` and `draw`, and
    written with `write`."""

    def __init__(self, pairs):
        """`pairs`: the (site id, item id) whose stock this unit of work changes."""
        self.pairs = sorted(set(pairs))
        self.lots: dict[tuple, dict[str, Lot]] = defaultdict(dict)
        self.lines: list[dict] = []
        self.shortfalls: list[dict] = []
        self.recorded_at = now()
        self.kept = set()  # (site id, item id) whose books are kept
        self.newly_kept = set()
        if self.pairs:
            self.kept = lock_stock(self.pairs)
            # By site (a simpler statement than one naming every pair), then the pairs wanted.
            wanted = set(self.pairs)
            held = StockBalance.__table__.c
            for site_id, item_id, lot, expires_on, quantity in db.session.execute(
                select(held.site_id, held.item_id, held.lot, held.expires_on, held.quantity).where(
                    held.site_id.in_(sorted({site_id for site_id, _item_id in wanted}))
                )
            ):
                if (site_id, item_id) in wanted:
                    self.lots[(site_id, item_id)][lot] = Lot(lot, expires_on, quantity)

    def on_hand(self, site_id: int, item_id: int, lot: str | None = None) -> int:
        lots = self.lots[(site_id, item_id)]
        if lot is not None:
            return lots[lot].quantity if lot in lots else 0
        return sum(each.quantity for each in lots.values())

    def lot(self, site_id: int, item_id: int, lot: str) -> Lot | None:
        return self.lots[(site_id, item_id)].get(lot)

    def add(self, kind, site_id, item_id, lot, expires_on, quantity, occurred_at, **refs):
        """A line that adds to (or, negative, takes from) one lot; the caller has checked that
        the lot holds what a negative line takes."""
        held = self.lots[(site_id, item_id)].get(lot)
        if held is None:
            held = self.lots[(site_id, item_id)][lot] = Lot(lot, expires_on, 0)
        held.quantity += quantity
        held.changed = True
        if held.expires_on is None and expires_on is not None:
            held.expires_on = expires_on
        self.lines.append(
            {
                "kind": kind,
                "occurred_at": occurred_at,
                "recorded_at": self.recorded_at,
                "site_id": site_id,
                "item_id": item_id,
                "lot": lot,
                "expires_on": held.expires_on,
                "quantity": quantity,
                "movement_id": refs.get("movement_id"),
                "contact_id": refs.get("contact_id"),
                "other_site_id": refs.get("other_site_id"),
            }
        )
        return self.lines[-1]

    def draw(self, kind, site_id, item_id, quantity, occurred_at, lot=None, hand_out=False, **refs):
        """Take `quantity` from a site's stock of an item: from the lot named, or earliest
        expiring first. Returns the lines written (lot, expiry, negative quantity).

        A hand-out takes what is there and adds the rest as a shortfall; anything else that
        takes more than the books hold is refused with NotEnoughStock.
        """
        lots = self.lots[(site_id, item_id)]
        if lot is not None:
            sources = [lots[lot]] if lot in lots else []
        else:
            # Lots emptied long ago stay in the books: only those holding stock are sorted.
            sources = sorted((each for each in lots.values() if each.quantity), key=Lot.fefo_key)
        held = sum(source.quantity for source in sources)
        if held < quantity and not hand_out:
            raise NotEnoughStock(errors={"quantity": [_not_enough(held, lot)]})
        lines = []
        missing = quantity
        for source in sources:
            if not missing:
                break
            taken = min(source.quantity, missing)
            if taken:
                lines.append(
                    self.add(kind, site_id, item_id, source.lot, None, -taken, occurred_at, **refs)
                )
                missing -= taken
        if missing:
            # Handed out beyond the books: the books had too little. The shortfall line adds
            # what went out unrecorded, so the balance stays at zero; it is flagged for a
            # supervisor where the books are kept.
            shortfall_lot = lot if lot is not None else NO_LOT
            lines.append(
                self.add(kind, site_id, item_id, shortfall_lot, None, -missing, occurred_at, **refs)
            )
            self.add(
                "shortfall", site_id, item_id, shortfall_lot, None, missing, occurred_at, **refs
            )
            if (site_id, item_id) in self.kept:
                self.shortfalls.append(
                    {
                        "site_id": site_id,
                        "item_id": item_id,
                        "quantity": missing,
                        "occurred_at": occurred_at,
                        "recorded_at": self.recorded_at,
                        "movement_id": refs.get("movement_id"),
                        "contact_id": refs.get("contact_id"),
                        "resolved_at": None,
                        "resolved_by_id": None,
                    }
                )
        return lines

    def keep_books(self, site_id: int, item_id: int) -> None:
        """From now on, hand-outs beyond the books of this site's item are flagged."""
        if (site_id, item_id) not in self.kept:
            self.kept.add((site_id, item_id))
            self.newly_kept.add((site_id, item_id))

    def draw_for_contact(self, contact_id, site_id: int, item_rows: list[dict], occurred_at):
        """A new contact's items (its `contact_items` rows) taken from its site's stock."""
        for row in item_rows:
            self.draw(
                "contact",
                site_id,
                row["item_id"],
                row["quantity"],
                occurred_at,
                hand_out=True,
                contact_id=contact_id,
            )

    def write(self) -> None:
        """Write the lines, the balances they changed, new shortfalls and the monthly flows."""
        if not self.lines:
            return
        insert_many(db.session, StockEntry.__table__, self.lines)
        balances = [
            {
                "site_id": site_id,
                "item_id": item_id,
                "lot": held.lot,
                "expires_on": held.expires_on,
                "quantity": held.quantity,
            }
            for (site_id, item_id), lots in sorted(self.lots.items())
            for held in sorted(lots.values(), key=lambda each: each.lot)
            if held.changed
        ]
        insert_many(
            db.session,
            StockBalance.__table__,
            balances,
            Upsert(("site_id", "item_id", "lot"), replaced=("expires_on", "quantity")),
        )
        for lots in self.lots.values():
            for held in lots.values():
                held.changed = False
        insert_many(db.session, StockShortfall.__table__, self.shortfalls)
        if self.newly_kept:
            db.session.execute(
                update(StockLevel)
                .where(tuple_(StockLevel.site_id, StockLevel.item_id).in_(sorted(self.newly_kept)))
                .values(books_kept=True)
            )
            self.newly_kept = set()
        flows = defaultdict(int)
        months = {}  # occurred_at -> month: a contact's lines share their time
        zone = organisation_zone()
        for line in self.lines:
            if line["quantity"]:
                at = line["occurred_at"]
                month = months.get(at)
                if month is None:
                    month = months[at] = month_of(at, zone)
                key = (
                    month,
                    line["site_id"],
                    line["item_id"],
                    flow_of(line["kind"], line["quantity"]),
                )
                flows[key] += line["quantity"]
        insert_many(
            db.session,
            StockMonth.__table__,
            [
                {"month": m, "site_id": s, "item_id": i, "flow": f, "quantity": q}
                for (m, s, i, f), q in sorted(flows.items())
                if q
            ],
            Upsert(("month", "site_id", "item_id", "flow")),
        )
        self.lines, self.shortfalls = [], []


def _not_enough(held: int, lot: str | None) -> str:
    if lot is not None:
        return _("The books hold %(quantity)d of this lot at this site.", quantity=held)
    return _("The books hold %(quantity)d of this item at this site.", quantity=held)


def lock_stock(pairs) -> set:
    """Make the `stock_levels` rows of these (site id, item id) pairs if they are new, and lock
    them, in key order, until the transaction ends: whoever changes a site's stock of an item
    holds its row, so concurrent requests take turns and every balance stays exact.
    (PostgreSQL; SQLite lets one writer in at a time and ignores FOR UPDATE.) Returns the
    pairs whose books are kept (`StockLevel.books_kept`)."""
    pairs = sorted(set(pairs))
    if not pairs:
        return set()

    def lock(wanted) -> dict:
        return {
            (site_id, item_id): kept
            for site_id, item_id, kept in db.session.execute(
                select(StockLevel.site_id, StockLevel.item_id, StockLevel.books_kept)
                .where(tuple_(StockLevel.site_id, StockLevel.item_id).in_(wanted))
                .order_by(StockLevel.site_id, StockLevel.item_id)
                .with_for_update()
            )
        }

    levels = lock(pairs)
    missing = [pair for pair in pairs if pair not in levels]
    if missing:
        # A concurrent request making the same row wins; this one waits for it, then locks it.
        insert_many(
            db.session,
            StockLevel.__table__,
            [
                {"site_id": s, "item_id": i, "running_low_at": None, "books_kept": False}
                for s, i in missing
            ],
            Upsert(("site_id", "item_id"), keep_stored=True),
        )
        levels.update(lock(missing))
    return {pair for pair, kept in levels.items() if kept}


def put_back_contact(contact, user_id: int) -> None:
    """A contact was voided: its ledger lines again with the other sign (the items go back to
    the lots they came from, its shortfalls are taken back), and its shortfalls closed.

    Its lines are found by its site and time, as they were written (an index every line has),
    then by its id: an index of their own would cost every contact's lines more than the rare
    void gains."""
    contact_id = contact.id
    lines = list(
        db.session.execute(
            select(StockEntry)
            .where(
                StockEntry.site_id == contact.site_id,
                StockEntry.occurred_at == contact.occurred_at,
                StockEntry.contact_id == contact_id,
            )
            .order_by(StockEntry.id)
        ).scalars()
    )
    if not lines:
        return  # recorded before stock was kept, or nothing handed out
    books = Books((line.site_id, line.item_id) for line in lines)
    for line in lines:
        books.add(
            line.kind,
            line.site_id,
            line.item_id,
            line.lot,
            None,
            -line.quantity,
            line.occurred_at,
            contact_id=contact_id,
        )
    books.write()
    db.session.execute(
        update(StockShortfall)
        .where(
            StockShortfall.site_id == contact.site_id,
            StockShortfall.resolved_at.is_(None),
            StockShortfall.contact_id == contact_id,
        )
        .values(resolved_at=now(), resolved_by_id=user_id)
    )
