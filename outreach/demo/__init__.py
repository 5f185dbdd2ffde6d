"""Demo sites, users and three months of activity for `make run` (`flask demo-data`), and, in
`volume.py`, a large volume for benchmarks. Tools, not the app: only `flask demo-data`, the
tests and the benchmarks use them."""

import random
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select

from outreach.auth.models import User
from outreach.auth.service import create_user
from outreach.catalog.codebook import load_codebook
from outreach.catalog.defaults import DEFAULT_REFERRAL_TYPES
from outreach.catalog.models import Site
from outreach.demo.stock import DemoStock
from outreach.extensions import db
from outreach.ingest.contacts import record_contacts
from outreach.ingest.follow_ups import record_referral_updates
from outreach.ingest.incidents import record_incidents
from outreach.ingest.savepoints import record_one
from outreach.timekeeping import now

# code, name in English, name in Dutch, kind, city
DEMO_SITES = [
    ("AMS-DCR1", "Amsterdam DCR Centrum", "Gebruiksruimte Amsterdam Centrum", "dcr", "Amsterdam"),
    ("AMS-OUT1", "Amsterdam street team", "Veldwerk Amsterdam", "outreach", "Amsterdam"),
    (
        "RTM-LT1",
        "Rotterdam drop-in",
        "Laagdrempelige inloop Rotterdam",
        "low_threshold",
        "Rotterdam",
    ),
    ("UTR-PH1", "Utrecht pharmacy NSP", "Spuitomruil apotheek Utrecht", "pharmacy", "Utrecht"),
]

INJECTING_PACK = {
    "name_en": "Injecting pack",
    "name_nl": "Injectiepakket",
    "items": {"syringe_1ml": 10, "needle": 10, "swab": 10, "water_ampoule": 2},
}
SMOKING_PACK = {
    "name_en": "Smoking pack",
    "name_nl": "Rookpakket",
    "items": {"foil": 5, "crack_pipe": 1},
}

DEMO_USERS = [
    ("admin", "admin", []),
    ("supervisor", "supervisor", ["AMS-DCR1", "AMS-OUT1"]),
    ("worker", "worker", ["AMS-DCR1", "AMS-OUT1"]),
]


def seed_sites() -> None:
    have = set(db.session.execute(select(Site.code)).scalars())
    for code, name_en, name_nl, kind, city in DEMO_SITES:
        if code not in have:
            packs = [INJECTING_PACK] if kind == "pharmacy" else [INJECTING_PACK, SMOKING_PACK]
            db.session.add(
                Site(
                    code=code,
                    name_en=name_en,
                    name_nl=name_nl,
                    kind=kind,
                    city=city,
                    usual_packs=packs,
                )
            )
    db.session.flush()


def seed_users(password: str) -> list[str]:
    """Create the demo logins that do not exist yet; returns the names created."""
    created = []
    for username, role, sites in DEMO_USERS:
        exists = db.session.execute(select(User).where(User.username == username)).scalar()
        if exists is None:
            create_user(username, password, role, sites, check_rules=False)
            created.append(username)
    return created


def seed_activity(days: int = 88, seed: int = 42) -> int:
    """Contacts and incidents for the last `days` days at the demo sites, and the sites' stock
    (`DemoStock`: deliveries, counts, …); returns the count of contacts."""
    rng = random.Random(seed)
    codebook = load_codebook()
    worker = db.session.execute(select(User).where(User.username == "worker")).scalar_one()
    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    clients = [f"DEMO{n:03d}" for n in range(60)]
    injecting = ["syringe_1ml", "needle", "swab", "water_ampoule", "cooker", "filter"]
    smoking = ["foil", "crack_pipe"]
    referral_types = [code for code, *_rest in DEFAULT_REFERRAL_TYPES]
    start = now() - timedelta(days=days)
    users = {user.username: user for user in db.session.execute(select(User)).scalars()}
    stock = DemoStock(seed + 1, start, days, codebook, users)
    count = 0
    for day in range(days):
        for site_code, _name_en, _name_nl, kind, _city in DEMO_SITES:
            stock.morning(site_code, day)
            user = worker if site_code in ("AMS-DCR1", "AMS-OUT1") else admin
            for _n in range(rng.randint(2, 7)):
                occurred_at = start + timedelta(days=day, minutes=rng.randint(9 * 60, 22 * 60))
                group = kind == "outreach" and rng.random() < 0.15
                injects = rng.random() < 0.6
                items = rng.sample(injecting if injects else smoking, k=2 if injects else 1)
                data = {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "occurred_at": occurred_at,
                    "site": site_code,
                    "kind": {"dcr": "dcr_visit", "outreach": "street_outreach"}.get(
                        kind, "nsp_exchange"
                    ),
                    "client_code": None if group or rng.random() < 0.25 else rng.choice(clients),
                    "people_count": rng.randint(2, 5) if group else 1,
                    "on_behalf_of": rng.choice([0, 0, 0, 1, 2]),
                    "gender": None,
                    "birth_year": None,
                    "flags": ["injects"] if injects else ["smokes"],
                    "substances": [rng.choice(["heroin", "cocaine", "crack"])],
                    "route": ("inject" if injects else "smoke") if kind == "dcr" else None,
                    "items": [{"code": code, "quantity": rng.choice([2, 5, 10])} for code in items]
                    + ([{"code": "naloxone_kit", "quantity": 1}] if rng.random() < 0.04 else []),
                    "returned_syringes": rng.choice([None, 0, 2, 5]) if injects else None,
                    "returned_estimated": False,
                    "naloxone_trained": rng.random() < 0.05,
                    "naloxone_refill_reason": None,
                    "overdose_reversals": 0,
                    "referrals": [
                        {
                            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                            "type": rng.choice(referral_types),
                            "referred_to": "",
                        }
                    ]
                    if rng.random() < 0.1
                    else [],
                }
                if data["client_code"] is None:
                    data["gender"] = data["birth_year"] = None
                else:  # the same person keeps the same gender and birth year
                    number = int(data["client_code"][4:])
                    data["gender"] = "f" if number % 3 == 0 else "m"
                    data["birth_year"] = 1965 + number % 35
                record_one(record_contacts, user, data, codebook)
                stock.used_at(site_code, data["items"])
                count += 1
                follow_up_at = occurred_at + timedelta(days=rng.randint(2, 20))
                for referral in data["referrals"]:
                    if rng.random() < 0.6 and follow_up_at < now():
                        status = rng.choice(["attended", "attended", "not_attended", "declined"])
                        update = {
                            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                            "referral_id": referral["id"],
                            "status": status,
                            "occurred_at": follow_up_at,
                        }
                        record_one(record_referral_updates, user, update, codebook)
            if rng.random() < 0.05:
                record_one(
                    record_incidents,
                    user,
                    {
                        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "occurred_at": start + timedelta(days=day, hours=rng.randint(10, 20)),
                        "site": site_code,
                        "kind": "opioid_overdose",
                        "client_code": None,
                        "naloxone_doses": rng.randint(1, 2),
                        "oxygen_given": True,
                        "rescue_breathing": rng.random() < 0.5,
                        "ambulance_called": rng.random() < 0.5,
                        "outcome": rng.choice(["recovered_on_site", "hospital"]),
                    },
                    codebook,
                )
            stock.evening(site_code, day)
    stock.finish()
    return count


def demo_password(configured: str | None) -> tuple[str, bool]:
    """The demo password and whether it was generated (and so must be shown once)."""
    if configured:
        return configured, False
    return secrets.token_urlsafe(9), True
