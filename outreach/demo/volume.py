"""Realistic volume for benchmarks: `flask demo-data --contacts 1000000` (bulk inserts).

Rows go in through SQLAlchemy Core in large batches, not through the sync service: the point is
a big, plausible database fast, for measuring reports and exports on it. Contacts are made in
time order, and each batch is counted into the reports' roll-ups by the same `count_contact` and
`count_incident` the services use, so no rebuild is needed afterwards.
"""

import random
import uuid
from datetime import timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import func, select, update

from outreach.catalog.codebook import load_codebook
from outreach.catalog.models import Site
from outreach.catalog.vocabulary import SITE_KINDS
from outreach.clients.models import Client
from outreach.clients.service import alias_for, client_key
from outreach.database import insert_many
from outreach.demo.stock import VolumeStock
from outreach.extensions import db
from outreach.ingest.contacts import contact_row, item_rows, referral_rows
from outreach.ingest.incidents import incident_row
from outreach.records.models import Contact, ContactItem, Incident, Referral
from outreach.reports import rollups
from outreach.timekeeping import now

BATCH = 20_000
INJECTING = ("syringe_1ml", "needle", "swab", "water_ampoule", "cooker", "filter")
SMOKING = ("foil", "crack_pipe")
AMSTERDAM_WINTER = timezone(timedelta(hours=1))  # the offset the generated phones send
KIND_OF_CONTACT = {"dcr": "dcr_visit", "outreach": "street_outreach", "pharmacy": "pharmacy"}


def _sites(count: int) -> list[Site]:
    sites = list(db.session.execute(select(Site).order_by(Site.id)).scalars())
    kinds = [kind for kind in SITE_KINDS if kind != "other"]
    for number in range(len(sites), count):
        kind = kinds[number % len(kinds)]
        site = Site(
            code=f"GEN-{number + 1:03d}",
            name_en=f"Site {number + 1}",
            name_nl=f"Locatie {number + 1}",
            kind=kind,
            city="Demo",
        )
        db.session.add(site)
        sites.append(site)
    db.session.flush()
    return sites[:count]


def _clients(rng: random.Random, count: int, since) -> dict[int, SimpleNamespace]:
    """`count` new clients; their details by id, as `count_contact` reads them."""
    first = db.session.execute(select(func.coalesce(func.max(Client.id), 0))).scalar_one() + 1
    rows = []
    for number in range(count):
        key = client_key(f"VOLUME{first + number:07d}")
        rows.append(
            {
                "id": first + number,
                "key": key,
                "alias": alias_for(key),
                "gender": rng.choice(["m", "m", "m", "f", "x", None]),
                "birth_year": rng.choice([None, *range(1955, 2004)]),
                "first_seen_at": since,
            }
        )
    for start in range(0, len(rows), BATCH):
        insert_many(db.session, Client.__table__, rows[start : start + BATCH])
    return {
        row["id"]: SimpleNamespace(gender=row["gender"], birth_year=row["birth_year"])
        for row in rows
    }


class _Generator:
    """Makes plausible rows: contacts with items and referrals, and now and then an incident."""

    def __init__(self, rng: random.Random, sites: list[Site], clients: dict, user_id: int):
        self.rng, self.sites, self.clients, self.user_id = rng, sites, clients, user_id
        self.client_ids = list(clients)
        self.codebook = codebook = load_codebook()
        self.referral_types = sorted(codebook.referral_types)
        self.injecting = [code for code in INJECTING if code in codebook.equipment]
        self.smoking = [code for code in SMOKING if code in codebook.equipment]
        self.naloxone = "naloxone_kit" if "naloxone_kit" in codebook.equipment else None

    def _id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def contact(self, occurred_at, site: Site) -> tuple[dict, list[dict], list[dict]]:
        """A contact row with its item rows and referral rows, built by the ingest's own row
        builders from a contact as ContactIn would load it."""
        rng = self.rng
        group = site.kind == "outreach" and rng.random() < 0.1
        injects = rng.random() < 0.6
        flags = ["injects"] if injects else []
        if not injects or rng.random() < 0.3:
            flags.append("smokes")
        if rng.random() < 0.2:
            flags.append("homeless")
        codes = (
            rng.sample(self.injecting, 3)
            if injects
            else [*rng.sample(self.smoking, 2), rng.choice(self.injecting)]
        )
        if self.naloxone and rng.random() < 0.03:
            codes.append(self.naloxone)
        data = {
            "id": self._id(),
            "occurred_at": occurred_at.astimezone(AMSTERDAM_WINTER),
            "kind": KIND_OF_CONTACT.get(site.kind, "nsp_exchange"),
            "people_count": rng.randint(2, 6) if group else 1,
            "on_behalf_of": rng.choice((0, 0, 0, 0, 1, 2)),
            "gender": None,
            "birth_year": None,
            "flags": flags,
            "route": ("inject" if injects else "smoke") if site.kind == "dcr" else None,
            "returned_syringes": rng.choice((None, 0, 5, 10)) if injects else None,
            "returned_estimated": rng.random() < 0.1,
            "naloxone_trained": rng.random() < 0.02,
            "naloxone_refill_reason": None,
            "overdose_reversals": 0,
            "items": [{"code": code, "quantity": rng.choice((1, 2, 5, 10))} for code in codes],
            "referrals": [
                {"id": self._id(), "type": rng.choice(self.referral_types), "referred_to": ""}
            ]
            if rng.random() < 0.1
            else [],
        }
        client_id = None if group or rng.random() < 0.25 else rng.choice(self.client_ids)
        client = SimpleNamespace(id=client_id) if client_id else None
        row = contact_row(self.user_id, site.id, data, "volume", occurred_at, client)
        if rng.random() < 0.005:
            row["voided_at"] = occurred_at
        status = rng.choice(("made", "attended", "attended", "not_attended"))
        return (
            row,
            item_rows(data, self.codebook),
            referral_rows(data, self.codebook, status=status),
        )

    def incident(self, occurred_at, site: Site) -> dict:
        data = {
            "id": self._id(),
            "occurred_at": occurred_at.astimezone(AMSTERDAM_WINTER),
            "kind": "opioid_overdose",
            "naloxone_doses": self.rng.randint(0, 3),
            "oxygen_given": True,
            "rescue_breathing": False,
            "ambulance_called": True,
            "outcome": self.rng.choice(("recovered_on_site", "hospital", "unknown")),
        }
        return incident_row(self.user_id, site.id, data, "volume", occurred_at, None)

    def count(self, row: dict, items: list[dict], referrals: list[dict]) -> None:
        """Count a contact into the roll-ups, as the services count a stored one."""
        rollups.count_contact_rows(
            row,
            items,
            referrals,
            self.clients.get(row["client_id"]),
            self.codebook.item_codes,
            self.codebook.type_codes,
        )


def seed_volume(contacts: int, months: int = 24, sites: int = 30, seed: int = 7) -> dict:
    """`contacts` contacts over the last `months` months at `sites` sites, about three items
    each, a referral at one in ten, an incident per 200, and the sites' stock (`VolumeStock`:
    deliveries, counts, bulk hand-outs, every contact's items drawn); returns what was made."""
    # Another run adds to the volume rather than repeating the same ids.
    seed += db.session.execute(select(func.count(Contact.id))).scalar_one()
    rng = random.Random(seed)
    end = now() - timedelta(hours=1)
    start = end - timedelta(days=round(months * 30.44))
    site_rows = _sites(sites)
    user_id = _admin_id()
    clients = _clients(rng, max(contacts // 40, 100), start)
    make = _Generator(rng, site_rows, clients, user_id)
    stock = VolumeStock(-seed, site_rows, make.codebook, user_id, start, end, contacts)
    first_contacts = {}
    made = {"contacts": 0, "items": 0, "referrals": 0, "incidents": 0}

    # Time order, a slice of the span per batch, as records would arrive.
    batches = max(1, -(-contacts // BATCH))
    slice_seconds = (end - start).total_seconds() / batches
    for batch in range(batches):
        size = contacts * (batch + 1) // batches - contacts * batch // batches
        moments = sorted(
            start + timedelta(seconds=(batch + rng.random()) * slice_seconds) for _ in range(size)
        )
        rows = {Contact: [], ContactItem: [], Referral: [], Incident: []}
        drawn = []  # what the contacts take from stock, in time order
        for occurred_at in moments:
            site = rng.choice(site_rows)
            contact, items, referrals = make.contact(occurred_at, site)
            drawn.append(
                (occurred_at, site.id, contact["id"], items, contact["voided_at"] is not None)
            )
            rows[Contact].append(contact)
            rows[ContactItem].extend(items)
            rows[Referral].extend(referrals)
            if contact["voided_at"] is None:
                make.count(contact, items, referrals)
                if contact["client_id"] is not None:
                    first = (occurred_at, site.id)
                    client = contact["client_id"]
                    first_contacts[client] = min(first_contacts.get(client, first), first)
            if rng.random() < 0.005:
                incident = make.incident(occurred_at, site)
                rows[Incident].append(incident)
                rollups.count_incident(SimpleNamespace(**incident))
        stock.draw(drawn)
        for model, batch_rows in rows.items():
            if batch_rows:
                insert_many(db.session, model.__table__, batch_rows)
        stock.write()
        rollups.write_pending(db.session)
        for name, model in (
            ("contacts", Contact),
            ("items", ContactItem),
            ("referrals", Referral),
            ("incidents", Incident),
        ):
            made[name] += len(rows[model])
    _note_first_contacts(first_contacts)
    made.update(stock.finish())
    return made


def _admin_id() -> int:
    """The volume's records are made by an administrator (the first user, if none is one)."""
    users = db.metadata.tables["users"]
    admin = db.session.execute(
        select(users.c.id).where(users.c.role == "admin").order_by(users.c.id).limit(1)
    ).scalar()
    if admin is None:
        admin = db.session.execute(select(func.min(users.c.id))).scalar_one()
    return admin


def _note_first_contacts(first_contacts: dict) -> None:
    """Where and when each new client was first seen (they are new: nothing earlier exists)."""
    if first_contacts:
        db.session.execute(
            update(Client),
            [
                {"id": client, "first_contact_at": first, "first_site_id": site}
                for client, (first, site) in first_contacts.items()
            ],
        )


def checkpoint() -> None:
    """Move SQLite's write-ahead log into the database file after a bulk load (reads of a huge
    log are slow); nothing to do on PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        db.session.commit()
        with db.engine.connect() as connection:
            # On the driver's connection: outside a transaction, as a checkpoint must be.
            connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
