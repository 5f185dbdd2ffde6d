"""`POST /api/v1/sync`: the envelope (what is not a batch is refused whole and writes nothing),
the batch limits, sign-in and CSRF, and the sites a user may record at."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from outreach.auth.service import find_user, revoke_sessions
from outreach.extensions import db
from tests.sync.helpers import (
    NOTHING,
    SYNC,
    assert_error_shape,
    new_id,
    results_of,
    statuses,
)

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
