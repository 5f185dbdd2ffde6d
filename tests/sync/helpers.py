"""Plain helpers of the sync tests: ids, device times, result and error shapes."""

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
