"""`POST /api/v1/sync` with contacts: each rule rejects the record alone, with a field message;
ids within a batch; retries are duplicates, other content under an id is a conflict."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from outreach.extensions import db
from outreach.records.models import Contact
from tests.sync.helpers import (
    DROP,
    NOTHING,
    assert_messages_listed,
    assert_rejected,
    contact_with,
    device_time,
    new_id,
    only_result,
    results_of,
    send,
    statuses,
)

# Contacts: each rule rejects the record alone, with a field message, and writes nothing


# The rules of DESIGN §2-§4, each its own test
BAD_CONTACTS = {
    "missing-id": ({"id": DROP}, "id"),
    "malformed-id": ({"id": "not-a-uuid"}, "id"),
    "unknown-site": ({"site": "XXX-000"}, "site"),
    "unknown-item": ({"items": [{"code": "crystal_ball", "quantity": 1}]}, "items"),
    "unknown-referral-type": (
        {"referrals": [{"id": new_id(), "type": "astrology", "referred_to": "GGD"}]},
        "referrals",
    ),
    "quantity-negative": ({"items": [{"code": "swab", "quantity": -1}]}, "items"),
    "quantity-zero": ({"items": [{"code": "swab", "quantity": 0}]}, "items"),
    "quantity-over-10000": ({"items": [{"code": "swab", "quantity": 10_001}]}, "items"),
    "quantity-fraction": ({"items": [{"code": "swab", "quantity": 5.5}]}, "items"),
    "quantity-text": ({"items": [{"code": "swab", "quantity": "abc"}]}, "items"),
    "people-count-zero": ({"people_count": 0, "client_code": None}, "people_count"),
    "returned-negative": ({"returned_syringes": -1}, "returned_syringes"),
    "code-too-short": ({"client_code": "ab1"}, "client_code"),
    "code-only-symbols": ({"client_code": "!!!-??"}, "client_code"),
    "code-too-long": ({"client_code": "A" * 25}, "client_code"),
    "referred-to-nul": (
        {"referrals": [{"id": new_id(), "type": "hcv_test", "referred_to": "GGD\x00"}]},
        "referrals",
    ),
    "referred-to-lone-surrogate": (
        {"referrals": [{"id": new_id(), "type": "hcv_test", "referred_to": "GGD\ud800"}]},
        "referrals",
    ),
    "items-of-numbers": ({"items": [1]}, "items"),
    "referral-without-id": ({"referrals": [{"type": "hcv_test"}]}, "referrals"),
}

# More of the same families, sent together: each rejected on its own, with its field named
MORE_BAD_CONTACTS = {
    "null-id": ({"id": None}, "id"),
    "short-id": ({"id": "1234"}, "id"),
    "numeric-id": ({"id": 42}, "id"),
    "empty-site": ({"site": ""}, "site"),
    "unknown-kind": ({"kind": "picnic"}, "kind"),
    "unknown-flag": ({"flags": ["rich"]}, "flags"),
    "unknown-substance": ({"substances": ["tea"]}, "substances"),
    "unknown-route": ({"route": "ear"}, "route"),
    "unknown-gender": ({"gender": "q"}, "gender"),
    "unknown-refill-reason": ({"naloxone_refill_reason": "fun"}, "naloxone_refill_reason"),
    "quantity-fraction-text": ({"items": [{"code": "swab", "quantity": "5.5"}]}, "items"),
    "quantity-null": ({"items": [{"code": "swab", "quantity": None}]}, "items"),
    "quantity-bool": ({"items": [{"code": "swab", "quantity": True}]}, "items"),
    "quantity-missing": ({"items": [{"code": "swab"}]}, "items"),
    "item-twice": (
        {"items": [{"code": "swab", "quantity": 1}, {"code": "swab", "quantity": 2}]},
        "items",
    ),
    "items-not-list": ({"items": "swab"}, "items"),
    "people-count-negative": ({"people_count": -3, "client_code": None}, "people_count"),
    "people-count-over-500": ({"people_count": 501, "client_code": None}, "people_count"),
    "people-count-fraction": ({"people_count": 1.5, "client_code": None}, "people_count"),
    "returned-over-10000": ({"returned_syringes": 10_001}, "returned_syringes"),
    "returned-fraction": ({"returned_syringes": 2.5}, "returned_syringes"),
    "on-behalf-negative": ({"on_behalf_of": -1}, "on_behalf_of"),
    "reversals-over-100": ({"overdose_reversals": 101}, "overdose_reversals"),
    "birth-year-fraction": ({"birth_year": 1980.5}, "birth_year"),
    "birth-year-too-old": ({"birth_year": 1919}, "birth_year"),
    "birth-year-too-young": ({"birth_year": date.today().year}, "birth_year"),
    "code-accents-too-short": ({"client_code": "Äö1"}, "client_code"),
    "code-not-text": ({"client_code": 123456}, "client_code"),
    "group-with-code": ({"people_count": 3, "client_code": "JADE0101M"}, "client_code"),
    "referral-bad-id": ({"referrals": [{"id": "x", "type": "hcv_test"}]}, "referrals"),
    "referral-type-twice": (
        {"referrals": [{"id": new_id(), "type": "hcv_test"}, {"id": new_id(), "type": "hcv_test"}]},
        "referrals",
    ),
    "referred-to-too-long": (
        {"referrals": [{"id": new_id(), "type": "hcv_test", "referred_to": "x" * 121}]},
        "referrals",
    ),
    # Free text about a client has no field to go in.
    "unknown-field-name": ({"name": "Jade"}, "name"),
    "unknown-field-notes": ({"notes": "sleeps under the bridge"}, "notes"),
    "flag-twice": ({"flags": ["injects", "injects"]}, "flags"),
    "flags-not-list": ({"flags": "injects"}, "flags"),
    "a-day-ahead": ({"occurred_at": device_time(minutes_ago=-60 * 24)}, "occurred_at"),
    "ahead-in-another-zone": (
        # 45 minutes ahead: still beyond the 10 allowed when the test runs long after import.
        {"occurred_at": device_time(minutes_ago=-45, offset_hours=-8)},
        "occurred_at",
    ),
    "a-year-back": ({"occurred_at": device_time(minutes_ago=60 * 24 * 365)}, "occurred_at"),
    "impossible-date": ({"occurred_at": "2026-13-45T25:00:00+01:00"}, "occurred_at"),
    "local-format": ({"occurred_at": "31/10/2026 23:30"}, "occurred_at"),
    "empty-time": ({"occurred_at": ""}, "occurred_at"),
    "numeric-time": ({"occurred_at": 12345}, "occurred_at"),
    "null-time": ({"occurred_at": None}, "occurred_at"),
}


@pytest.mark.parametrize(
    ("overrides", "field"), list(BAD_CONTACTS.values()), ids=list(BAD_CONTACTS)
)
def test_bad_contact_is_rejected_alone(worker, make_contact, count_rows, overrides, field):
    response = send(worker, contacts=[contact_with(make_contact, overrides)])
    result = assert_rejected(response, field)
    assert result["index"] == 0
    if overrides.get("id") is DROP:
        assert result["id"] is None
    assert count_rows() == NOTHING


def test_more_bad_contacts_are_each_rejected_with_their_field(worker, make_contact, count_rows):
    bad = [
        contact_with(make_contact, overrides) for overrides, _field in MORE_BAD_CONTACTS.values()
    ]
    good = make_contact()
    results = results_of(worker.sync(contacts=[*bad, good]))
    assert [result["index"] for result in results] == list(range(len(bad) + 1))
    for result, (name, (_overrides, field)) in zip(
        results, MORE_BAD_CONTACTS.items(), strict=False
    ):
        assert result["status"] == "rejected", (name, result)
        assert field in result["errors"], (name, result)
        assert_messages_listed(result["errors"])
    assert results[-1]["status"] == "created"
    assert count_rows() == {
        **NOTHING,
        "contacts": 1,
        "contact_items": 2,
        "referrals": 1,
        "clients": 1,
    }


def test_a_fraction_is_not_cut_down_to_a_whole_number(app, worker, make_contact, count_rows):
    contact = make_contact(items=[{"code": "swab", "quantity": 5.5}], returned_syringes=2.5)
    result = assert_rejected(worker.sync(contacts=[contact]), "items")
    assert result["errors"]["items"] == {"0": {"quantity": ["Not a valid integer."]}}
    assert result["errors"]["returned_syringes"] == ["Not a valid integer."]
    assert count_rows() == NOTHING


@pytest.mark.parametrize(
    ("minutes_ago", "message"),
    [(-15, "future"), (60 * 24 * 91, "90 days")],
    ids=["15-min-ahead", "91-days-back"],
)
def test_contact_outside_the_time_window_is_rejected(
    worker, make_contact, count_rows, minutes_ago, message
):
    contact = make_contact(occurred_at=device_time(minutes_ago=minutes_ago))
    result = assert_rejected(worker.sync(contacts=[contact]), "occurred_at")
    assert message in result["errors"]["occurred_at"][0]
    assert count_rows() == NOTHING


def test_contact_without_utc_offset_is_rejected(worker, make_contact, count_rows):
    naive = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    result = assert_rejected(worker.sync(contacts=[make_contact(occurred_at=naive)]), "occurred_at")
    assert result["errors"]["occurred_at"] == [
        "The time needs a UTC offset, e.g. 2026-10-31T23:30:00+01:00."
    ]
    assert count_rows() == NOTHING


def test_contact_whose_time_is_not_a_date_is_rejected(worker, make_contact, count_rows):
    result = assert_rejected(
        worker.sync(contacts=[make_contact(occurred_at="yesterday")]), "occurred_at"
    )
    assert "ISO 8601" in result["errors"]["occurred_at"][0]
    assert count_rows() == NOTHING


def test_contacts_inside_the_time_window_are_stored(worker, make_contact, count_rows):
    times = [
        device_time(minutes_ago=-5),
        device_time(minutes_ago=60 * 24 * 89),
        (datetime.now(UTC) - timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
        device_time(minutes_ago=30, offset_hours=-10),
        device_time(minutes_ago=30, offset_hours=14),
    ]
    contacts = [make_contact(occurred_at=occurred_at, client_code=None) for occurred_at in times]
    assert statuses(worker.sync(contacts=contacts)) == ["created"] * len(times)
    assert count_rows()["contacts"] == len(times)


def test_contacts_with_quantities_at_the_limits_are_stored(app, worker, make_contact):
    cases = [
        ([{"code": "swab", "quantity": 1}], 0),
        ([{"code": "swab", "quantity": 10_000}], 10_000),
        ([{"code": "swab", "quantity": "7"}], None),
        ([{"code": "swab", "quantity": 3.0}], 2),
        ([], None),
    ]
    contacts = [make_contact(items=items, returned_syringes=returned) for items, returned in cases]
    assert statuses(worker.sync(contacts=contacts)) == ["created"] * len(cases)
    with app.app_context():
        for contact, (items, returned) in zip(contacts, cases, strict=True):
            stored = db.session.get(Contact, UUID(contact["id"]))
            assert {(row.item.code, row.quantity) for row in stored.items} == {
                (item["code"], int(float(item["quantity"]))) for item in items
            }
            assert stored.returned_syringes == returned


def test_group_contact_is_anonymous(app, worker, make_contact):
    contact = make_contact(people_count=12, client_code="", gender=None, birth_year=None)
    assert statuses(worker.sync(contacts=[contact])) == ["created"]
    with app.app_context():
        stored = db.session.get(Contact, UUID(contact["id"]))
        assert (stored.people_count, stored.client_id) == (12, None)


# Ids within one batch


def test_a_repeated_id_in_one_batch_keeps_the_first(app, worker, make_contact, count_rows):
    first = make_contact(returned_syringes=15)
    second = make_contact(id=first["id"], returned_syringes=99)
    results = results_of(worker.sync(contacts=[first, second]))
    assert [result["status"] for result in results] == ["created", "rejected"]
    assert [result["index"] for result in results] == [0, 1]
    assert list(results[1]["errors"]) == ["id"]
    assert count_rows()["contacts"] == 1
    with app.app_context():
        assert db.session.get(Contact, UUID(first["id"])).returned_syringes == 15


def test_a_repeated_id_differing_only_in_case_is_the_same_id(worker, make_contact, count_rows):
    first = make_contact()
    second = make_contact(id=first["id"].upper())
    results = results_of(worker.sync(contacts=[first, second]))
    assert [result["status"] for result in results] == ["created", "rejected"]
    assert "id" in results[1]["errors"]
    assert count_rows()["contacts"] == 1


def test_the_same_id_may_name_a_contact_and_an_incident(worker, make_contact, make_incident):
    shared = new_id()
    response = worker.sync(contacts=[make_contact(id=shared)], incidents=[make_incident(id=shared)])
    assert statuses(response) == ["created", "created"]


# One bad record, retries and conflicts


def test_one_bad_record_does_not_block_the_others(worker, make_contact, count_rows):
    good_1, good_2 = make_contact(), make_contact(client_code="ROSE0202F")
    bad = make_contact(items=[{"code": "swab", "quantity": -5}])
    results = results_of(worker.sync(contacts=[good_1, bad, good_2]))
    assert [result["status"] for result in results] == ["created", "rejected", "created"]
    assert [result["id"] for result in results] == [good_1["id"], bad["id"], good_2["id"]]
    assert results[1]["errors"]["items"] == {"0": {"quantity": ["Must be between 1 and 10000."]}}
    assert "errors" not in results[0] and "errors" not in results[2]
    assert count_rows() == {
        "contacts": 2,
        "contact_items": 4,
        "referrals": 2,
        "clients": 2,
        "incidents": 0,
        "referral_status_changes": 0,
    }


def test_a_retried_batch_answers_duplicate_and_writes_nothing(
    worker, make_contact, make_incident, count_rows
):
    contacts = [make_contact(), make_contact(site="RTM-NSP1"), make_contact(client_code=None)]
    incidents = [make_incident()]
    first = statuses(worker.sync(contacts=contacts, incidents=incidents))
    assert first == ["created", "rejected", "created", "created"]
    rows = count_rows()
    again = statuses(worker.sync(contacts=contacts, incidents=incidents))
    assert again == ["duplicate", "rejected", "duplicate", "duplicate"]
    assert count_rows() == rows


def test_a_retry_from_another_device_of_the_same_user_is_duplicate(
    login_as, make_user, make_contact, count_rows
):
    username = make_user("worker")
    phone, tablet = login_as(username=username), login_as(username=username)
    contact = make_contact()
    assert statuses(phone.sync(contacts=[contact])) == ["created"]
    assert statuses(tablet.sync(contacts=[contact])) == ["duplicate"]
    assert count_rows()["contacts"] == 1


@pytest.mark.parametrize(
    "change",
    [
        {"returned_syringes": 99},
        {"items": [{"code": "syringe_1ml", "quantity": 21}, {"code": "swab", "quantity": 20}]},
        {"client_code": "ROSE0202F"},
        {"site": "AMS-OUT1", "kind": "drop_in", "flags": []},
        {"referrals": []},
    ],
    ids=["returned", "quantity", "other-client", "site-kind-flags", "referral-dropped"],
)
def test_same_id_other_content_is_a_conflict_and_changes_nothing(
    app, worker, make_contact, count_rows, change
):
    original = make_contact()
    assert statuses(worker.sync(contacts=[original])) == ["created"]
    rows = count_rows()
    result = only_result(worker.sync(contacts=[{**original, **change}]))
    assert result["status"] == "conflict", result
    assert result["message"]
    assert "errors" not in result
    assert count_rows() == rows
    view = worker.get(f"/api/v1/contacts/{original['id']}").get_json()
    assert view["site"] == "AMS-DCR1"
    assert view["kind"] == "dcr_visit"
    assert view["returned_syringes"] == 15
    assert view["flags"] == ["injects"]
    assert datetime.fromisoformat(view["occurred_at"]) == datetime.fromisoformat(
        original["occurred_at"]
    )
    assert sorted((item["code"], item["quantity"]) for item in view["items"]) == [
        ("swab", 20),
        ("syringe_1ml", 20),
    ]
    assert [referral["id"] for referral in view["referrals"]] == [original["referrals"][0]["id"]]
    assert view["client_alias"] is not None


def test_a_conflict_does_not_block_the_rest_of_the_batch(worker, make_contact, count_rows):
    original = make_contact()
    worker.sync(contacts=[original])
    fresh = make_contact()
    response = worker.sync(contacts=[{**original, "returned_syringes": 1}, fresh])
    assert statuses(response) == ["conflict", "created"]
    assert count_rows()["contacts"] == 2


SAME_CONTENT_WRITTEN_DIFFERENTLY = {
    "flag-order": lambda c: {**c, "flags": list(reversed(c["flags"]))},
    "item-order": lambda c: {**c, "items": list(reversed(c["items"]))},
    "code-spelling": lambda c: {**c, "client_code": "jade-0101-m"},
    "explicit-defaults": lambda c: {**c, "on_behalf_of": 0, "naloxone_refill_reason": None},
    "same-instant-in-utc": lambda c: {
        **c,
        "occurred_at": datetime.fromisoformat(c["occurred_at"]).astimezone(UTC).isoformat(),
    },
}


def test_equal_content_written_differently_is_a_duplicate(worker, make_contact, count_rows):
    originals = [
        make_contact(flags=["injects", "homeless"]) for _ in SAME_CONTENT_WRITTEN_DIFFERENTLY
    ]
    assert statuses(worker.sync(contacts=originals)) == ["created"] * len(originals)
    rows = count_rows()
    variants = [
        rewrite(original)
        for original, rewrite in zip(
            originals, SAME_CONTENT_WRITTEN_DIFFERENTLY.values(), strict=True
        )
    ]
    results = results_of(worker.sync(contacts=variants))
    for result, name in zip(results, SAME_CONTENT_WRITTEN_DIFFERENTLY, strict=True):
        assert result["status"] == "duplicate", (name, result)
    assert count_rows() == rows


def test_a_referral_id_already_stored_rejects_the_new_contact_whole(
    worker, make_contact, count_rows
):
    first = make_contact()
    assert statuses(worker.sync(contacts=[first])) == ["created"]
    rows = count_rows()
    second = make_contact(client_code="ROSE0202F", referrals=first["referrals"])
    assert_rejected(worker.sync(contacts=[second]), "referrals")
    # The new client would have been made before the clash: it must be gone with the rest.
    assert count_rows() == rows


def test_two_contacts_of_one_batch_sharing_a_referral_id(worker, make_contact, count_rows):
    shared = [{"id": new_id(), "type": "hcv_test", "referred_to": "GGD"}]
    first = make_contact(referrals=shared)
    second = make_contact(referrals=shared, client_code="ROSE0202F")
    results = results_of(worker.sync(contacts=[first, second]))
    assert sorted(result["status"] for result in results) == ["created", "rejected"]
    rejected = next(result for result in results if result["status"] == "rejected")
    assert rejected["errors"] == {"referrals": ["A referral with this id is already stored."]}
    assert count_rows() == {
        **NOTHING,
        "contacts": 1,
        "contact_items": 2,
        "referrals": 1,
        "clients": 1,
    }
