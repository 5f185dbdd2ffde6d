"""`apply_sync_batch(user, batch)` called directly: order, ids, savepoints, follow-up status."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from outreach.catalog.models import Site
from outreach.clients.models import Client
from outreach.extensions import db
from outreach.records.models import Contact, Referral, ReferralStatusChange
from outreach.sync.service import apply_sync_batch, batch_size
from tests.sync.helpers import (
    NOTHING,
    assert_messages_listed,
    device_time,
    follow_up,
    miss_in_the_lookup,
    new_id,
)


def ordered_ids(count: int) -> list[str]:
    """`count` fresh ids, from the largest to the smallest: the reverse of processing order."""
    return sorted((new_id() for _ in range(count)), reverse=True)


@pytest.fixture
def username(make_user):
    return make_user("worker", sites=["AMS-DCR1"])


def test_an_empty_batch_has_no_results(as_user, username, count_rows):
    with as_user(username) as user:
        assert apply_sync_batch(user, {}) == []
        assert apply_sync_batch(user, {"contacts": [], "incidents": []}) == []
    assert count_rows() == NOTHING


def test_batch_size_counts_every_kind():
    batch = {"contacts": [{}] * 3, "incidents": [{}] * 2, "referral_updates": [{}]}
    assert batch_size(batch) == 6
    assert batch_size({}) == 0


def test_results_keep_the_order_sent_though_records_are_stored_by_id(
    as_user, username, make_contact, make_incident
):
    contact_ids, incident_ids = ordered_ids(5), ordered_ids(3)
    contacts = [make_contact(id=record_id) for record_id in contact_ids]
    contacts[2]["site"] = "NOWHERE"
    incidents = [make_incident(id=record_id) for record_id in incident_ids]
    update = follow_up(contacts[0]["referrals"][0]["id"])
    # Kinds listed in another order than the service handles them.
    batch = {"referral_updates": [update], "incidents": incidents, "contacts": contacts}
    with as_user(username) as user:
        results = apply_sync_batch(user, batch)
        db.session.commit()
    assert [(r["type"], r["index"], r["id"]) for r in results] == [
        *[("contact", index, record_id) for index, record_id in enumerate(contact_ids)],
        *[("incident", index, record_id) for index, record_id in enumerate(incident_ids)],
        ("referral_update", 0, update["id"]),
    ]
    assert [r["status"] for r in results] == ["created"] * 2 + ["rejected"] + ["created"] * 6


def test_records_are_stored_in_id_order(as_user, username, make_contact, count_rows):
    """Two contacts claim one referral id: the one with the smaller id is stored first and wins."""
    larger, smaller = ordered_ids(2)
    shared = [{"id": new_id(), "type": "hcv_test", "referred_to": "GGD"}]
    batch = {
        "contacts": [
            make_contact(id=larger, referrals=shared),
            make_contact(id=smaller, referrals=shared),
        ]
    }
    with as_user(username) as user:
        results = apply_sync_batch(user, batch)
        db.session.commit()
    assert [r["status"] for r in results] == ["rejected", "created"]
    assert list(results[0]["errors"]) == ["referrals"]
    with as_user(username):
        referral = db.session.get(Referral, UUID(shared[0]["id"]))
        assert str(referral.contact_id) == smaller
    assert count_rows()["contacts"] == 1


def test_ids_are_compared_trimmed_and_in_lower_case(as_user, username, make_contact, count_rows):
    record_id = new_id()
    first = make_contact(id=record_id.upper())
    again = make_contact(id=f" {record_id} ")
    with as_user(username) as user:
        results = apply_sync_batch(user, {"contacts": [first, again]})
        db.session.commit()
    assert [(r["id"], r["status"]) for r in results] == [
        (record_id, "created"),
        (record_id, "rejected"),
    ]
    assert results[1]["errors"] == {"id": ["This id appears more than once in the batch."]}
    with as_user(username) as user:
        retry = {**first, "id": record_id}
        assert apply_sync_batch(user, {"contacts": [retry]})[0]["status"] == "duplicate"
    assert count_rows()["contacts"] == 1


def test_a_repeated_id_is_refused_even_when_its_first_use_was_bad(
    as_user, username, make_contact, count_rows
):
    """The first use of an id claims it: a later record with the same id is refused either way."""
    bad = make_contact(kind="picnic")
    good = make_contact(id=bad["id"])
    with as_user(username) as user:
        results = apply_sync_batch(user, {"contacts": [bad, good]})
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert list(results[0]["errors"]) == ["kind"]
    assert list(results[1]["errors"]) == ["id"]
    assert count_rows() == NOTHING


@pytest.mark.parametrize("raw_id", [42, ["x"]])
def test_an_id_that_is_not_text_is_answered_as_none(as_user, username, make_contact, raw_id):
    with as_user(username) as user:
        results = apply_sync_batch(user, {"contacts": [make_contact(id=raw_id), make_contact()]})
    assert results[0]["id"] is None
    assert results[0]["status"] == "rejected"
    assert "id" in results[0]["errors"]
    assert results[1]["status"] == "created"


def test_every_kind_of_bad_record_in_one_batch(
    as_user, username, make_contact, make_incident, count_rows
):
    contacts = [
        make_contact(site="NOWHERE"),
        make_contact(items=[{"code": "swab", "quantity": 0}]),
        make_contact(client_code="!!"),
        make_contact(occurred_at=device_time(minutes_ago=-20)),
        make_contact(referrals=[{"id": new_id(), "type": "tarot"}]),
    ]
    incidents = [
        make_incident(kind="nosebleed"),
        make_incident(outcome="fine"),
        make_incident(naloxone_doses=21),
    ]
    updates = [follow_up(new_id()), follow_up(new_id(), status="made")]
    with as_user(username) as user:
        results = apply_sync_batch(
            user, {"contacts": contacts, "incidents": incidents, "referral_updates": updates}
        )
        db.session.commit()
    assert all(result["status"] == "rejected" for result in results), results
    assert [next(iter(result["errors"])) for result in results] == [
        "site",
        "items",
        "client_code",
        "occurred_at",
        "referrals",
        "kind",
        "outcome",
        "naloxone_doses",
        "referral_id",
        "status",
    ]
    for result in results:
        assert_messages_listed(result["errors"])
    assert count_rows() == NOTHING


def test_a_rejected_record_rolls_back_alone(as_user, username, make_contact, count_rows):
    stored = make_contact()
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [stored]})
        db.session.commit()
    clash = make_contact(client_code="NEWCODE99", referrals=stored["referrals"])
    conflict = {**stored, "returned_syringes": 1}
    later = make_contact(client_code="OTHER1234")
    with as_user(username) as user:
        results = apply_sync_batch(user, {"contacts": [clash, conflict, later]})
        db.session.commit()
    assert [r["status"] for r in results] == ["rejected", "conflict", "created"]
    assert count_rows() == {
        **NOTHING,
        "contacts": 2,
        "contact_items": 4,
        "referrals": 2,
        "clients": 2,  # JADE0101M and OTHER1234; NEWCODE99 went with its contact
    }


def test_the_service_does_not_commit(as_user, username, make_contact, count_rows):
    """Services flush; the view commits once. A rolled-back request leaves nothing."""
    with as_user(username) as user:
        results = apply_sync_batch(user, {"contacts": [make_contact()]})
        assert results[0]["status"] == "created"
        db.session.rollback()
    assert count_rows() == NOTHING


@pytest.mark.parametrize("with_referral", [True, False])
@pytest.mark.parametrize(
    ("change", "expected"), [({}, "duplicate"), ({"kind": "phone"}, "conflict")]
)
def test_a_contact_stored_meanwhile_by_another_request(
    as_user, username, make_contact, monkeypatch, with_referral, change, expected
):
    """Another request may store the contact between the service's first look and its insert."""
    contact = make_contact() if with_referral else make_contact(referrals=[])
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [contact]})
        db.session.commit()
    miss_in_the_lookup(monkeypatch, contact)
    with as_user(username) as user:
        results = apply_sync_batch(user, {"contacts": [{**contact, **change}]})
    assert results[0]["status"] == expected, results


def test_a_retry_is_duplicate_even_after_the_user_left_the_site(
    app, as_user, username, make_contact
):
    """The outbox drops a record on `duplicate`: a retry must not turn into a rejection."""
    contact = make_contact()
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [contact]})
        user.sites = [db.session.execute(select(Site).where(Site.code == "AMS-OUT1")).scalar_one()]
        db.session.commit()
    with as_user(username) as user:
        assert apply_sync_batch(user, {"contacts": [contact]})[0]["status"] == "duplicate"
        assert apply_sync_batch(user, {"contacts": [make_contact()]})[0]["errors"] == {
            "site": ["You do not work at this site."]
        }


def test_an_admin_may_record_at_any_site(as_user, make_user, make_contact, make_incident):
    admin = make_user("admin", sites=())
    with as_user(admin) as user:
        results = apply_sync_batch(
            user,
            {
                "contacts": [make_contact(site=code) for code in ("AMS-DCR1", "RTM-NSP1")],
                "incidents": [make_incident(site="AMS-OUT1")],
            },
        )
    assert [r["status"] for r in results] == ["created"] * 3


def test_records_are_stored_with_who_and_when(as_user, username, make_contact):
    contact = make_contact(occurred_at=device_time(minutes_ago=90, offset_hours=2))
    before = datetime.now(UTC)
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [contact]})
        db.session.commit()
    with as_user(username):
        stored = db.session.get(Contact, UUID(contact["id"]))
        assert stored.recorded_by.username == username
        assert stored.site.code == "AMS-DCR1"
        assert stored.utc_offset_minutes == 120
        assert stored.occurred_at == datetime.fromisoformat(contact["occurred_at"])
        assert stored.occurred_at.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=5) <= stored.received_at <= datetime.now(UTC)
        assert (stored.injects, stored.smokes, stored.route) == (True, False, "inject")
        assert [s.substance for s in stored.substances] == ["heroin"]


# Clients


def test_a_client_is_linked_across_contacts_and_incidents(
    as_user, username, make_contact, make_incident, count_rows
):
    with as_user(username) as user:
        apply_sync_batch(
            user,
            {
                "contacts": [make_contact(client_code="jade 0101 m")],
                "incidents": [make_incident(client_code="JADE-0101-M")],
            },
        )
        db.session.commit()
    assert count_rows()["clients"] == 1


def test_a_client_is_first_seen_at_its_earliest_contact(as_user, username, make_contact):
    later = make_contact(occurred_at=device_time(minutes_ago=60 * 24 * 2), birth_year=None)
    earlier = make_contact(occurred_at=device_time(minutes_ago=60 * 24 * 5), gender="x")
    for contact in (later, earlier):
        with as_user(username) as user:
            apply_sync_batch(user, {"contacts": [contact]})
            db.session.commit()
    with as_user(username):
        client = db.session.execute(select(Client)).scalar_one()
        assert client.first_seen_at == datetime.fromisoformat(earlier["occurred_at"])
        assert (client.gender, client.birth_year) == ("x", 1980)
        assert len(client.key) == 64


# Referral follow-ups


def referral_of(contact) -> Referral:
    return db.session.get(Referral, UUID(contact["referrals"][0]["id"]))


def test_the_latest_follow_up_sets_the_status_whatever_the_order_received(
    as_user, username, make_contact
):
    contact = make_contact(occurred_at=device_time(minutes_ago=60))
    referral_id = contact["referrals"][0]["id"]
    newest = follow_up(referral_id, "attended", minutes_ago=5)
    older = follow_up(referral_id, "not_attended", minutes_ago=30)
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [contact], "referral_updates": [newest]})
        db.session.commit()
    with as_user(username) as user:
        assert apply_sync_batch(user, {"referral_updates": [older]})[0]["status"] == "created"
        db.session.commit()
    with as_user(username):
        referral = referral_of(contact)
        assert referral.status == "attended"
        assert referral.status_changed_at == datetime.fromisoformat(newest["occurred_at"])
        assert [change.status for change in referral.history] == ["not_attended", "attended"]


@pytest.mark.parametrize("newest_stored_last", [True, False])
def test_two_follow_ups_in_one_batch_the_latest_wins(
    as_user, username, make_contact, newest_stored_last
):
    contact = make_contact(occurred_at=device_time(minutes_ago=60))
    referral_id = contact["referrals"][0]["id"]
    newest = follow_up(referral_id, "declined", minutes_ago=1)
    older = follow_up(referral_id, "attended", minutes_ago=20)
    # Records are stored in id order: try the newest follow-up stored last, then first.
    newest["id"], older["id"] = ordered_ids(2) if newest_stored_last else ordered_ids(2)[::-1]
    with as_user(username) as user:
        results = apply_sync_batch(
            user, {"contacts": [contact], "referral_updates": [older, newest]}
        )
        db.session.commit()
    assert [r["status"] for r in results] == ["created"] * 3
    with as_user(username):
        assert referral_of(contact).status == "declined"


def test_a_follow_up_of_a_voided_contact_is_rejected(as_user, username, make_contact):
    contact = make_contact()
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [contact]})
        stored = db.session.get(Contact, UUID(contact["id"]))
        stored.voided_at, stored.void_reason = datetime.now(UTC), "entered twice"
        db.session.commit()
    with as_user(username) as user:
        results = apply_sync_batch(
            user, {"referral_updates": [follow_up(contact["referrals"][0]["id"])]}
        )
        db.session.commit()
    assert results[0]["status"] == "rejected"
    assert results[0]["errors"] == {"referral_id": ["The contact of this referral was voided."]}
    with as_user(username):
        assert referral_of(contact).status == "made"
        assert db.session.execute(select(ReferralStatusChange)).first() is None


def test_a_conflicting_follow_up_changes_nothing(as_user, username, make_contact):
    contact = make_contact()
    update = follow_up(contact["referrals"][0]["id"], "attended")
    with as_user(username) as user:
        apply_sync_batch(user, {"contacts": [contact], "referral_updates": [update]})
        db.session.commit()
    for changed in ({"status": "declined"}, {"occurred_at": device_time(minutes_ago=1)}):
        with as_user(username) as user:
            result = apply_sync_batch(user, {"referral_updates": [{**update, **changed}]})[0]
            db.session.commit()
        assert result["status"] == "conflict"
        assert result["message"] == (
            "A different record with this id is already stored. Nothing was changed."
        )
    with as_user(username):
        assert referral_of(contact).status == "attended"
        assert len(referral_of(contact).history) == 1


def test_a_supervisor_follows_up_only_their_sites(as_user, make_user, make_contact):
    worker = make_user("worker", sites=["RTM-NSP1"])
    contact = make_contact(site="RTM-NSP1")
    with as_user(worker) as user:
        apply_sync_batch(user, {"contacts": [contact]})
        db.session.commit()
    referral_id = contact["referrals"][0]["id"]
    elsewhere = make_user("supervisor", sites=["AMS-DCR1", "AMS-OUT1"])
    there = make_user("supervisor", sites=["RTM-NSP1"])
    with as_user(elsewhere) as user:
        result = apply_sync_batch(user, {"referral_updates": [follow_up(referral_id)]})[0]
    assert result["errors"] == {"referral_id": ["Unknown referral."]}
    with as_user(there) as user:
        result = apply_sync_batch(user, {"referral_updates": [follow_up(referral_id)]})[0]
        assert result["status"] == "created"
        db.session.commit()
    with as_user(there):
        assert db.session.get(Referral, UUID(referral_id)).status == "attended"
