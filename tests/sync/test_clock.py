"""A phone whose clock is wrong (DESIGN §4): each sync request carries the phone's clock when
sent (`sent_at`); the server corrects the records' times by the difference from its own clock,
within limits, and keeps the correction."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from outreach.extensions import db
from outreach.records.models import Contact, Incident, ReferralStatusChange
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.sync.service import apply_sync_batch
from outreach.timekeeping import month_of, organisation_zone
from tests.sync.helpers import NOTHING, assert_error_shape, results_of, statuses

AMSTERDAM_WINTER = timezone(timedelta(hours=1))


def phone_clock(fast: timedelta, minutes_ago: float = 0) -> str:
    """What a phone whose clock runs `fast` ahead shows, `minutes_ago` minutes ago."""
    moment = datetime.now(UTC) + fast - timedelta(minutes=minutes_ago)
    return moment.astimezone(AMSTERDAM_WINTER).isoformat()


def sync_at(api, sent_at, contacts=(), incidents=(), referral_updates=()):
    body = {
        "contacts": list(contacts),
        "incidents": list(incidents),
        "referral_updates": list(referral_updates),
    }
    if sent_at is not None:
        body["sent_at"] = sent_at
    return api.post("/api/v1/sync", json=body)


def stored(app, model, record_id):
    with app.app_context():
        row = db.session.get(model, uuid.UUID(record_id))
        return None if row is None else (row.occurred_at, row.clock_correction_seconds)


FAST = timedelta(minutes=20)


def test_a_phone_twenty_minutes_fast_has_its_times_corrected(app, worker, make_contact):
    """ "Now" on a phone 20 minutes fast is refused as in the future without `sent_at`; with
    it the record is stored at the true time, and the correction is kept."""
    now_on_phone = phone_clock(FAST)
    refused = make_contact(occurred_at=now_on_phone)
    response = sync_at(worker, None, contacts=[refused])
    assert results_of(response)[0]["errors"] == {
        "occurred_at": ["The time lies in the future. Check the phone's clock."]
    }

    contact = make_contact(occurred_at=now_on_phone)
    response = sync_at(worker, phone_clock(FAST), contacts=[contact])
    assert statuses(response) == ["created"]
    body = response.get_json()
    assert abs(body["clock_offset_seconds"] - 1200) <= 5
    assert body["clock_correction_seconds"] == -body["clock_offset_seconds"]
    occurred_at, correction = stored(app, Contact, contact["id"])
    assert correction == body["clock_correction_seconds"]
    sent = datetime.fromisoformat(now_on_phone)
    assert occurred_at == sent + timedelta(seconds=correction)
    assert abs(occurred_at - datetime.now(UTC)) < timedelta(seconds=10)
    # Whoever reads the record sees the time it was corrected by.
    view = worker.get(f"/api/v1/contacts/{contact['id']}").get_json()
    assert view["clock_correction_seconds"] == correction


def test_a_resent_record_is_a_duplicate_whatever_the_correction(app, worker, make_contact):
    contact = make_contact(occurred_at=phone_clock(FAST, minutes_ago=3))
    first = sync_at(worker, phone_clock(FAST), contacts=[contact])
    assert statuses(first) == ["created"]
    kept = stored(app, Contact, contact["id"])
    # The answer was lost; by the retry the phone's clock has drifted by another 40 seconds.
    retry = sync_at(worker, phone_clock(FAST + timedelta(seconds=40)), contacts=[contact])
    assert statuses(retry) == ["duplicate"]
    assert (
        retry.get_json()["clock_correction_seconds"] != first.get_json()["clock_correction_seconds"]
    )
    assert stored(app, Contact, contact["id"]) == kept
    # A record sent uncorrected first (the clock was right then) is also the same record.
    plain = make_contact(occurred_at=phone_clock(timedelta(0), minutes_ago=30))
    assert statuses(sync_at(worker, phone_clock(timedelta(0)), contacts=[plain])) == ["created"]
    again = sync_at(worker, phone_clock(FAST), contacts=[plain])
    assert statuses(again) == ["duplicate"]


@pytest.mark.parametrize(
    ("off", "corrected"),
    [
        (timedelta(seconds=90), False),  # within the tolerance: the upload's time is in it
        (timedelta(minutes=-3), True),  # a slow clock
        (timedelta(hours=23), True),
        (timedelta(hours=25), False),  # too far off to trust
        (timedelta(hours=-25), False),
    ],
)
def test_corrections_are_made_within_limits(app, worker, make_contact, off, corrected):
    contact = make_contact(occurred_at=phone_clock(off, minutes_ago=60))
    response = sync_at(worker, phone_clock(off), contacts=[contact])
    body = response.get_json()
    assert abs(body["clock_offset_seconds"] - off.total_seconds()) <= 5
    if corrected:
        assert statuses(response) == ["created"]
        assert abs(body["clock_correction_seconds"] + off.total_seconds()) <= 5
        assert stored(app, Contact, contact["id"])[1] == body["clock_correction_seconds"]
    else:
        assert body["clock_correction_seconds"] == 0
        if abs(off) > timedelta(hours=24):
            # Judged as sent: a day ahead is in the future, a day behind is simply stored.
            assert statuses(response) == (["rejected"] if off > timedelta(0) else ["created"])
        if statuses(response) == ["created"]:
            assert stored(app, Contact, contact["id"])[1] == 0


def test_incidents_and_follow_ups_are_corrected_too(app, worker, make_contact, make_incident):
    contact = make_contact(occurred_at=phone_clock(FAST, minutes_ago=10))
    incident = make_incident(occurred_at=phone_clock(FAST, minutes_ago=5))
    update = {
        "id": "7a7e2f7c-1a8b-4f0e-9b7e-3f1f1f0f0f01",
        "referral_id": contact["referrals"][0]["id"],
        "status": "attended",
        "occurred_at": phone_clock(FAST),
    }
    response = sync_at(
        worker,
        phone_clock(FAST),
        contacts=[contact],
        incidents=[incident],
        referral_updates=[update],
    )
    assert statuses(response) == ["created", "created", "created"]
    correction = response.get_json()["clock_correction_seconds"]
    assert stored(app, Incident, incident["id"])[1] == correction
    with app.app_context():
        change = db.session.execute(select(ReferralStatusChange)).scalar_one()
        assert change.clock_correction_seconds == correction
        assert abs(change.occurred_at - datetime.now(UTC)) < timedelta(seconds=10)


def test_the_month_report_counts_records_whose_time_was_corrected(
    app, worker, make_contact, make_incident
):
    corrected = [make_contact(occurred_at=phone_clock(FAST, minutes_ago=m)) for m in (5, 6)]
    incident = make_incident(occurred_at=phone_clock(FAST, minutes_ago=7))
    assert statuses(sync_at(worker, phone_clock(FAST), corrected, [incident])) == ["created"] * 3
    assert statuses(sync_at(worker, None, [make_contact()])) == ["created"]
    with app.test_request_context():
        month = month_of(datetime.now(UTC) - timedelta(minutes=10))
        sites = [db.session.execute(select(Contact)).scalars().first().site]
        kept = monthly_report([month], sites)
        assert kept.get(month, "records_time_corrected") == 3
        assert kept.get(month, "contacts") == 3
        # The roll-up agrees with a count straight from the records.
        assert direct_report([month], sites).get(month, "records_time_corrected") == 3


def test_a_correction_can_move_a_record_into_the_month_before(as_user, make_user, make_contact):
    """00:10 on the 1st by a phone 20 minutes fast is 23:50 on the last day of the month
    before, and is counted there."""
    with as_user(make_user("worker")) as user:
        zone = organisation_zone()
        today = datetime.now(zone)
        first = today.replace(day=1, hour=0, minute=10, second=0, microsecond=0)
        if first > today:  # just after midnight on the 1st: take the month before
            first = (first - timedelta(days=2)).replace(day=1)
        contact = make_contact(occurred_at=first.isoformat())
        results = apply_sync_batch(user, {"contacts": [contact]}, -FAST)
        db.session.commit()
        assert [result["status"] for result in results] == ["created"]
        stored_at = db.session.get(Contact, uuid.UUID(contact["id"])).occurred_at
        assert stored_at == first - FAST
        before, after = month_of(first - FAST), month_of(first)
        assert before < after
        site = db.session.get(Contact, uuid.UUID(contact["id"])).site
        report = monthly_report([before, after], [site])
        assert report.get(before, "contacts") == 1
        assert report.get(before, "records_time_corrected") == 1
        assert report.get(after, "contacts") == 0


@pytest.mark.parametrize(
    "sent_at",
    ["yesterday", "2026-12-02T10:00:00", 1733130000, "", ["2026-12-02T10:00:00Z"]],
    ids=["words", "no-offset", "number", "empty", "list"],
)
def test_a_malformed_sent_at_is_a_422_and_writes_nothing(worker, make_contact, count_rows, sent_at):
    response = sync_at(worker, sent_at, contacts=[make_contact()])
    body = assert_error_shape(response, 422)
    assert "sent_at" in str(body["errors"])
    assert count_rows() == NOTHING


@pytest.mark.parametrize("occurred_at", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
@pytest.mark.parametrize("off", [FAST, -FAST])
def test_times_at_the_ends_of_the_calendar_are_refused_not_a_500(
    worker, make_contact, count_rows, occurred_at, off
):
    response = sync_at(worker, phone_clock(off), contacts=[make_contact(occurred_at=occurred_at)])
    assert statuses(response) == ["rejected"]
    assert "occurred_at" in results_of(response)[0]["errors"]
    assert count_rows() == NOTHING


def test_the_openapi_document_describes_sent_at_and_the_clock_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    batch = next(schema for name, schema in schemas.items() if name.startswith("SyncBatch"))
    assert batch["properties"]["sent_at"]["format"] == "date-time"
    answer = next(schema for name, schema in schemas.items() if name.startswith("SyncResponse"))
    assert {"clock_offset_seconds", "clock_correction_seconds"} <= set(answer["properties"])
