"""Turning the field forms' posted fields into the records the sync API takes, and back.

The forms post plain HTML fields (they work without JavaScript); these functions build the same
dicts a device would send, so the form and the API load through the same schemas.
"""

import re
import uuid
from datetime import datetime, timedelta, timezone

from outreach.marshmallow_messages import translated
from outreach.timekeeping import now, organisation_zone

UTC_OFFSET = re.compile(r"-?[0-9]{1,4}")


def _text(form, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def occurred_at_from_form(form) -> str | None:
    """`occurred_at` (a datetime-local value) with the device's offset if the page sent one.

    Without JavaScript no offset is sent and the time is read in the organisation's time zone.
    """
    local = _text(form, "occurred_at")
    if local is None:
        return None
    try:
        naive = datetime.fromisoformat(local)
    except ValueError:
        return local  # the schema answers with a readable message
    if naive.tzinfo is not None:
        return naive.isoformat()
    offset = _text(form, "utc_offset")
    # ASCII digits only: "²" is a digit to str.isdigit(), not to int().
    if offset is not None and UTC_OFFSET.fullmatch(offset) and abs(int(offset)) <= 14 * 60:
        zone = timezone(timedelta(minutes=int(offset)))
    else:
        zone = organisation_zone()
    return naive.replace(tzinfo=zone).isoformat()


def local_now_value() -> str:
    """Now in the organisation's time zone, as a datetime-local input value."""
    return now().astimezone(organisation_zone()).strftime("%Y-%m-%dT%H:%M")


def _put(record: dict, key: str, value) -> None:
    if value is not None:
        record[key] = value


def contact_from_form(form, equipment_codes, referral_type_codes) -> dict:
    """The contact a device would send, from the contact form's fields."""
    record = {"id": _text(form, "id"), "occurred_at": occurred_at_from_form(form)}
    for name in ("site", "kind", "client_code", "gender", "route", "naloxone_refill_reason"):
        _put(record, name, _text(form, name))
    for name in ("people_count", "on_behalf_of", "birth_year", "returned_syringes"):
        _put(record, name, _text(form, name))
    _put(record, "overdose_reversals", _text(form, "overdose_reversals"))
    record["returned_estimated"] = form.get("returned_estimated") == "on"
    record["naloxone_trained"] = form.get("naloxone_trained") == "on"
    record["flags"] = [flag for flag in form.getlist("flags") if flag]
    record["substances"] = [code for code in form.getlist("substances") if code]
    record["items"] = [
        {"code": code, "quantity": quantity}
        for code in equipment_codes
        if (quantity := _text(form, f"item.{code}")) not in (None, "0")
    ]
    record["referrals"] = [
        {
            "id": referral_id(record["id"], code),
            "type": code,
            "referred_to": _text(form, f"referred_to.{code}") or "",
        }
        for code in referral_type_codes
        if form.get(f"referral.{code}") == "on"
    ]
    return {key: value for key, value in record.items() if value is not None}


def referral_id(contact_id: str | None, type_code: str) -> str:
    """A referral made on the form gets an id derived from its contact's, so a resent form is a
    duplicate, not a second referral."""
    try:
        namespace = uuid.UUID(contact_id or "")
    except ValueError:
        namespace = uuid.uuid4()
    return str(uuid.uuid5(namespace, f"referral:{type_code}"))


def incident_from_form(form) -> dict:
    """The incident a device would send, from the incident form's fields."""
    record = {"id": _text(form, "id"), "occurred_at": occurred_at_from_form(form)}
    for name in ("site", "kind", "client_code", "outcome", "naloxone_doses"):
        _put(record, name, _text(form, name))
    for name in ("oxygen_given", "rescue_breathing", "ambulance_called"):
        record[name] = form.get(name) == "on"
    return {key: value for key, value in record.items() if value is not None}


def movement_from_form(form) -> dict:
    """The stock movement a device would send, from the field's stock form (a count or a bulk
    hand-out)."""
    record = {"id": _text(form, "id"), "occurred_at": occurred_at_from_form(form)}
    for name in ("site", "item", "kind", "quantity", "lot"):
        _put(record, name, _text(form, name))
    return record


def form_errors(errors: dict, record: dict) -> dict[str, list[str]]:
    """Schema errors keyed by the form's field names (`item.<code>`, `referral.<code>`)."""
    flat = {}
    for key, messages in errors.items():
        if key == "items" and isinstance(messages, dict):
            for index, by_field in messages.items():
                code = record["items"][int(index)]["code"]
                flat[f"item.{code}"] = _messages(by_field)
        elif key == "referrals" and isinstance(messages, dict):
            for index, by_field in messages.items():
                code = record["referrals"][int(index)]["type"]
                flat[f"referral.{code}"] = _messages(by_field)
        elif key in ("flags", "substances") and isinstance(messages, dict):
            flat[key] = _messages(messages)
        else:
            flat[key] = _messages(messages)
    return flat


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [message for nested in value.values() for message in _messages(nested)]
    if isinstance(value, list):
        return [message for nested in value for message in _messages(nested)]
    return [translated(str(value))]
