"""Realistic volume for benchmarks: `flask demo-data --contacts 1000000` (bulk inserts).

Rows go in through SQLAlchemy Core in large batches, not through the sync service: the point is
a big, plausible database fast, for measuring reports and exports on it.
"""

import random
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.catalog.vocabulary import FLAGS, SITE_KINDS
from outreach.clients.models import Client
from outreach.clients.service import alias_for, client_key
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem, Incident, Referral
from outreach.timekeeping import now

BATCH = 20_000
KIND_OF_CONTACT = {"dcr": "dcr_visit", "outreach": "street_outreach", "pharmacy": "pharmacy"}


def _sites(count: int) -> list[Site]:
    sites = list(db.session.execute(select(Site).order_by(Site.id)).scalars())
    kinds = [kind for kind in SITE_KINDS if kind != "other"]
    for number in range(len(sites), count):
        kind = kinds[number % len(kinds)]
        site = Site(code=f"GEN-{number + 1:03d}", name=f"Site {number + 1}", kind=kind, city="Demo")
        db.session.add(site)
        sites.append(site)
    db.session.flush()
    return sites[:count]


def _clients(rng: random.Random, count: int, since) -> list[int]:
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
        db.session.execute(Client.__table__.insert(), rows[start : start + BATCH])
    return [row["id"] for row in rows]


def seed_volume(contacts: int, months: int = 24, sites: int = 30, seed: int = 7) -> dict:
    """`contacts` contacts over the last `months` months at `sites` sites, about three items
    each, a referral at one in ten, an incident per 200; returns what was made."""
    # Another run adds to the volume rather than repeating the same ids.
    rng = random.Random(seed + db.session.execute(select(func.count(Contact.id))).scalar_one())
    end = now() - timedelta(hours=1)
    start = end - timedelta(days=round(months * 30.44))
    span = (end - start).total_seconds()
    site_rows = _sites(sites)
    user_id = db.session.execute(select(func.min(db.metadata.tables["users"].c.id))).scalar_one()
    items = {item.code: item.id for item in db.session.execute(select(EquipmentItem)).scalars()}
    injecting = [
        items[code]
        for code in ("syringe_1ml", "needle", "swab", "water_ampoule", "cooker", "filter")
        if code in items
    ]
    smoking = [items[code] for code in ("foil", "crack_pipe") if code in items]
    naloxone = items.get("naloxone_kit")
    types = list(db.session.execute(select(ReferralType.id)).scalars())
    client_ids = _clients(rng, max(contacts // 40, 100), start)
    flags = list(FLAGS)
    made = {"contacts": 0, "items": 0, "referrals": 0, "incidents": 0}

    contact_rows, item_rows, referral_rows, incident_rows = [], [], [], []

    def flush():
        for model, rows in (
            (Contact, contact_rows),
            (ContactItem, item_rows),
            (Referral, referral_rows),
            (Incident, incident_rows),
        ):
            if rows:
                db.session.execute(model.__table__.insert(), rows)
                rows.clear()

    for _number in range(contacts):
        site = rng.choice(site_rows)
        occurred_at = start + timedelta(seconds=rng.random() * span)
        contact_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        group = site.kind == "outreach" and rng.random() < 0.1
        client_id = None if group or rng.random() < 0.25 else rng.choice(client_ids)
        injects = rng.random() < 0.6
        row = {
            "id": contact_id,
            "occurred_at": occurred_at,
            "utc_offset_minutes": 60,
            "received_at": occurred_at,
            "content_hash": "volume",
            "site_id": site.id,
            "recorded_by_id": user_id,
            "kind": KIND_OF_CONTACT.get(site.kind, "nsp_exchange"),
            "client_id": client_id,
            "people_count": rng.randint(2, 6) if group else 1,
            "on_behalf_of": rng.choice((0, 0, 0, 0, 1, 2)),
            "gender": None,
            "birth_year": None,
            "route": ("inject" if injects else "smoke") if site.kind == "dcr" else None,
            "returned_syringes": rng.choice((None, 0, 5, 10)) if injects else None,
            "returned_estimated": rng.random() < 0.1,
            "naloxone_trained": rng.random() < 0.02,
            "naloxone_refill_reason": None,
            "overdose_reversals": 0,
            "voided_at": occurred_at if rng.random() < 0.005 else None,
            "void_reason": None,
            "voided_by_id": None,
            **{flag: False for flag in flags},
        }
        row["injects"] = injects
        row["smokes"] = not injects or rng.random() < 0.3
        row["homeless"] = rng.random() < 0.2
        contact_rows.append(row)
        chosen = (
            rng.sample(injecting, 3)
            if injects
            else [*rng.sample(smoking, 2), rng.choice(injecting)]
        )
        if naloxone and rng.random() < 0.03:
            chosen.append(naloxone)
        item_rows.extend(
            {"contact_id": contact_id, "item_id": item, "quantity": rng.choice((1, 2, 5, 10))}
            for item in chosen
        )
        made["items"] += len(chosen)
        if rng.random() < 0.1:
            referral_rows.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "contact_id": contact_id,
                    "type_id": rng.choice(types),
                    "referred_to": "",
                    "status": rng.choice(("made", "attended", "attended", "not_attended")),
                    "status_changed_at": occurred_at,
                }
            )
            made["referrals"] += 1
        if rng.random() < 0.005:
            incident_rows.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "occurred_at": occurred_at,
                    "utc_offset_minutes": 60,
                    "received_at": occurred_at,
                    "content_hash": "volume",
                    "site_id": site.id,
                    "recorded_by_id": user_id,
                    "client_id": None,
                    "kind": "opioid_overdose",
                    "naloxone_doses": rng.randint(0, 3),
                    "oxygen_given": True,
                    "rescue_breathing": False,
                    "ambulance_called": True,
                    "outcome": rng.choice(("recovered_on_site", "hospital", "unknown")),
                }
            )
            made["incidents"] += 1
        made["contacts"] += 1
        if len(contact_rows) >= BATCH:
            flush()
    flush()
    return made


def checkpoint() -> None:
    """Move SQLite's write-ahead log into the database file after a bulk load (reads of a huge
    log are slow); nothing to do on PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        db.session.commit()
        with db.engine.connect() as connection:
            # On the driver's connection: outside a transaction, as a checkpoint must be.
            connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
