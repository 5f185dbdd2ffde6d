"""Plain helpers of the sync tests: ids, device times, result and error shapes."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

from outreach.clients.models import Client
from outreach.records.models import (
    Contact,
    ContactItem,
    Incident,
    Referral,
    ReferralStatusChange,
)

COUNTED = {
    "contacts": Contact,
    "contact_items": ContactItem,
    "referrals": Referral,
    "clients": Client,
    "incidents": Incident,
    "referral_status_changes": ReferralStatusChange,
}
NOTHING = dict.fromkeys(COUNTED, 0)


def new_id() -> str:
    return str(uuid.uuid4())


def device_time(minutes_ago: float = 0, offset_hours: int = 1) -> str:
    """An ISO 8601 time as a phone at a fixed UTC offset would send it."""
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return moment.astimezone(timezone(timedelta(hours=offset_hours))).isoformat()


def results_of(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def statuses(response) -> list[str]:
    return [result["status"] for result in results_of(response)]


def assert_messages_listed(errors) -> None:
    """Field errors are {field: [messages]}, nested for lists and objects, never a bare string."""
    assert isinstance(errors, dict) and errors, errors
    for value in errors.values():
        if isinstance(value, dict):
            assert_messages_listed(value)
        else:
            assert isinstance(value, list) and value, errors
            assert all(isinstance(message, str) and message for message in value), errors


def assert_error_shape(response, code: int) -> dict:
    """The JSON error of DESIGN §6: {"code", "status", "message"} (and "errors" when any)."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    if "errors" in body:
        assert_messages_listed(body["errors"])
    return body


def miss_in_the_lookup(monkeypatch, *contacts) -> None:
    """The ingest's lookup of what a batch holds that is stored already misses these contacts,
    as when another request stores them between that lookup and the insert."""
    from outreach.ingest import contacts as ingest_contacts

    real = ingest_contacts.AlreadyStored.look_up.__func__
    ids = {uuid.UUID(contact["id"]) for contact in contacts}

    def missing_them(cls, batch):
        found = real(cls, batch)
        found.contacts = {key: value for key, value in found.contacts.items() if key not in ids}
        found.referral_ids -= {
            uuid.UUID(str(referral["id"]))
            for contact in contacts
            for referral in contact["referrals"]
        }
        return found

    monkeypatch.setattr(ingest_contacts.AlreadyStored, "look_up", classmethod(missing_them))


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


def send(api, contacts=(), incidents=(), referral_updates=()):
    """Like ApiClient.sync, but JSON-encoded here so lone surrogates go through as escapes."""
    body = {
        "contacts": list(contacts),
        "incidents": list(incidents),
        "referral_updates": list(referral_updates),
    }
    return api.post(SYNC, data=json.dumps(body), content_type="application/json")


def contact_with(make_contact, overrides: dict) -> dict:
    """A valid contact with fields changed (`DROP` leaves one out)."""
    return {key: value for key, value in make_contact(**overrides).items() if value is not DROP}


def follow_up(referral_id, status="attended", minutes_ago=0, **fields):
    """A referral follow-up as a device sends it."""
    return {
        "id": new_id(),
        "referral_id": referral_id,
        "status": status,
        "occurred_at": device_time(minutes_ago=minutes_ago),
        **fields,
    }


def referral_status(api, contact) -> str:
    """The status of a contact's (first) referral, as the API shows it."""
    view = api.get(f"/api/v1/contacts/{contact['id']}").get_json()
    return view["referrals"][0]["status"]
