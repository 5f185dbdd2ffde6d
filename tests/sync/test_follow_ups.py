"""`POST /api/v1/sync` with referral follow-ups: the latest sets a referral's status."""

from uuid import UUID

import pytest

from outreach.extensions import db
from outreach.records.models import Referral
from tests.sync.helpers import (
    DROP,
    NOTHING,
    SYNC,
    assert_messages_listed,
    assert_rejected,
    device_time,
    follow_up,
    new_id,
    only_result,
    referral_status,
    results_of,
    statuses,
)

# Referral follow-ups


@pytest.mark.parametrize("status", ["attended", "unknown"])
def test_follow_up_in_the_same_batch_sets_the_referral_status(
    worker, make_contact, count_rows, status
):
    contact = make_contact()
    update = follow_up(contact["referrals"][0]["id"], status)
    response = worker.sync(contacts=[contact], referral_updates=[update])
    results = results_of(response)
    assert [(r["type"], r["status"]) for r in results] == [
        ("contact", "created"),
        ("referral_update", "created"),
    ]
    assert referral_status(worker, contact) == status
    assert count_rows()["referral_status_changes"] == 1


def test_follow_up_listed_before_its_contact_still_finds_it(worker, make_contact):
    contact = make_contact()
    update = follow_up(contact["referrals"][0]["id"])
    body = {"referral_updates": [update], "contacts": [contact]}
    response = worker.post(SYNC, json=body)
    assert statuses(response) == ["created", "created"]


def test_follow_up_in_a_later_batch(worker, make_contact):
    contact = make_contact()
    worker.sync(contacts=[contact])
    assert referral_status(worker, contact) == "made"
    update = follow_up(contact["referrals"][0]["id"], "declined")
    assert statuses(worker.sync(referral_updates=[update])) == ["created"]
    assert referral_status(worker, contact) == "declined"


def test_follow_up_of_an_unknown_referral_is_rejected(worker, count_rows):
    response = worker.sync(referral_updates=[follow_up(new_id())])
    result = assert_rejected(response, "referral_id")
    assert result["type"] == "referral_update"
    assert count_rows() == NOTHING


def test_follow_up_of_a_rejected_contact_in_the_same_batch_is_rejected(
    worker, make_contact, count_rows
):
    contact = make_contact(site="NOWHERE")
    update = follow_up(contact["referrals"][0]["id"])
    results = results_of(worker.sync(contacts=[contact], referral_updates=[update]))
    assert [result["status"] for result in results] == ["rejected", "rejected"]
    assert "referral_id" in results[1]["errors"]
    assert count_rows() == NOTHING


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"status": "made"}, "status"),
        ({"status": "cured"}, "status"),
        ({"referral_id": "not-a-uuid"}, "referral_id"),
        ({"occurred_at": device_time(minutes_ago=-60)}, "occurred_at"),
    ],
    ids=["status-made", "status-unknown", "bad-referral-id", "future"],
)
def test_bad_follow_up_is_rejected(worker, make_contact, count_rows, overrides, field):
    contact = make_contact()
    worker.sync(contacts=[contact])
    rows = count_rows()
    update = {**follow_up(contact["referrals"][0]["id"]), **overrides}
    assert_rejected(worker.sync(referral_updates=[update]), field)
    assert count_rows() == rows
    assert referral_status(worker, contact) == "made"


def test_more_bad_follow_ups_are_each_rejected_with_their_field(worker, make_contact, count_rows):
    contact = make_contact()
    worker.sync(contacts=[contact])
    rows = count_rows()
    referral_id = contact["referrals"][0]["id"]
    cases = [
        ({"status": None}, "status"),
        ({"status": DROP}, "status"),
        ({"referral_id": DROP}, "referral_id"),
        ({"occurred_at": "soon"}, "occurred_at"),
        ({"occurred_at": device_time(minutes_ago=60 * 24 * 100)}, "occurred_at"),
        ({"id": "nope"}, "id"),
        ({"notes": "went well"}, "notes"),
    ]
    updates = [
        {
            key: value
            for key, value in {**follow_up(referral_id), **overrides}.items()
            if value is not DROP
        }
        for overrides, _field in cases
    ]
    results = results_of(worker.sync(referral_updates=updates))
    for result, (overrides, field) in zip(results, cases, strict=True):
        assert result["status"] == "rejected", (overrides, result)
        assert field in result["errors"], (overrides, result)
        assert_messages_listed(result["errors"])
    assert count_rows() == rows
    assert referral_status(worker, contact) == "made"


def test_follow_up_dated_before_the_referral_is_rejected(worker, make_contact, count_rows):
    contact = make_contact(occurred_at=device_time(minutes_ago=30))
    worker.sync(contacts=[contact])
    update = follow_up(contact["referrals"][0]["id"], minutes_ago=60)
    assert_rejected(worker.sync(referral_updates=[update]), "occurred_at")
    assert count_rows()["referral_status_changes"] == 0
    assert referral_status(worker, contact) == "made"


def test_follow_up_of_another_sites_referral_is_rejected(app, login_as, make_contact, count_rows):
    rotterdam = login_as("worker", sites=["RTM-NSP1"])
    contact = make_contact(site="RTM-NSP1")
    assert statuses(rotterdam.sync(contacts=[contact])) == ["created"]
    amsterdam = login_as("worker", sites=["AMS-DCR1"])
    result = assert_rejected(
        amsterdam.sync(referral_updates=[follow_up(contact["referrals"][0]["id"])]), "referral_id"
    )
    # The same answer as for an id that is no referral at all.
    assert result["errors"]["referral_id"] == ["Unknown referral."]
    assert count_rows()["referral_status_changes"] == 0
    with app.app_context():
        assert db.session.get(Referral, UUID(contact["referrals"][0]["id"])).status == "made"


@pytest.mark.parametrize(("role", "sites"), [("supervisor", ["RTM-NSP1"]), ("admin", [])])
def test_follow_up_of_a_colleagues_referral_at_the_same_site(login_as, make_contact, role, sites):
    rotterdam = login_as("worker", sites=["RTM-NSP1"])
    contact = make_contact(site="RTM-NSP1")
    rotterdam.sync(contacts=[contact])
    other = login_as(role, sites=sites)
    update = follow_up(contact["referrals"][0]["id"], "attended")
    assert statuses(other.sync(referral_updates=[update])) == ["created"]
    assert referral_status(other, contact) == "attended"


def test_a_retried_follow_up_is_duplicate(worker, make_contact, count_rows):
    contact = make_contact()
    update = follow_up(contact["referrals"][0]["id"], "attended")
    assert statuses(worker.sync(contacts=[contact], referral_updates=[update])) == [
        "created",
        "created",
    ]
    rows = count_rows()
    assert statuses(worker.sync(referral_updates=[update])) == ["duplicate"]
    assert statuses(worker.sync(contacts=[contact], referral_updates=[update])) == [
        "duplicate",
        "duplicate",
    ]
    assert count_rows() == rows
    assert referral_status(worker, contact) == "attended"


def test_a_follow_up_id_with_other_content_is_a_conflict(worker, make_contact, count_rows):
    contact = make_contact()
    update = follow_up(contact["referrals"][0]["id"], "attended")
    worker.sync(contacts=[contact], referral_updates=[update])
    rows = count_rows()
    result = only_result(worker.sync(referral_updates=[{**update, "status": "declined"}]))
    assert result["status"] == "conflict"
    assert count_rows() == rows
    assert referral_status(worker, contact) == "attended"
