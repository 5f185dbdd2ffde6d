"""Two devices (or tabs) sending the same records at the same moment (DESIGN §6, §8).

The primary key decides, not a check-then-insert: every id ends up as one row, and each sender
hears `created` or `duplicate` for it, never a 500 or a `conflict`.
"""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from uuid import UUID

import pytest
from sqlalchemy import func, select

from outreach.clients.models import Client
from outreach.clients.service import client_key
from outreach.extensions import db
from outreach.records.models import Contact, Incident, Referral, ReferralStatusChange
from tests.conftest import ApiClient
from tests.sync.helpers import device_time, new_id

ROUNDS = 20
SENDERS = 2


def _rows_with_ids(model, ids) -> int:
    query = select(func.count()).select_from(model).where(model.id.in_([UUID(i) for i in ids]))
    return db.session.execute(query).scalar_one()


def send_together(devices, batches) -> list[tuple[int, dict]]:
    """Post one batch per device, all released at once; (status code, JSON) per device."""
    barrier = Barrier(len(devices), timeout=30)

    def send(device, batch):
        barrier.wait()
        response = device.post("/api/v1/sync", json=batch)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(devices)) as pool:
        futures = [
            pool.submit(send, device, batch) for device, batch in zip(devices, batches, strict=True)
        ]
        return [future.result(timeout=60) for future in futures]


def outcomes_by_id(answers) -> dict[str, list[str]]:
    """Every record id, with the status each sender heard for it."""
    heard = {}
    for status_code, body in answers:
        assert status_code == 200, body
        for result in body["results"]:
            heard.setdefault(result["id"], []).append(result["status"])
    return heard


def race_the_same_batch(app, make_user, make_contact, make_incident, rounds=ROUNDS):
    username = make_user("worker")
    devices = [ApiClient(app.test_client(), username) for _ in range(SENDERS)]
    contact_ids, incident_ids, update_ids, referral_ids = [], [], [], []
    for round_number in range(rounds):
        # A new client code every round, so the client row is raced for too.
        contact = make_contact(client_code=f"RACE{round_number:04d}")
        incident = make_incident()
        update = {
            "id": new_id(),
            "referral_id": contact["referrals"][0]["id"],
            "status": "attended",
            "occurred_at": device_time(),
        }
        batch = {"contacts": [contact], "incidents": [incident], "referral_updates": [update]}
        heard = outcomes_by_id(send_together(devices, [batch] * SENDERS))
        assert set(heard) == {contact["id"], incident["id"], update["id"]}
        for record_id, statuses in heard.items():
            assert sorted(statuses) == ["created", "duplicate"], (round_number, record_id, heard)
        contact_ids.append(contact["id"])
        incident_ids.append(incident["id"])
        update_ids.append(update["id"])
        referral_ids.append(contact["referrals"][0]["id"])

    with app.app_context():
        assert _rows_with_ids(Contact, contact_ids) == rounds
        assert _rows_with_ids(Incident, incident_ids) == rounds
        assert _rows_with_ids(ReferralStatusChange, update_ids) == rounds
        assert _rows_with_ids(Referral, referral_ids) == rounds
        keys = [client_key(f"RACE{round_number:04d}") for round_number in range(rounds)]
        clients = select(func.count()).select_from(Client).where(Client.key.in_(keys))
        assert db.session.execute(clients).scalar_one() == rounds
        referral_statuses = select(Referral.status).where(
            Referral.id.in_([UUID(i) for i in referral_ids])
        )
        assert set(db.session.execute(referral_statuses).scalars()) == {"attended"}


def test_the_same_batch_sent_twice_at_once_is_stored_once(
    app, make_user, make_contact, make_incident
):
    race_the_same_batch(app, make_user, make_contact, make_incident)


@pytest.mark.postgresql
def test_the_same_batch_sent_twice_at_once_is_stored_once_on_postgresql(
    app, make_user, make_contact, make_incident
):
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    race_the_same_batch(app, make_user, make_contact, make_incident)


def test_overlapping_batches_in_opposite_orders_do_not_deadlock(app, make_user, make_contact):
    """Records are stored in id order, so two senders take their row locks in the same order."""
    username = make_user("worker")
    devices = [ApiClient(app.test_client(), username) for _ in range(SENDERS)]
    ids = []
    for _round in range(ROUNDS // 2):
        contacts = [make_contact(client_code=None) for _ in range(4)]
        batches = [{"contacts": contacts}, {"contacts": contacts[::-1]}]
        heard = outcomes_by_id(send_together(devices, batches))
        for record_id, statuses in heard.items():
            assert sorted(statuses) == ["created", "duplicate"], (record_id, heard)
        ids.extend(contact["id"] for contact in contacts)
    with app.app_context():
        assert _rows_with_ids(Contact, ids) == len(ids)
