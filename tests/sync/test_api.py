"""`POST /api/v1/sync` over HTTP (DESIGN §4, §6): envelope, per-record rules, idempotency."""

import hashlib
import json
import logging
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import inspect, select, text

from outreach.auth.service import find_user, revoke_sessions
from outreach.extensions import db
from outreach.records.models import Contact, Incident, Referral
from tests.conftest import ON_POSTGRESQL
from tests.sync.helpers import (
    NOTHING,
    assert_error_shape,
    assert_messages_listed,
    device_time,
    new_id,
    results_of,
    statuses,
)

SYNC = "/api/v1/sync"
DROP = object()  # an override that leaves the field out


def only_result(response) -> dict:
    results = results_of(response)
    assert len(results) == 1, results
    return results[0]


def assert_rejected(response, field: str) -> dict:
    """One record, rejected, with at least one message for `field`."""
    result = only_result(response)
    assert result["status"] == "rejected", result
    assert field in result["errors"], result
    assert_messages_listed(result["errors"])
    return result


# The envelope: what is not a batch is refused whole, and writes nothing


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"contacts": [}',
        b"\xff\xfe\x00{",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["garbage", "broken-list", "not-utf8", "nested-too-deep"],
)
def test_body_that_is_not_json_is_400(worker, count_rows, body):
    response = worker.post(SYNC, data=body, content_type="application/json")
    assert_error_shape(response, 400)
    assert count_rows() == NOTHING


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded"],
)
def test_body_that_is_not_sent_as_json_is_400(worker, make_contact, count_rows, content_type):
    body = json.dumps({"contacts": [make_contact()]})
    response = worker.post(SYNC, data=body, content_type=content_type)
    assert_error_shape(response, 400)
    assert count_rows() == NOTHING


@pytest.mark.parametrize(
    ("body", "error_key"),
    [
        ([], "_schema"),
        ("contacts", "_schema"),
        (None, "_schema"),
        ({"contacts": "x"}, "contacts"),
        ({"contacts": {"id": "x"}}, "contacts"),
        ({"contacts": [1]}, "contacts"),
        ({"incidents": [["nested"]]}, "incidents"),
        ({"referral_updates": "all"}, "referral_updates"),
        ({"contacts": [], "notes": "hello"}, "notes"),
    ],
    ids=[
        "list",
        "string",
        "null",
        "contacts-string",
        "contacts-object",
        "contacts-of-numbers",
        "incidents-of-lists",
        "updates-string",
        "unknown-top-level-key",
    ],
)
def test_body_of_the_wrong_shape_is_422(worker, count_rows, body, error_key):
    response = worker.post(SYNC, data=json.dumps(body), content_type="application/json")
    payload = assert_error_shape(response, 422)
    assert error_key in payload["errors"], payload
    assert count_rows() == NOTHING


def test_a_malformed_element_refuses_the_whole_batch(worker, make_contact, count_rows):
    body = {"contacts": [make_contact(), "not a record", make_contact()]}
    response = worker.post(SYNC, json=body)
    payload = assert_error_shape(response, 422)
    assert payload["errors"] == {"contacts": {"1": ["Must be a JSON object."]}}
    assert count_rows() == NOTHING


def test_an_unknown_top_level_key_refuses_valid_records_too(worker, make_contact, count_rows):
    response = worker.post(SYNC, json={"contacts": [make_contact()], "photos": []})
    assert_error_shape(response, 422)
    assert count_rows() == NOTHING


def test_an_empty_batch_is_answered_with_no_results(worker, count_rows):
    response = worker.sync()
    assert results_of(response) == []
    assert count_rows() == NOTHING


def test_response_shape(worker, make_contact, make_incident):
    contact, incident = make_contact(), make_incident()
    before = datetime.now(UTC)
    response = worker.sync(contacts=[contact], incidents=[incident])
    body = response.get_json()
    assert response.status_code == 200
    assert set(body) == {
        "results",
        "server_time",
        "clock_offset_seconds",
        "clock_correction_seconds",
    }
    # Without `sent_at` nothing is known of the device's clock, and nothing is corrected.
    assert body["clock_offset_seconds"] is None
    assert body["clock_correction_seconds"] == 0
    server_time = datetime.fromisoformat(body["server_time"])
    assert server_time.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=5) <= server_time <= datetime.now(UTC) + timedelta(seconds=5)
    assert body["results"] == [
        {"type": "contact", "index": 0, "id": contact["id"], "status": "created"},
        {"type": "incident", "index": 0, "id": incident["id"], "status": "created"},
    ]


# Batch limits (413)


def test_more_than_500_records_is_413(worker, make_contact, count_rows):
    response = worker.sync(contacts=[make_contact() for _ in range(501)])
    assert_error_shape(response, 413)
    assert count_rows() == NOTHING


def test_the_500_record_limit_counts_every_kind(worker, make_contact, make_incident, count_rows):
    contacts = [make_contact() for _ in range(300)]
    incidents = [make_incident() for _ in range(150)]
    updates = [{"id": new_id()} for _ in range(51)]
    response = worker.sync(contacts=contacts, incidents=incidents, referral_updates=updates)
    assert_error_shape(response, 413)
    assert count_rows() == NOTHING


def test_the_record_limit_is_inclusive(app, worker, make_contact, count_rows):
    app.config["OUTREACH_SYNC_MAX_RECORDS"] = 3
    assert statuses(worker.sync(contacts=[make_contact() for _ in range(3)])) == ["created"] * 3
    assert_error_shape(worker.sync(contacts=[make_contact() for _ in range(4)]), 413)
    assert count_rows()["contacts"] == 3


def test_a_body_over_one_mebibyte_is_413(worker, make_contact, count_rows):
    padding = {"id": new_id(), "padding": "x" * (1024 * 1024)}
    response = worker.sync(contacts=[make_contact(), padding])
    assert_error_shape(response, 413)
    assert count_rows() == NOTHING


# Sign-in and CSRF


def test_sync_without_csrf_token_is_400(worker, make_contact, count_rows):
    response = worker.client.post(SYNC, json={"contacts": [make_contact()]})
    assert_error_shape(response, 400)
    assert count_rows() == NOTHING


def test_sync_with_a_wrong_csrf_token_is_400(worker, make_contact, count_rows):
    response = worker.client.post(
        SYNC, json={"contacts": [make_contact()]}, headers={"X-CSRFToken": "wrong"}
    )
    assert_error_shape(response, 400)
    assert count_rows() == NOTHING


def test_sync_with_another_sessions_csrf_token_is_400(login_as, make_contact, count_rows):
    mine, theirs = login_as("worker"), login_as("worker")
    response = mine.client.post(
        SYNC, json={"contacts": [make_contact()]}, headers={"X-CSRFToken": theirs.csrf_token}
    )
    assert_error_shape(response, 400)
    assert count_rows() == NOTHING


def test_sync_not_signed_in_is_401(client, make_contact, count_rows):
    response = client.post(SYNC, json={"contacts": [make_contact()]})
    assert_error_shape(response, 401)
    assert count_rows() == NOTHING


def test_sync_after_sign_out_is_401(worker, make_contact, count_rows):
    assert worker.post("/api/v1/auth/logout").status_code == 204
    response = worker.sync(contacts=[make_contact()])
    assert_error_shape(response, 401)
    assert count_rows() == NOTHING


def test_sync_of_a_user_deactivated_after_sign_in_is_401(app, worker, make_contact, count_rows):
    assert statuses(worker.sync(contacts=[make_contact()])) == ["created"]
    with app.app_context():
        find_user(worker.username).active = False
        db.session.commit()
    response = worker.sync(contacts=[make_contact()])
    assert_error_shape(response, 401)
    assert count_rows()["contacts"] == 1


def test_sync_after_sessions_are_revoked_is_401(app, worker, make_contact, count_rows):
    with app.test_request_context():
        revoke_sessions(find_user(worker.username), actor=None)
        db.session.commit()
    response = worker.sync(contacts=[make_contact()])
    assert_error_shape(response, 401)
    assert count_rows() == NOTHING


@pytest.mark.parametrize(
    ("role", "sites", "record_site", "expected"),
    [
        ("worker", ["AMS-DCR1"], "AMS-DCR1", "created"),
        ("worker", ["AMS-DCR1", "AMS-OUT1"], "AMS-OUT1", "created"),
        ("worker", ["AMS-DCR1"], "RTM-NSP1", "rejected"),
        ("supervisor", ["AMS-DCR1"], "RTM-NSP1", "rejected"),
        ("supervisor", ["RTM-NSP1"], "RTM-NSP1", "created"),
        ("admin", [], "RTM-NSP1", "created"),
    ],
)
def test_records_only_at_the_users_sites(
    login_as, make_contact, make_incident, count_rows, role, sites, record_site, expected
):
    api = login_as(role, sites=sites)
    response = api.sync(
        contacts=[make_contact(site=record_site)], incidents=[make_incident(site=record_site)]
    )
    results = results_of(response)
    assert [result["status"] for result in results] == [expected, expected]
    stored = 1 if expected == "created" else 0
    if expected == "rejected":
        for result in results:
            assert result["errors"] == {"site": ["You do not work at this site."]}
    rows = count_rows()
    assert (rows["contacts"], rows["incidents"], rows["referrals"]) == (stored, stored, stored)


# Contacts: each rule rejects the record alone, with a field message, and writes nothing


def _send(api, contacts=(), incidents=(), referral_updates=()):
    """Like ApiClient.sync, but JSON-encoded here so lone surrogates go through as escapes."""
    body = {
        "contacts": list(contacts),
        "incidents": list(incidents),
        "referral_updates": list(referral_updates),
    }
    return api.post(SYNC, data=json.dumps(body), content_type="application/json")


def _contact_with(make_contact, overrides: dict) -> dict:
    return {key: value for key, value in make_contact(**overrides).items() if value is not DROP}


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
    response = _send(worker, contacts=[_contact_with(make_contact, overrides)])
    result = assert_rejected(response, field)
    assert result["index"] == 0
    if overrides.get("id") is DROP:
        assert result["id"] is None
    assert count_rows() == NOTHING


def test_more_bad_contacts_are_each_rejected_with_their_field(worker, make_contact, count_rows):
    bad = [
        _contact_with(make_contact, overrides) for overrides, _field in MORE_BAD_CONTACTS.values()
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


# Referral follow-ups


def follow_up(referral_id, status="attended", minutes_ago=0, **fields):
    return {
        "id": new_id(),
        "referral_id": referral_id,
        "status": status,
        "occurred_at": device_time(minutes_ago=minutes_ago),
        **fields,
    }


def referral_status(api, contact) -> str:
    view = api.get(f"/api/v1/contacts/{contact['id']}").get_json()
    return view["referrals"][0]["status"]


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


# Incidents


def test_incident_is_stored(app, worker, make_incident, count_rows):
    incident = make_incident(oxygen_given=True, outcome="recovered_on_site", naloxone_doses=3)
    assert statuses(worker.sync(incidents=[incident])) == ["created"]
    view = worker.get(f"/api/v1/incidents/{incident['id']}").get_json()
    assert view["kind"] == "opioid_overdose"
    assert view["naloxone_doses"] == 3
    assert view["outcome"] == "recovered_on_site"
    assert view["site"] == "AMS-DCR1"
    assert view["recorded_by"] == worker.username
    assert datetime.fromisoformat(view["occurred_at"]) == datetime.fromisoformat(
        incident["occurred_at"]
    )
    with app.app_context():
        stored = db.session.get(Incident, UUID(incident["id"]))
        assert (stored.ambulance_called, stored.oxygen_given, stored.rescue_breathing) == (
            True,
            True,
            False,
        )
    assert count_rows()["incidents"] == 1


def test_a_retried_incident_is_duplicate(worker, make_incident, count_rows):
    incident = make_incident()
    assert statuses(worker.sync(incidents=[incident])) == ["created"]
    assert statuses(worker.sync(incidents=[incident])) == ["duplicate"]
    assert count_rows()["incidents"] == 1


def test_an_incident_id_with_other_content_is_a_conflict(app, worker, make_incident, count_rows):
    incident = make_incident()
    worker.sync(incidents=[incident])
    result = only_result(worker.sync(incidents=[{**incident, "outcome": "death"}]))
    assert result["status"] == "conflict"
    assert count_rows()["incidents"] == 1
    with app.app_context():
        assert db.session.get(Incident, UUID(incident["id"])).outcome == "hospital"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "alien_abduction"}, "kind"),
        ({"outcome": "teleported"}, "outcome"),
        ({"naloxone_doses": 25}, "naloxone_doses"),
    ],
    ids=["unknown-kind", "unknown-outcome", "25-doses"],
)
def test_bad_incident_is_rejected(worker, make_incident, count_rows, overrides, field):
    result = assert_rejected(worker.sync(incidents=[make_incident(**overrides)]), field)
    assert result["type"] == "incident"
    assert count_rows() == NOTHING


MORE_BAD_INCIDENTS = {
    "no-kind": ({"kind": DROP}, "kind"),
    "null-kind": ({"kind": None}, "kind"),
    "negative-doses": ({"naloxone_doses": -1}, "naloxone_doses"),
    "fractional-doses": ({"naloxone_doses": 2.5}, "naloxone_doses"),
    "doses-text": ({"naloxone_doses": "two"}, "naloxone_doses"),
    "ambulance-maybe": ({"ambulance_called": "maybe"}, "ambulance_called"),
    "unknown-site": ({"site": "XXX-000"}, "site"),
    "other-site": ({"site": "RTM-NSP1"}, "site"),
    "future": ({"occurred_at": device_time(minutes_ago=-90)}, "occurred_at"),
    "no-offset": ({"occurred_at": "2026-10-31T23:30:00"}, "occurred_at"),
    "short-code": ({"client_code": "ab"}, "client_code"),
    "bad-id": ({"id": "not-a-uuid"}, "id"),
    "free-text": ({"victim_name": "Jade"}, "victim_name"),
}


def test_more_bad_incidents_are_each_rejected_with_their_field(worker, make_incident, count_rows):
    bad = [
        {key: value for key, value in make_incident(**overrides).items() if value is not DROP}
        for overrides, _field in MORE_BAD_INCIDENTS.values()
    ]
    results = results_of(worker.sync(incidents=[*bad, make_incident()]))
    for result, (name, (_overrides, field)) in zip(
        results, MORE_BAD_INCIDENTS.items(), strict=False
    ):
        assert (result["type"], result["status"]) == ("incident", "rejected"), (name, result)
        assert field in result["errors"], (name, result)
        assert_messages_listed(result["errors"])
    assert results[-1]["status"] == "created"
    assert count_rows() == {**NOTHING, "incidents": 1}


# Time (DESIGN §4)


@pytest.mark.parametrize(
    ("offset", "utc_hour", "next_day"),
    [("+01:00", 22, False), ("-05:00", 4, True)],
)
def test_local_time_is_stored_in_utc_and_read_back_as_the_same_instant(
    app, worker, make_contact, offset, utc_hour, next_day
):
    day = (datetime.now(UTC) - timedelta(days=3)).date()
    contact = make_contact(occurred_at=f"{day.isoformat()}T23:30:00{offset}")
    before = datetime.now(UTC)
    assert statuses(worker.sync(contacts=[contact])) == ["created"]
    expected = datetime(day.year, day.month, day.day, utc_hour, 30, tzinfo=UTC)
    if next_day:
        expected += timedelta(days=1)

    view = worker.get(f"/api/v1/contacts/{contact['id']}").get_json()
    read_back = datetime.fromisoformat(view["occurred_at"])
    assert read_back == expected
    assert read_back.utcoffset() == timedelta(0)
    received_at = datetime.fromisoformat(view["received_at"])
    assert before - timedelta(seconds=5) <= received_at <= datetime.now(UTC) + timedelta(seconds=5)

    with app.app_context():
        stored = db.session.get(Contact, UUID(contact["id"]))
        assert stored.occurred_at == expected
        assert stored.occurred_at.utcoffset() == timedelta(0)
        sent_offset = datetime.fromisoformat(contact["occurred_at"]).utcoffset()
        assert stored.utc_offset_minutes == sent_offset.total_seconds() // 60


def test_the_23_30_contact_at_plus_one_is_22_30_utc(worker, make_contact):
    day = (datetime.now(UTC) - timedelta(days=2)).date()
    contact = make_contact(occurred_at=f"{day}T23:30:00+01:00")
    worker.sync(contacts=[contact])
    view = worker.get(f"/api/v1/contacts/{contact['id']}").get_json()
    assert view["occurred_at"].startswith(f"{day}T22:30:00")
    assert datetime.fromisoformat(view["occurred_at"]) == datetime.fromisoformat(
        contact["occurred_at"]
    )


# Privacy (DESIGN §3)


def _everything_stored(app) -> str:
    """Every row of every table, as text."""
    with app.app_context():
        if ON_POSTGRESQL:
            tables = inspect(db.engine).get_table_names()
            return "\n".join(
                row[0]
                for table in tables
                for row in db.session.execute(text(f'SELECT t::text FROM "{table}" AS t'))
            )
        return "\n".join(
            repr(tuple(row))
            for table in db.metadata.sorted_tables
            for row in db.session.execute(select(table))
        )


def _database_file_bytes(app) -> bytes:
    """The SQLite database's files, after folding the write-ahead log into the main file."""
    with app.app_context():
        path = Path(db.engine.url.database)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        connection.close()
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def test_the_raw_client_code_is_stored_nowhere(app, worker, make_contact, make_incident):
    contact = make_contact(client_code="JADE0101M")
    incident = make_incident(client_code="jade-0101-m")
    assert statuses(worker.sync(contacts=[contact], incidents=[incident])) == [
        "created",
        "created",
    ]
    forms = ["JADE0101M", "jade0101m", "jade-0101-m", "JADE-0101-M"]
    plain_digest = hashlib.sha256(b"JADE0101M").hexdigest()

    stored = _everything_stored(app)
    assert contact["id"].replace("-", "") in stored.replace("-", "")  # the dump sees the rows
    for form in forms:
        assert form.lower() not in stored.lower()
    assert plain_digest not in stored

    if not ON_POSTGRESQL:
        raw = _database_file_bytes(app)
        assert contact["id"].replace("-", "").encode() in raw.replace(b"-", b"")
        for form in forms:
            assert form.encode() not in raw
        assert plain_digest.encode() not in raw


def test_the_raw_client_code_is_not_logged_or_echoed(worker, make_contact, caplog):
    caplog.set_level(logging.DEBUG)
    good = make_contact(client_code="JADE0101M")
    too_long = make_contact(client_code="JADE0101MJADE0101MJADE0101M")
    response = worker.sync(contacts=[good, too_long])
    assert statuses(response) == ["created", "rejected"]
    assert "JADE0101M" not in response.get_data(as_text=True)
    assert "JADE0101M" not in caplog.text


def test_codes_that_normalise_alike_link_to_one_client(worker, make_contact, count_rows):
    spelled = [
        make_contact(client_code="jade-0101-m"),
        make_contact(client_code="JADE0101M"),
        make_contact(client_code=" Jade 0101 m "),
        make_contact(client_code="JÄDE0101M"),
    ]
    other = make_contact(client_code="ROSE0202F")
    anonymous = make_contact(client_code="")
    assert statuses(worker.sync(contacts=[*spelled, other, anonymous])) == ["created"] * 6
    aliases = [
        worker.get(f"/api/v1/contacts/{contact['id']}").get_json()["client_alias"]
        for contact in [*spelled, other, anonymous]
    ]
    assert aliases[0] is not None
    assert aliases[:4] == [aliases[0]] * 4
    assert aliases[4] not in (None, aliases[0])
    assert aliases[5] is None
    assert count_rows()["clients"] == 2
