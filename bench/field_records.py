"""Contacts as a phone sends them to `POST /api/v1/sync`, made up at random for the benchmarks.

Shared by bench/ingest.py and bench/load.py. A contact has two to four items (three on
average), a referral about every third time, and a client code four times out of five, drawn
from a pool of returning clients whose gender and birth year never change.
"""

import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.catalog.defaults import DEFAULT_EQUIPMENT, DEFAULT_REFERRAL_TYPES
from outreach.demo import DEMO_SITES

SITE_CODES = [code for code, *_rest in DEMO_SITES]
ITEM_CODES = [code for code, *_rest in DEFAULT_EQUIPMENT]
REFERRAL_TYPES = [code for code, *_rest in DEFAULT_REFERRAL_TYPES]
ZONE = ZoneInfo("Europe/Amsterdam")
# Well inside OUTREACH_MAX_BACKDATE_DAYS (90), so no contact is refused for its age.
MAX_AGE_MINUTES = 60 * 24 * 60


class ContactMaker:
    """Random contacts in the sync API's shape; the same seed makes the same contacts."""

    def __init__(self, seed: int = 1, clients: int = 2000, sites=SITE_CODES):
        self.rng = random.Random(seed)
        self.client_codes = [f"BENCH{number:05d}" for number in range(clients)]
        self.sites = list(sites)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def occurred_at(self) -> str:
        minutes = self.rng.randint(5, MAX_AGE_MINUTES)
        return (datetime.now(ZONE) - timedelta(minutes=minutes)).isoformat(timespec="seconds")

    def client(self) -> dict:
        """A returning client four times out of five, else an anonymous contact."""
        if self.rng.random() < 0.2:
            return {"client_code": None, "gender": None, "birth_year": None}
        code = self.rng.choice(self.client_codes)
        number = int(code[5:])
        return {"client_code": code, "gender": "fmx"[number % 3], "birth_year": 1960 + number % 40}

    def items(self) -> list[dict]:
        codes = self.rng.sample(ITEM_CODES, k=self.rng.randint(2, 4))
        return [{"code": code, "quantity": self.rng.choice([1, 2, 5, 10, 20])} for code in codes]

    def referrals(self) -> list[dict]:
        if self.rng.random() >= 0.35:
            return []
        return [{"id": self.uuid(), "type": self.rng.choice(REFERRAL_TYPES), "referred_to": "GGD"}]

    def contact(self) -> dict:
        injects = self.rng.random() < 0.6
        return {
            "id": self.uuid(),
            "occurred_at": self.occurred_at(),
            "site": self.rng.choice(self.sites),
            "kind": self.rng.choice(["dcr_visit", "street_outreach", "nsp_exchange", "drop_in"]),
            **self.client(),
            "people_count": 1,
            "flags": ["injects"] if injects else ["smokes"],
            "substances": [self.rng.choice(["heroin", "cocaine", "crack"])],
            "route": "inject" if injects else "smoke",
            "items": self.items(),
            "returned_syringes": self.rng.choice([None, 0, 5, 10]) if injects else None,
            "referrals": self.referrals(),
        }

    def batch(self, size: int) -> list[dict]:
        return [self.contact() for _n in range(size)]
