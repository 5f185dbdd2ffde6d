"""`POST /api/v1/sync` with incidents."""

from datetime import datetime
from uuid import UUID

import pytest

from outreach.extensions import db
from outreach.records.models import Incident
from tests.sync.helpers import (
    DROP,
    NOTHING,
    assert_messages_listed,
    assert_rejected,
    device_time,
    only_result,
    results_of,
    statuses,
)

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
