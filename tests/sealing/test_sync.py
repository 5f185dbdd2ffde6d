"""Sealed records through `POST /api/v1/sync` and `POST /api/v1/outbox/open`: judged exactly as
plain ones, refused one by one when they do not open, never a 500; key rotation."""

import uuid

import pytest
from sqlalchemy import func, select

from config import TestingConfig
from outreach.audit.models import AuditEvent
from outreach.extensions import db
from outreach.records.models import Contact
from outreach.sealing import keys as seal_keys
from outreach.sealing.envelope import seal_record
from outreach.sealing.keys import keyring, keys_from_pem
from tests.supplies.helpers import movement

KEY = keys_from_pem(TestingConfig.OUTREACH_SEAL_KEY)[0]


@pytest.fixture
def worker(login_as):
    return login_as("worker")


def sealed(record, client, key=KEY):
    return seal_record(record, client.username, key)


def results_of(client, **lists):
    response = client.post("/api/v1/sync", json=lists)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def stored(contact_id) -> int:
    return db.session.execute(
        select(func.count(Contact.id)).where(Contact.id == uuid.UUID(contact_id))
    ).scalar_one()


def test_me_and_the_field_pages_hand_out_the_newest_key(app, worker):
    me = worker.get("/api/v1/me").get_json()
    page = worker.get("/field/contacts/new").get_data(as_text=True)

    assert me["seal_key"] == KEY.public_json()
    assert f'"kid": "{KEY.kid}"' in page and KEY.public_json()["public_key"] in page


def test_a_sealed_contact_is_stored_as_a_plain_one_would_be(app, worker, make_contact):
    contact = make_contact(client_code="ZZSEAL99")

    [result] = results_of(worker, contacts=[sealed(contact, worker)])

    assert result["status"] == "created" and result["id"] == contact["id"]
    assert result["released"] == {"site": "AMS-DCR1", "items": {"syringe_1ml": 20, "swab": 20}}
    with app.app_context():
        stored_contact = db.session.get(Contact, uuid.UUID(contact["id"]))
        assert stored_contact.people_count == 1 and stored_contact.client_id is not None
        assert stored_contact.returned_syringes == 15


def test_sealed_and_plain_of_the_same_content_are_duplicates_of_each_other(
    app, worker, make_contact
):
    first, second = make_contact(), make_contact()

    assert results_of(worker, contacts=[sealed(first, worker)])[0]["status"] == "created"
    # Sent again, sealed anew (another ephemeral key and IV), then plain.
    assert results_of(worker, contacts=[sealed(first, worker)])[0]["status"] == "duplicate"
    assert results_of(worker, contacts=[first])[0]["status"] == "duplicate"
    assert results_of(worker, contacts=[second])[0]["status"] == "created"
    assert results_of(worker, contacts=[sealed(second, worker)])[0]["status"] == "duplicate"
    with app.app_context():
        assert stored(first["id"]) == 1 and stored(second["id"]) == 1


def test_other_content_under_a_stored_id_is_a_conflict(app, worker, make_contact):
    contact = make_contact(referrals=[])
    results_of(worker, contacts=[contact])

    [result] = results_of(worker, contacts=[sealed({**contact, "returned_syringes": 3}, worker)])

    assert result["status"] == "conflict"
    assert result["released"]["items"] == {"syringe_1ml": 20, "swab": 20}


def test_a_sealed_record_that_fails_validation_is_rejected_with_its_fields(worker, make_contact):
    contact = make_contact(site="NOWHERE", people_count=0)

    [result] = results_of(worker, contacts=[sealed(contact, worker)])

    assert result["status"] == "rejected"
    assert {"site", "people_count"} <= set(result["errors"])
    assert result["released"]["site"] == "NOWHERE"


def _tampered(envelope):
    ct = envelope["sealed"]["ct"]
    envelope["sealed"]["ct"] = ct[:-2] + ("A" if ct[-2] != "A" else "B") + ct[-1]
    return envelope


def _swapped(envelope):
    envelope["id"] = str(uuid.uuid4())
    return envelope


def _unknown_key(envelope):
    envelope["sealed"]["kid"] = "0000000000000000"
    return envelope


def _truncated(envelope):
    del envelope["sealed"]["ct"]
    return envelope


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_tampered, "does not open"),
        (_swapped, "does not open"),
        (_unknown_key, "key the server does not hold"),
        (_truncated, "incomplete"),
    ],
    ids=["tampered", "swapped id", "unknown key", "truncated"],
)
def test_an_envelope_that_does_not_open_is_rejected_alone(
    app, worker, make_contact, make_incident, spoil, message
):
    bad, good = make_contact(), make_contact()

    results = results_of(
        worker,
        contacts=[spoil(sealed(bad, worker)), sealed(good, worker)],
        incidents=[sealed(make_incident(), worker)],
    )

    assert [result["status"] for result in results] == ["rejected", "created", "created"]
    assert message in results[0]["errors"]["sealed"][0]
    assert "released" not in results[0]
    with app.app_context():
        assert stored(bad["id"]) == 0 and stored(good["id"]) == 1


def test_another_users_envelope_does_not_open(app, login_as, worker, make_contact):
    other = login_as("worker")
    contact = make_contact()

    [result] = results_of(other, contacts=[sealed(contact, worker)])

    assert result["status"] == "rejected"
    assert "sealed by someone else" in result["errors"]["sealed"][0]


def test_every_kind_of_record_may_come_sealed(app, login_as, make_incident):
    keeper = login_as("supervisor")
    results = results_of(
        keeper,
        incidents=[sealed(make_incident(), keeper)],
        stock_movements=[
            sealed(movement("received", 50), keeper),
            sealed(movement("handed_out", 7), keeper),
        ],
    )

    assert [result["status"] for result in results] == ["created", "created", "created"]
    assert "released" not in results[0] and "released" not in results[1]
    assert results[2]["released"] == {"site": "AMS-DCR1", "items": {"syringe_1ml": 7}}


def test_records_waiting_under_an_older_key_still_open_after_a_rotation(
    app, worker, make_contact, tmp_path
):
    waiting = sealed(make_contact(), worker)  # made on the phone before the rotation
    app.config["OUTREACH_SEAL_KEY_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["rotate-seal-key"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        newest = keyring().newest
    assert newest.kid != KEY.kid and newest.kid in result.output

    assert worker.get("/api/v1/me").get_json()["seal_key"]["kid"] == newest.kid
    statuses = [
        each["status"]
        for each in results_of(worker, contacts=[waiting, sealed(make_contact(), worker, newest)])
    ]
    assert statuses == ["created", "created"]


def test_rotation_without_a_folder_says_so(app):
    app.config["OUTREACH_SEAL_KEY_DIR"] = None

    result = app.test_cli_runner().invoke(args=["rotate-seal-key"])

    assert result.exit_code == 1 and "OUTREACH_SEAL_KEY_DIR" in result.output


def test_the_author_opens_a_sealed_record_to_fix_it_and_it_is_audited(app, worker, make_contact):
    contact = make_contact(client_code="ZZSEAL99")

    response = worker.post("/api/v1/outbox/open", json=sealed(contact, worker))

    assert response.status_code == 200
    assert response.get_json() == {"id": contact["id"], "record": contact}
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "outbox_opened")
        ).scalar_one()
        assert event.target == contact["id"] and event.actor_name == worker.username
        assert "ZZSEAL99" not in event.detail


def test_another_user_cannot_open_it(app, login_as, worker, make_contact):
    other = login_as("supervisor")

    response = other.post("/api/v1/outbox/open", json=sealed(make_contact(), worker))

    assert response.status_code == 422
    assert "sealed by someone else" in response.get_json()["errors"]["sealed"][0]
    with app.app_context():
        assert not db.session.execute(
            select(AuditEvent.id).where(AuditEvent.action == "outbox_opened")
        ).first()


@pytest.mark.parametrize(
    "body",
    [{}, {"id": "x"}, {"id": "x", "sealed": {}}, {"id": "x", "sealed": "text"}, []],
    ids=["empty", "no sealed", "sealed empty", "sealed text", "a list"],
)
def test_a_malformed_open_request_is_a_422(worker, body):
    response = worker.post("/api/v1/outbox/open", json=body)

    assert response.status_code == 422


def test_opening_needs_a_signed_in_user(app, worker, make_contact):
    envelope = sealed(make_contact(), worker)

    assert app.test_client().post("/api/v1/outbox/open", json=envelope).status_code in (400, 401)


def test_the_app_does_not_start_without_a_seal_key(tmp_path):
    from outreach import create_app

    with pytest.raises(RuntimeError, match="No seal key"):
        create_app({"OUTREACH_SEAL_KEY": None, "OUTREACH_SEAL_KEY_DIR": str(tmp_path)})
    assert seal_keys.keys_from_pem("") == []
