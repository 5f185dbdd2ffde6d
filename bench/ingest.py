"""Ingest rate: contacts per second through `POST /api/v1/sync`, beside a raw insert.

In one process, on a fresh SQLite file database (migrated, demo catalog and sites, one worker
at every site, and a delivery of every item at every site, so each contact draws its items from
stock as it would in a real week rather than as shortfalls): a Flask test client signs in
through /api/v1/auth/login and syncs batches of 100 contacts (about three items each, a
referral every third contact, a client code on four out of five), 20,000 contacts by default,
their JSON bodies encoded beforehand (as a phone sends them). Every result must come back `created`.

Beside it, the same contacts as plain rows (contacts, contact_items, referrals) inserted with
SQLAlchemy Core into another fresh database, 100 rows per transaction, with the rows built
beforehand and the clients already there: what the database alone costs. The app does more
(validation, content hash, client pseudonyms, substances, monthly roll-ups, the stock ledger),
so the ratio shows the price of all that. Goal (issue): at least 2,000 contacts/s and a quarter
of the raw rate. Since supplies a contact also writes a ledger line per item: a third raw run
inserts those too, for the ratio to what the database alone costs for every row stored.

Run with `make bench`, or alone: `.venv/bin/python bench/ingest.py [--contacts N]`;
`--profile` runs the API part under cProfile and prints its top costs.
"""

import argparse
import cProfile
import json
import os
import platform
import pstats
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from field_records import ITEM_CODES, MAX_AGE_MINUTES, SITE_CODES, ContactMaker
from flask_migrate import upgrade
from sqlalchemy import select

from config import TestingConfig
from outreach import create_app
from outreach.auth.models import User
from outreach.auth.service import create_user
from outreach.catalog.codebook import load_codebook
from outreach.catalog.defaults import seed_catalog
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.clients.models import Client
from outreach.clients.service import alias_for, client_key
from outreach.demo import seed_sites
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem, Referral
from outreach.sealing.envelope import seal_record
from outreach.sealing.keys import keys_from_pem
from outreach.supplies.models import StockEntry, StockShortfall
from outreach.supplies.movements import load_movement, record_movement
from outreach.supplies.schemas import StockMovementIn

BATCH = 100
PASSWORD = "correct horse battery staple"
SECRETS = {"SECRET_KEY": "bench", "OUTREACH_CLIENT_KEY": "bench"}
GOAL_RATE = 2000
GOAL_RATIO = 0.25
PROFILE_PATH = "/tmp/outreach-ingest.prof"


@dataclass
class Measured:
    """How long storing some contacts took, on the clock and in this process's CPU time."""

    contacts: int
    wall_seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.contacts / self.wall_seconds

    @property
    def cpu_rate(self) -> float:
        return self.contacts / self.cpu_seconds


@contextmanager
def stopwatch(contacts: int):
    """Yields a list that holds the Measured once the block is done."""
    result = []
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result.append(Measured(contacts, time.perf_counter() - wall, time.process_time() - cpu))


def fresh_app(folder: str, name: str, stocked: bool = False):
    """An app on a new SQLite file, migrated, with the demo catalog and sites and one worker;
    `stocked`: and a delivery of every item at every site, enough for the whole bench."""
    app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / name}"})
    with app.test_request_context():
        upgrade()
        seed_catalog()
        seed_sites()
        create_user("bench", PASSWORD, "worker", SITE_CODES)
        if stocked:
            deliver_everything(create_user("bench-admin", PASSWORD, "admin", []))
        db.session.commit()
    return app


def deliver_everything(admin) -> None:
    """A delivery of every item at every site, recorded as a supervisor's page records it."""
    codebook, schema = load_codebook(), StockMovementIn()
    delivered_at = (datetime.now(UTC) - timedelta(minutes=MAX_AGE_MINUTES + 60)).isoformat()
    for site in SITE_CODES:
        for item in ITEM_CODES:
            delivery = {
                "id": str(uuid.uuid4()),
                "occurred_at": delivered_at,
                "site": site,
                "item": item,
                "kind": "received",
                "quantity": 1_000_000,
                "source": "purchase",
            }
            record_movement(admin, load_movement(schema, delivery, admin, codebook), codebook)


def rate(measured: Measured) -> float:
    return measured.rate


def batches(contacts: list[dict]) -> list[list[dict]]:
    return [contacts[start : start + BATCH] for start in range(0, len(contacts), BATCH)]


# Through the API


def signed_in_client(app):
    """A test client signed in through the JSON API, and the CSRF token it was given."""
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"username": "bench", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client, response.get_json()["csrf_token"]


def request_bodies(contacts: list[dict], sealed_by: str | None = None) -> list[bytes]:
    """The JSON bodies of the batches, encoded beforehand: the phone does that, not the server.
    Each carries the phone's clock as a phone sends it (`sent_at`; right, so nothing is
    corrected: the bench runs well within the 2 minutes a clock may be off). `sealed_by`: each
    contact sealed as that user's phone seals it, one ephemeral key per page load of 100
    records."""
    sent_at = datetime.now(UTC).isoformat()
    if sealed_by is not None:
        key = keys_from_pem(TestingConfig.OUTREACH_SEAL_KEY)[0]
        sealed = []
        for batch in batches(contacts):
            ephemeral = ec.generate_private_key(ec.SECP256R1())
            sealed.append([seal_record(contact, sealed_by, key, ephemeral) for contact in batch])
        return [json.dumps({"sent_at": sent_at, "contacts": batch}).encode() for batch in sealed]
    return [
        json.dumps({"sent_at": sent_at, "contacts": batch}).encode() for batch in batches(contacts)
    ]


def sync_all(client, csrf_token: str, bodies: list[bytes]) -> None:
    """Send every batch; each record must be answered `created`."""
    for body in bodies:
        response = client.post(
            "/api/v1/sync",
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": csrf_token},
        )
        assert response.status_code == 200, response.get_json()
        statuses = {result["status"] for result in response.get_json()["results"]}
        assert statuses == {"created"}, response.get_json()["results"][:3]


def through_api(
    folder: str, contacts: list[dict], profile: bool = False, sealed: bool = False, name="api"
) -> Measured:
    """Store the contacts through `POST /api/v1/sync` (`sealed`: as phones seal them) into a
    database of its own (`name`); checks they were all stored."""
    app = fresh_app(folder, f"{name}.db", stocked=True)
    client, csrf_token = signed_in_client(app)
    bodies = request_bodies(contacts, sealed_by="bench" if sealed else None)
    profiler = cProfile.Profile() if profile else None
    with stopwatch(len(contacts)) as measured:
        if profiler:
            profiler.runcall(sync_all, client, csrf_token, bodies)
        else:
            sync_all(client, csrf_token, bodies)
    with app.app_context():
        stored = db.session.scalar(select(db.func.count(Contact.id)))
        short = db.session.scalar(select(db.func.count(StockShortfall.id)))
        db.engine.dispose()
    assert stored == len(contacts), f"{stored} stored of {len(contacts)}"
    assert short == 0, f"{short} shortfalls: the sites were meant to hold enough"
    if profiler:
        profiler.dump_stats(PROFILE_PATH)
        print(f"\nTop costs of the API ingest (cProfile; all in {PROFILE_PATH}):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"outreach|orm/session", 30)
    return measured[0]


# Raw SQLAlchemy Core


def codes_to_ids(model) -> dict[str, int]:
    return {row.code: row.id for row in db.session.execute(select(model.code, model.id))}


def insert_clients(contacts: list[dict]) -> dict[str, int]:
    """The contacts' clients, inserted beforehand (not timed); returns their ids by code."""
    codes = sorted({contact["client_code"] for contact in contacts if contact["client_code"]})
    first_seen = datetime.now(UTC)
    db.session.execute(
        Client.__table__.insert(),
        [
            {
                "key": client_key(code),
                "alias": alias_for(client_key(code)),
                "first_seen_at": first_seen,
            }
            for code in codes
        ],
    )
    keys = {client_key(code): code for code in codes}
    rows = db.session.execute(select(Client.key, Client.id))
    return {keys[key]: client_id for key, client_id in rows}


def table_rows(contacts: list[dict], user_id: int, client_ids: dict[str, int]) -> list[tuple]:
    """Each batch as (contact rows, item rows, referral rows, ledger lines), ready for Core
    inserts."""
    sites, items, types = (
        codes_to_ids(Site),
        codes_to_ids(EquipmentItem),
        codes_to_ids(ReferralType),
    )
    received_at = datetime.now(UTC)
    prepared = []
    for batch in batches(contacts):
        contact_rows, item_rows, referral_rows, lines = [], [], [], []
        for contact in batch:
            contact_id = uuid.UUID(contact["id"])
            occurred_at = datetime.fromisoformat(contact["occurred_at"])
            contact_rows.append(
                {
                    "id": contact_id,
                    "occurred_at": occurred_at,
                    "utc_offset_minutes": int(occurred_at.utcoffset().total_seconds() // 60),
                    "received_at": received_at,
                    "content_hash": contact_id.hex * 2,
                    "site_id": sites[contact["site"]],
                    "recorded_by_id": user_id,
                    "kind": contact["kind"],
                    "client_id": client_ids.get(contact["client_code"]),
                    "people_count": contact["people_count"],
                    "gender": contact["gender"],
                    "birth_year": contact["birth_year"],
                    "injects": "injects" in contact["flags"],
                    "smokes": "smokes" in contact["flags"],
                    "route": contact["route"],
                    "returned_syringes": contact["returned_syringes"],
                }
            )
            item_rows += [
                {
                    "contact_id": contact_id,
                    "item_id": items[item["code"]],
                    "quantity": item["quantity"],
                }
                for item in contact["items"]
            ]
            lines += [
                {
                    "kind": "contact",
                    "occurred_at": occurred_at,
                    "recorded_at": received_at,
                    "site_id": sites[contact["site"]],
                    "item_id": items[item["code"]],
                    "lot": "",
                    "expires_on": None,
                    "quantity": -item["quantity"],
                    "movement_id": None,
                    "contact_id": contact_id,
                    "other_site_id": None,
                }
                for item in contact["items"]
            ]
            referral_rows += [
                {
                    "id": uuid.UUID(referral["id"]),
                    "contact_id": contact_id,
                    "type_id": types[referral["type"]],
                    "referred_to": referral["referred_to"],
                    "status": "made",
                    "status_changed_at": occurred_at,
                }
                for referral in contact["referrals"]
            ]
        prepared.append((contact_rows, item_rows, referral_rows, lines))
    return prepared


def raw_insert(folder: str, contacts: list[dict], ledger: bool = False) -> Measured:
    """Insert the contacts' rows with SQLAlchemy Core, one transaction per batch of 100;
    `ledger`: and each contact's ledger lines (one per item, as the app writes them)."""
    app = fresh_app(folder, "raw-ledger.db" if ledger else "raw.db")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "bench"))
        client_ids = insert_clients(contacts)
        db.session.commit()
        prepared = table_rows(contacts, user_id, client_ids)
        db.session.commit()  # ends the session's transaction: SQLite has one writer at a time
        tables = [Contact.__table__, ContactItem.__table__, Referral.__table__]
        if ledger:
            tables.append(StockEntry.__table__)
        else:
            prepared = [batch[:3] for batch in prepared]
        with stopwatch(len(contacts)) as measured, db.engine.connect() as connection:
            for batch in prepared:
                with connection.begin():
                    for table, rows in zip(tables, batch, strict=True):
                        if rows:
                            connection.execute(table.insert(), rows)
        stored = db.session.scalar(select(db.func.count(Contact.id)))
        db.engine.dispose()
    assert stored == len(contacts), f"{stored} stored of {len(contacts)}"
    return measured[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=int(os.environ.get("BENCH_INGEST", 20000)))
    parser.add_argument("--profile", action="store_true", help="profile the API part (cProfile)")
    args = parser.parse_args()
    contacts = ContactMaker(seed=7).batch(args.contacts)
    print(
        f"\ningest: {len(contacts):,} contacts in batches of {BATCH}, SQLite file, one process "
        f"({platform.machine()}, {os.cpu_count()} cores, load average "
        f"{', '.join(f'{load:.2f}' for load in os.getloadavg())})"
    )
    with tempfile.TemporaryDirectory() as folder:
        api = through_api(folder, contacts, profile=args.profile)
        # Plain and sealed alternate, twice each, and the faster of each is compared: the
        # machine's noise is larger than the difference sought.
        sealed = through_api(folder, contacts, sealed=True, name="sealed-1")
        again = through_api(folder, contacts, name="plain-2")
        sealed = max(sealed, through_api(folder, contacts, sealed=True, name="sealed-2"), key=rate)
        api = max(api, again, key=rate)
        raw = raw_insert(folder, contacts)
        raw_ledger = raw_insert(folder, contacts, ledger=True)
    print(
        f"POST /api/v1/sync:     {api.rate:8,.0f} contacts/s ({api.wall_seconds:.1f} s; "
        f"{api.cpu_rate:,.0f}/s of CPU time)   goal {GOAL_RATE:,}"
    )
    print(
        f"  sealed by the phone: {sealed.rate:8,.0f} contacts/s ({sealed.wall_seconds:.1f} s; "
        f"{sealed.rate / api.rate:.2f} of plain)   goal at least 0.85 of plain"
    )
    print(
        f"raw SQLAlchemy Core:   {raw.rate:8,.0f} contacts/s ({raw.wall_seconds:.1f} s; "
        f"{raw.cpu_rate:,.0f}/s of CPU time)"
    )
    print(f"ratio:                 {api.rate / raw.rate:8.3f}   goal at least {GOAL_RATIO}")
    print(
        f"raw, with ledger lines: {raw_ledger.rate:7,.0f} contacts/s "
        f"({raw_ledger.wall_seconds:.1f} s)   ratio {api.rate / raw_ledger.rate:.3f}"
    )


if __name__ == "__main__":
    main()
