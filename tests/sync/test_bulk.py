"""A batch's contacts are stored together (one insert per table), and one at a time only after
a clash: the outcome is the same as storing them one by one, in fewer statements."""

import uuid
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import event, select

from outreach.clients.models import Client
from outreach.clients.service import client_key
from outreach.extensions import db
from outreach.identity import content_hash
from outreach.reports.rollups import MonthlyClient
from outreach.sync.service import apply_sync_batch
from tests.reports.test_rollups import snapshot
from tests.sync.helpers import NOTHING, device_time, miss_in_the_lookup


@pytest.fixture
def username(make_user):
    return make_user("worker", sites=["AMS-DCR1"])


def statements_of(engine, work) -> int:
    """How many statements `work()` sends to the database (an executemany counts once)."""
    sent = []

    def count(*_args):
        sent.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(sent)


def test_a_bigger_batch_takes_no_more_statements(as_user, username, make_contact):
    def batch(size):
        return {
            "contacts": [
                make_contact(client_code=f"CODE{number:04d}", gender=None, birth_year=None)
                for number in range(size)
            ]
        }

    counts = []
    for size in (5, 100):
        with as_user(username) as user:
            counts.append(statements_of(db.engine, partial(apply_sync_batch, user, batch(size))))
            db.session.commit()
    # The first batch may also make the rows that hold a site's stock of an item.
    assert counts[1] <= counts[0], counts


def test_contacts_stored_meanwhile_fall_back_to_one_at_a_time(
    as_user, username, make_contact, count_rows, monkeypatch
):
    """Another request stores two of the batch's contacts after the batch looked them up: the
    insert of all of them fails, so each is stored on its own, and only those two are not new."""
    same, changed = make_contact(), make_contact(client_code="OTHER1234")
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [same, changed]})
        db.session.commit()
    miss_in_the_lookup(monkeypatch, same, changed)
    new = [make_contact(client_code=code) for code in ("NEWCODE1", "NEWCODE2", "JADE0101M")]
    batch = {"contacts": [new[0], same, {**changed, "kind": "phone"}, *new[1:]]}
    with as_user(username) as user:
        results = apply_sync_batch(user, batch)
        db.session.commit()
    assert [r["status"] for r in results] == [
        "created",
        "duplicate",
        "conflict",
        "created",
        "created",
    ]
    assert count_rows() == {
        **NOTHING,
        "contacts": 5,
        "contact_items": 10,
        "referrals": 5,
        "clients": 4,  # JADE0101M, OTHER1234, NEWCODE1 and NEWCODE2
    }


def test_a_client_seen_several_times_in_a_batch(app, as_user, username, make_contact):
    """A new client's details are the latest given in the batch, as if sent one by one, and
    the roll-ups say so too."""
    contacts = [
        make_contact(occurred_at=device_time(minutes_ago=30), gender="m", birth_year=1970),
        make_contact(occurred_at=device_time(minutes_ago=90), gender="f", birth_year=None),
        make_contact(occurred_at=device_time(minutes_ago=60), gender=None, birth_year=1975),
    ]
    with as_user(username) as user:
        results = apply_sync_batch(user, {"contacts": contacts})
        db.session.commit()
    assert {r["status"] for r in results} == {"created"}
    with app.app_context():
        client = db.session.execute(select(Client)).scalar_one()
        # Stored in id order, so "latest" is by id: whichever came last there gave its details.
        last_gender = [c["gender"] for c in sorted(contacts, key=lambda c: c["id"]) if c["gender"]]
        last_year = [
            c["birth_year"] for c in sorted(contacts, key=lambda c: c["id"]) if c["birth_year"]
        ]
        assert (client.gender, client.birth_year) == (last_gender[-1], last_year[-1])
        earliest = min(datetime.fromisoformat(c["occurred_at"]) for c in contacts)
        assert client.first_seen_at == earliest
        assert client.first_contact_at == earliest
        copies = db.session.execute(select(MonthlyClient)).scalars().all()
        assert {(row.gender, row.birth_year) for row in copies} == {
            (client.gender, client.birth_year)
        }
        assert sum(row.contacts for row in copies) == 3
    kept = snapshot(app)
    with app.test_request_context():
        from outreach.reports import rollups

        rollups.rebuild()
        db.session.commit()
    assert snapshot(app) == kept


def test_the_content_hash_is_the_one_stored_by_earlier_versions(app, monkeypatch):
    """A record stored before an upgrade and sent again after it must still be a duplicate, so
    the hash of the same content never changes (this digest was made by the first version)."""
    monkeypatch.setitem(app.config, "SECRET_KEY", "test-secret-key")
    monkeypatch.setitem(app.config, "OUTREACH_CLIENT_KEY", "test-client-key")
    data = {
        "id": uuid.UUID("0b5e7c8e-63a1-4c1e-9d7a-3f2b1c0d9e8f"),
        "occurred_at": datetime(2026, 10, 31, 23, 30, tzinfo=timezone(timedelta(hours=1))),
        "site": "AMS-DCR1",
        "kind": "dcr_visit",
        "client_code": "JADE0101M",
        "people_count": 1,
        "on_behalf_of": 0,
        "gender": "f",
        "birth_year": 1980,
        "flags": ["smokes", "injects"],
        "substances": ["heroin"],
        "route": "inject",
        "items": [{"code": "syringe_1ml", "quantity": 10}, {"code": "needle", "quantity": 10}],
        "returned_syringes": 4,
        "returned_estimated": False,
        "naloxone_trained": True,
        "naloxone_refill_reason": None,
        "overdose_reversals": 0,
        "referrals": [
            {
                "id": uuid.UUID("7d1f0e2a-1b3c-4d5e-8f90-a1b2c3d4e5f6"),
                "type": "hcv_test",
                "referred_to": "GGD",
            }
        ],
    }
    with app.test_request_context():
        assert content_hash("contact", data, client_key(data["client_code"])) == (
            "61be6ddf19f37dfb2e9668d2ae1d3349f0559098aff36f021fcf2ff0c48c199c"
        )


def test_a_client_code_keeps_the_pseudonym_of_earlier_versions(app, monkeypatch):
    """Clients are found by their pseudonym: a new way of computing it must give the same one
    (this digest was made by the first version, with hmac.new)."""
    monkeypatch.setitem(app.config, "OUTREACH_CLIENT_KEY", "test-client-key")
    with app.test_request_context():
        assert client_key("jade-0101 m") == (
            "0612176d44ebe9dc6fe7ce3eb5e7be8c95f002ae6312d30ab357816914456c1c"
        )
