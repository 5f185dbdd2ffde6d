"""Stock for the demo and the volume, written by the ledger's own code: deliveries with a lot
and an expiry date, every contact's items drawn from its site's stock, a count now and then,
bulk hand-outs at outlets that log no contacts (pharmacies, vending machines).

`VolumeStock` keeps the volume's books in memory with one `supplies.ledger.Books` and writes
them with each batch of contacts; `DemoStock` records the demo's movements one by one through
`supplies.movements.record_movement`, as a supervisor's page does.

Deliveries are sized the way a site orders: enough for the next period at the rate it used
stock in the last one, with a safety margin, less what is on the shelf; now and then one comes late,
and the site runs short for a few days (shortfalls, resolved at the next count).
"""

import math
import random
import uuid
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import update

from outreach.database import insert_many
from outreach.extensions import db
from outreach.supplies import service as supplies
from outreach.supplies.ledger import NO_LOT, Books
from outreach.supplies.models import StockLevel, StockMovement, StockShortfall
from outreach.supplies.movements import record_movement

BULK_SITE_KINDS = ("pharmacy", "vending_machine")
BULK_ITEMS = ("syringe_1ml", "needle")
DAYS_BETWEEN_DELIVERIES = 30.44
DAYS_BETWEEN_COUNTS = 91
LATE_DELIVERY = 0.02  # the share of deliveries that come 5 to 12 days late
SHELF_LIFE_DAYS = {"naloxone_kit": 540}  # else three years
UTC_OFFSET_MINUTES = 60  # the volume's phones are in Amsterdam winter time


def rounded_up(units: float) -> int:
    """A delivery's size: `units` rounded up to two significant digits (packs, boxes)."""
    if units <= 0:
        return 0
    step = 10 ** max(0, len(str(math.ceil(units))) - 2)
    return math.ceil(units / step) * step


def order_up_to(expected: float) -> float:
    """What a site wants on the shelf after a delivery, if it expects to use `expected` units
    until the next one: that, a tenth more, and a safety stock against a busier period than
    usual (two standard deviations of a demand that comes a few units at a time)."""
    return expected * 1.1 + 2 * math.sqrt(max(0, expected) * 10)


def lot_of(code: str, day) -> tuple[str, object]:
    """The lot a supplier delivers of an item in a month, and its expiry date: the same at
    every site, so that a lot has one expiry date."""
    first = day.replace(day=1)
    return (
        f"{code[:3].upper()}-{first:%Y%m}",
        first + timedelta(days=SHELF_LIFE_DAYS.get(code, 3 * 365)),
    )


class VolumeStock:
    """The volume's stock, kept by one `Books` of every site's items for the whole volume and
    written with each batch (`write`). Contacts come in time order (`draw`); the deliveries,
    counts and bulk hand-outs due before each are recorded first."""

    def __init__(self, seed, sites, codebook, user_id: int, start, end, contacts: int):
        self.rng = random.Random(seed)
        self.sites = {site.id: site for site in sites}
        self.codebook, self.user_id, self.start, self.end = codebook, user_id, start, end
        self.codes = {item.id: code for code, item in codebook.equipment.items()}
        self.days = (end - start).total_seconds() / 86400
        # Contacts a site sees per day (the volume spreads them evenly over its sites).
        self.contacts_per_day = contacts / len(sites) / self.days
        self.items: list[int] = []
        self.rate: dict[tuple, float] = {}  # (site id, item id) -> units expected a day
        self.used = defaultdict(int)  # (site id, item id) -> units since the last delivery
        self.last_delivery: dict[int, object] = {}  # site id -> when
        self.books = None
        self.movements: list[dict] = []
        self.events: list[tuple] = []
        self.made = {"stock movements": 0, "stock lines": 0}

    # What happens, in time order

    def _schedule(self) -> None:
        """Every site's deliveries (the first at the start), counts and bulk hand-outs."""
        rng, events = self.rng, []
        for number, site_id in enumerate(sorted(self.sites)):
            month = 1
            while True:
                at = self.start + timedelta(days=month * DAYS_BETWEEN_DELIVERIES + number % 10)
                if at >= self.end:
                    break
                if rng.random() < LATE_DELIVERY:
                    at += timedelta(days=rng.randint(5, 12))
                events.append((at, 0, "delivery", site_id))
                month += 1
            at = self.start + timedelta(days=45 + 3 * (number % 20), hours=18)
            while at < self.end:
                events.append((at, 1, "count", site_id))
                at += timedelta(days=DAYS_BETWEEN_COUNTS)
            if self.sites[site_id].kind in BULK_SITE_KINDS:
                at = self.start + timedelta(days=number % 7, hours=10)
                while at < self.end:
                    events.append((at, 2, "bulk", site_id))
                    at += timedelta(days=7)
        self.events = sorted(events, reverse=True)  # the next one last

    def _estimate(self, batch: list[tuple]) -> None:
        """What a site will use of each item a day, from the first batch of contacts (what a
        new site's first order guesses), bulk hand-outs added at the outlets; then the books
        are opened (the rows of every site's items made and locked) and the first deliveries
        made at the start."""
        per_contact = defaultdict(int)
        for _at, _site_id, _contact_id, items, _voided in batch:
            for row in items:
                per_contact[row["item_id"]] += row["quantity"]
        self.items = sorted(per_contact)
        self.bulk_items = [
            self.codebook.equipment[code].id
            for code in BULK_ITEMS
            if code in self.codebook.equipment and self.codebook.equipment[code].id in per_contact
        ]
        for site_id, site in self.sites.items():
            for item_id in self.items:
                rate = per_contact[item_id] / len(batch) * self.contacts_per_day
                if site.kind in BULK_SITE_KINDS and item_id in self.bulk_items:
                    rate *= 1.35  # about what a week's bulk hand-out adds
                self.rate[(site_id, item_id)] = rate
        self.books = Books(self.rate)
        for site_id, item_id in self.rate:
            self.books.keep_books(site_id, item_id)
        self._schedule()
        for site_id in sorted(self.sites):
            self._deliver(site_id, self.start - timedelta(hours=1))

    def draw(self, batch: list[tuple]) -> None:
        """A batch of contacts, in time order: (occurred_at, site id, contact id, item rows,
        voided). A contact voided is put back at once, as `ledger.put_back_contact` does."""
        if self.books is None:
            self._estimate(batch)
        books, events, used = self.books, self.events, self.used
        for at, site_id, contact_id, items, voided in batch:
            while events and events[-1][0] <= at:
                self._happen(events.pop())
            first = len(books.lines)
            books.draw_for_contact(contact_id, site_id, items, at)
            if voided:
                self._put_back(contact_id, books.lines[first:])
            else:
                for row in items:
                    used[(site_id, row["item_id"])] += row["quantity"]

    def _put_back(self, contact_id, lines: list[dict]) -> None:
        for line in lines:
            self.books.add(
                line["kind"],
                line["site_id"],
                line["item_id"],
                line["lot"],
                None,
                -line["quantity"],
                line["occurred_at"],
                contact_id=contact_id,
            )
        for shortfall in self.books.shortfalls:
            if shortfall["contact_id"] == contact_id:
                shortfall["resolved_at"] = shortfall["occurred_at"]
                shortfall["resolved_by_id"] = self.user_id

    def _happen(self, event: tuple) -> None:
        at, _order, kind, site_id = event
        {"delivery": self._deliver, "count": self._count, "bulk": self._bulk}[kind](site_id, at)

    def _movement(self, site_id, item_id, kind, quantity, at, **columns) -> uuid.UUID:
        movement_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        self.movements.append(
            {
                "id": movement_id,
                "occurred_at": at,
                "utc_offset_minutes": UTC_OFFSET_MINUTES,
                "clock_correction_seconds": 0,
                "received_at": at,
                "content_hash": "volume",
                "site_id": site_id,
                "recorded_by_id": self.user_id,
                "item_id": item_id,
                "kind": kind,
                "quantity": quantity,
                "to_site_id": None,
                "lot": columns.get("lot"),
                "expires_on": columns.get("expires_on"),
                "source": columns.get("source"),
                "reference": columns.get("reference"),
                "reason": None,
            }
        )
        return movement_id

    def _deliver(self, site_id: int, at) -> None:
        """A delivery of every item: enough until the next one at the rate the site used them
        since the last (its first: the rate expected), with a margin, less what it holds."""
        since = self.last_delivery.get(site_id)
        days = (at - since).total_seconds() / 86400 if since else 0
        self.last_delivery[site_id] = at
        source = "municipality" if self.rng.random() < 0.2 else "purchase"
        reference = f"PO-{at:%y%m}-{site_id:03d}"
        for item_id in self.items:
            pair = (site_id, item_id)
            if days >= 7:  # smoothed: one month's noise does not make the next order
                self.rate[pair] = (self.rate[pair] + self.used[pair] / days) / 2
            self.used[pair] = 0
            wanted = order_up_to(self.rate[pair] * DAYS_BETWEEN_DELIVERIES)
            quantity = rounded_up(wanted - self.books.on_hand(site_id, item_id))
            if quantity <= 0:
                continue
            lot, expires_on = lot_of(self.codes[item_id], at.date())
            movement_id = self._movement(
                site_id,
                item_id,
                "received",
                quantity,
                at,
                lot=lot,
                expires_on=expires_on,
                source=source,
                reference=reference,
            )
            self.books.add(
                "received", site_id, item_id, lot, expires_on, quantity, at, movement_id=movement_id
            )

    def _count(self, site_id: int, at) -> None:
        """A count of every item: mostly what the books say, sometimes a few units fewer
        (lost, taken), now and then a few more; the site's shortfalls looked into and closed."""
        books = self.books
        for item_id in self.items:
            held = books.on_hand(site_id, item_id)
            luck = self.rng.random()
            if luck < 0.6 or not held:
                counted = held
            elif luck < 0.95:
                counted = max(0, held - self.rng.randint(1, max(1, held // 50)))
            else:
                counted = held + self.rng.randint(1, 10)
            movement_id = self._movement(site_id, item_id, "count", counted, at)
            if counted < held:
                books.draw("count", site_id, item_id, held - counted, at, movement_id=movement_id)
            else:  # as `movements.record_movement` keeps a count: its difference, even 0
                books.add(
                    "count",
                    site_id,
                    item_id,
                    NO_LOT,
                    None,
                    counted - held,
                    at,
                    movement_id=movement_id,
                )
        for shortfall in books.shortfalls:
            if shortfall["site_id"] == site_id and shortfall["resolved_at"] is None:
                shortfall["resolved_at"], shortfall["resolved_by_id"] = at, self.user_id
        db.session.execute(
            update(StockShortfall)
            .where(StockShortfall.site_id == site_id, StockShortfall.resolved_at.is_(None))
            .values(resolved_at=at, resolved_by_id=self.user_id)
        )

    def _bulk(self, site_id: int, at) -> None:
        """A week's bulk hand-out of syringes and needles at an outlet."""
        for item_id in self.bulk_items:
            expected = self.rate[(site_id, item_id)] * 7 * 0.25
            quantity = max(1, round(expected * self.rng.uniform(0.7, 1.3)))
            movement_id = self._movement(site_id, item_id, "handed_out", quantity, at)
            self.books.draw(
                "handed_out",
                site_id,
                item_id,
                quantity,
                at,
                hand_out=True,
                movement_id=movement_id,
            )
            self.used[(site_id, item_id)] += quantity

    # Writing

    def write(self) -> None:
        """The movements and the lines so far, with the balances, shortfalls and monthly flows
        they changed (`Books.write`)."""
        if self.movements:
            insert_many(db.session, StockMovement.__table__, self.movements)
            self.made["stock movements"] += len(self.movements)
            self.movements = []
        if self.books is not None:
            self.made["stock lines"] += len(self.books.lines)
            self.books.write()

    def finish(self) -> dict:
        """What is due until the end, written; running-low levels set at some sites' items
        (about a week's use). Returns what was made."""
        if self.books is None:
            return self.made
        while self.events:
            self._happen(self.events.pop())
        self.write()
        levels = [
            {
                "site_id": site_id,
                "item_id": item_id,
                "running_low_at": rounded_up(self.rate[(site_id, item_id)] * 7),
            }
            for site_id, item_id in sorted(self.rate)
            if self.rng.random() < 0.6
        ]
        if levels:
            db.session.execute(update(StockLevel), levels)
        return self.made


class DemoStock:
    """The demo sites' stock, recorded through `record_movement` as their staff would: every two
    weeks a delivery of each item the demo hands out (`order_up_to`, at the rate the site used
    it), at the end of every fourth week a count, at the pharmacy a weekly bulk hand-out, from
    the DCR to the street team a transfer of swabs now and then; a delivery that did not come,
    a donated naloxone lot close to expiry, and running-low levels for the injecting items.
    The contacts draw their items themselves."""

    DELIVERY_DAYS = 14
    FIRST_GUESS = 6  # units a day a site is expected to use of an item, before it has
    INJECTING = ("syringe_1ml", "needle", "swab", "water_ampoule", "cooker", "filter")
    ITEMS = (*INJECTING, "foil", "crack_pipe", "naloxone_kit")

    def __init__(self, seed: int, start, days: int, codebook, users: dict):
        self.rng = random.Random(seed)
        self.start, self.days, self.codebook = start, days, codebook
        self.admin = users["admin"]
        self.supervisor, self.worker = users.get("supervisor"), users.get("worker")
        self.items = [code for code in self.ITEMS if code in codebook.equipment]
        self.used = defaultdict(int)  # (site code, item code) -> units since the last delivery
        self.rate: dict[tuple, float] = {}
        # A delivery that does not come, three weeks before the end: the site runs short.
        late = max(0, (days - 21) // self.DELIVERY_DAYS * self.DELIVERY_DAYS)
        self.missed = (late, "RTM-LT1", "foil") if late else None

    def _keeper(self, site_code: str):
        """Who records a site's deliveries: its supervisor, or the administrator."""
        supervisor = self.supervisor
        if supervisor is not None and site_code in {site.code for site in supervisor.sites}:
            return supervisor
        return self.admin

    def _counter(self, site_code: str):
        worker = self.worker
        if worker is not None and site_code in {site.code for site in worker.sites}:
            return worker
        return self.admin

    def _record(self, user, at, site_code: str, item: str, kind: str, quantity: int, **fields):
        data = {
            "id": uuid.UUID(int=self.rng.getrandbits(128), version=4),
            "occurred_at": at,
            "site": site_code,
            "item": item,
            "kind": kind,
            "quantity": quantity,
            **{name: None for name in ("to_site", "lot", "expires_on", "source", "reference")},
            "reason": None,
            **fields,
        }
        record_movement(user, data, self.codebook)

    def _on_hand(self, site_code: str) -> dict:
        (site_stock,) = supplies.stock_of_sites([self.codebook.sites[site_code]])
        return {held.item.code: held.on_hand for held in site_stock.items}

    def used_at(self, site_code: str, items: list[dict]) -> None:
        """A contact's items (as sent), to know what each site uses."""
        for item in items:
            self.used[(site_code, item["code"])] += item["quantity"]

    def morning(self, site_code: str, day: int) -> None:
        """Before the day's contacts: the fortnight's delivery."""
        if day % self.DELIVERY_DAYS:
            return
        at = self.start + timedelta(days=day, hours=8)
        on_hand = self._on_hand(site_code)
        for code in self.items:
            pair = (site_code, code)
            guess = self.FIRST_GUESS / (20 if code == "naloxone_kit" else 1)
            if day:  # smoothed, as for the volume
                self.rate[pair] = (
                    self.rate.get(pair, guess) + self.used[pair] / self.DELIVERY_DAYS
                ) / 2
            self.used[pair] = 0
            wanted = order_up_to(self.rate.get(pair, guess) * self.DELIVERY_DAYS)
            quantity = rounded_up(wanted - on_hand.get(code, 0))
            if quantity <= 0 or (day, site_code, code) == self.missed:
                continue
            lot, expires_on = lot_of(code, at.date())
            self._record(
                self._keeper(site_code),
                at,
                site_code,
                code,
                "received",
                quantity,
                lot=lot,
                expires_on=expires_on,
                source="municipality" if site_code.startswith("AMS") else "purchase",
                reference=f"PO-{at:%y%m%d}-{site_code}",
            )
        if site_code == "AMS-DCR1" and self.days - day in range(15, 15 + self.DELIVERY_DAYS):
            # Donated kits of a lot that expires soon: /supplies warns about it.
            self._record(
                self._keeper(site_code),
                at + timedelta(minutes=5),
                site_code,
                "naloxone_kit",
                "received",
                10,
                lot="NAL-DONATED",
                expires_on=(self.start + timedelta(days=self.days + 30)).date(),
                source="donation",
            )

    def evening(self, site_code: str, day: int) -> None:
        """After the day's contacts: the pharmacy's weekly bulk hand-out, a transfer, a count."""
        at = self.start + timedelta(days=day, hours=22, minutes=30)
        if site_code == "UTR-PH1" and day % 7 == 6:
            for code in ("syringe_1ml", "needle"):
                quantity = self.rng.randint(4, 8) * 10
                self.used[(site_code, code)] += quantity
                self._record(self.admin, at, site_code, code, "handed_out", quantity)
        if site_code == "AMS-DCR1" and day % 28 == 20 and self._on_hand(site_code)["swab"] >= 50:
            self.used[(site_code, "swab")] += 50
            self.used[("AMS-OUT1", "swab")] -= 50
            self._record(
                self._keeper(site_code), at, site_code, "swab", "transfer", 50, to_site="AMS-OUT1"
            )
        if day % 28 == 27:
            on_hand = self._on_hand(site_code)
            for code in self.items:
                held = on_hand.get(code, 0)
                lost = self.rng.choice((0, 0, 0, 1, 2)) if held > 10 else 0
                self._record(
                    self._counter(site_code),
                    at + timedelta(minutes=1),
                    site_code,
                    code,
                    "count",
                    held - lost,
                )

    def finish(self) -> None:
        """Running-low levels for the injecting items: about a week's use."""
        for site_code in sorted({site for site, _code in self.rate}):
            levels = {
                self.codebook.equipment[code].id: rounded_up(self.rate[(site_code, code)] * 7)
                for code in self.INJECTING
                if (site_code, code) in self.rate and self.rate[(site_code, code)] > 0
            }
            if levels:
                supplies.set_running_low_levels(
                    self._keeper(site_code), self.codebook.sites[site_code], levels
                )
