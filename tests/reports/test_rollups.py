"""The roll-ups always equal the records: after syncs, late arrivals, follow-ups and voids,
and after a rebuild, the monthly report read from them is the report computed from records."""

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.clients.models import Client
from outreach.extensions import db
from outreach.reports import rollups
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.timekeeping import month_of, months_between
from tests.conftest import ApiClient

ITEMS = ["syringe_1ml", "syringe_2ml", "needle", "foil", "naloxone_kit"]
TYPES = ["hcv_test", "hiv_test", "ost"]
SITES = ["AMS-DCR1", "AMS-OUT1"]


def device_time(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def random_contact(rng: random.Random) -> dict:
    group = rng.random() < 0.15
    contact = {
        "id": str(uuid.uuid4()),
        "occurred_at": device_time(rng.uniform(0.1, 80)),
        "site": rng.choice(SITES),
        "kind": rng.choice(["dcr_visit", "street_outreach", "nsp_exchange"]),
        "client_code": None if group or rng.random() < 0.3 else f"CLIENT{rng.randint(1, 12)}",
        "people_count": rng.randint(2, 4) if group else 1,
        "flags": rng.sample(["injects", "smokes", "homeless", "sex_work"], rng.randint(0, 2)),
        "route": rng.choice([None, "inject", "smoke"]),
        "items": [
            {"code": code, "quantity": rng.randint(1, 20)}
            for code in rng.sample(ITEMS, rng.randint(0, 3))
        ],
        "returned_syringes": rng.choice([None, 0, 7]),
        "returned_estimated": rng.random() < 0.3,
        "naloxone_trained": rng.random() < 0.2,
        "overdose_reversals": rng.choice([0, 0, 1]),
        "referrals": [
            {"id": str(uuid.uuid4()), "type": code, "referred_to": ""}
            for code in rng.sample(TYPES, rng.choice([0, 0, 1, 2]))
        ],
    }
    if contact["client_code"]:
        number = int(contact["client_code"][6:])
        contact["gender"] = "f" if number % 2 else "m"
        contact["birth_year"] = 1960 + number * 3
    return contact


def random_incident(rng: random.Random) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": device_time(rng.uniform(0.1, 80)),
        "site": rng.choice(SITES),
        "kind": rng.choice(["opioid_overdose", "stimulant_overdose"]),
        "naloxone_doses": rng.randint(0, 3),
        "outcome": rng.choice(["hospital", "recovered_on_site"]),
    }


def reports_agree(app) -> None:
    with app.test_request_context():
        sites = list(db.session.execute(select(Site).order_by(Site.code)).scalars())
        now = datetime.now(UTC)
        months = months_between(month_of(now - timedelta(days=95)), month_of(now))
        kept = {key: value for key, value in monthly_report(months, sites).values.items() if value}
        direct = {key: value for key, value in direct_report(months, sites).values.items() if value}
        assert kept == direct
        assert kept, "the data set made no numbers at all"


def snapshot(app) -> dict:
    with app.app_context():
        counts = {
            (row.month, row.site_id, row.indicator, row.breakdown): row.value
            for row in db.session.execute(select(rollups.MonthlyCount)).scalars()
            if row.value
        }
        clients = {
            (row.month, row.site_id, row.client_id): (
                row.contacts,
                row.injects,
                row.smokes,
                row.gender,
                row.birth_year,
            )
            for row in db.session.execute(select(rollups.MonthlyClient)).scalars()
            if row.contacts
        }
        first = {
            client.id: (client.first_contact_at, client.first_site_id)
            for client in db.session.execute(select(Client)).scalars()
        }
        return {"counts": counts, "clients": clients, "first": first}


@pytest.fixture
def team(app, make_user):
    worker = ApiClient(app.test_client(), make_user("worker", sites=SITES))
    supervisor = ApiClient(app.test_client(), make_user("supervisor", sites=SITES))
    return worker, supervisor


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_follow_syncs_follow_ups_and_voids(app, team, seed):
    rng = random.Random(seed)
    worker, supervisor = team
    contacts = [random_contact(rng) for _ in range(40)]
    incidents = [random_incident(rng) for _ in range(6)]
    bad = random_contact(rng) | {"items": [{"code": "nope", "quantity": 1}]}
    results = worker.sync(contacts=[*contacts[:30], bad], incidents=incidents).get_json()
    assert [r["status"] for r in results["results"]].count("rejected") == 1
    reports_agree(app)

    # Late arrivals, a retry (duplicate: counted once), follow-ups in both directions, and a
    # client whose gender and birth year are corrected at a later contact.
    worker.sync(contacts=contacts[25:])
    corrected = random_contact(rng) | {
        "client_code": "CLIENT1",
        "people_count": 1,
        "gender": "x",
        "birth_year": 1999,
    }
    assert worker.sync(contacts=[corrected]).get_json()["results"][0]["status"] == "created"
    referrals = [r for contact in contacts for r in contact["referrals"]]
    for referral, status in zip(referrals, ["attended", "declined", "attended"], strict=False):
        update = {
            "id": str(uuid.uuid4()),
            "referral_id": referral["id"],
            "status": status,
            "occurred_at": device_time(0.01),
        }
        assert worker.sync(referral_updates=[update]).get_json()["results"][0]["status"] == (
            "created"
        )
    if referrals:
        undo = {
            "id": str(uuid.uuid4()),
            "referral_id": referrals[0]["id"],
            "status": "not_attended",
            "occurred_at": device_time(0.005),
        }
        worker.sync(referral_updates=[undo])
    reports_agree(app)

    # Voids, including each client's first contact, and an incident.
    firsts = {}
    for contact in sorted(contacts, key=lambda c: c["occurred_at"]):
        if contact["client_code"]:
            firsts.setdefault(contact["client_code"], contact["id"])
    to_void = [*list(firsts.values())[:4], *[c["id"] for c in rng.sample(contacts, 5)]]
    for contact_id in dict.fromkeys(to_void):
        response = supervisor.post(f"/api/v1/contacts/{contact_id}/void", json={"reason": "test"})
        assert response.status_code == 200, response.get_json()
    supervisor.post(f"/api/v1/incidents/{incidents[0]['id']}/void", json={"reason": "test"})
    reports_agree(app)

    # A rebuild from the records finds exactly what was kept up to date.
    kept = snapshot(app)
    with app.test_request_context():
        rollups.rebuild()
        db.session.commit()
    assert snapshot(app) == kept


def test_a_batch_sent_by_two_phones_at_once_is_counted_once(app, make_user):
    """Whichever request stores a record counts it; the other finds a duplicate and adds
    nothing (on PostgreSQL the two really race)."""
    rng = random.Random(9)
    username = make_user("worker", sites=SITES)
    phones = [ApiClient(app.test_client(), username) for _ in range(2)]
    for _round in range(5):
        batch = {
            "contacts": [random_contact(rng) for _ in range(5)],
            "incidents": [random_incident(rng)],
        }
        barrier = threading.Barrier(2)
        answers = []

        def send(phone, batch=batch, barrier=barrier, answers=answers):
            barrier.wait()
            answers.append(phone.post("/api/v1/sync", json=batch).status_code)

        threads = [threading.Thread(target=send, args=(phone,)) for phone in phones]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200, 200]
    reports_agree(app)


def test_the_trends_report_has_the_totals_of_the_full_report(app, team):
    rng = random.Random(5)
    worker, _supervisor = team
    worker.sync(
        contacts=[random_contact(rng) for _ in range(30)],
        incidents=[random_incident(rng) for _ in range(3)],
    )
    with app.test_request_context():
        sites = list(db.session.execute(select(Site).order_by(Site.code)).scalars())
        now = datetime.now(UTC)
        months = months_between(month_of(now - timedelta(days=95)), month_of(now))
        full = monthly_report(months, sites).values
        trends = {
            key: value
            for key, value in monthly_report(months, sites, trends=True).values.items()
            if value
        }
        assert trends
        assert all(key[1] == "ALL" for key in trends)
        assert trends == {key: full[key] for key in trends}
        for name in ("contacts", "unique_clients", "syringes_distributed", "referrals_made"):
            assert any(key[2] == name for key in trends), name
