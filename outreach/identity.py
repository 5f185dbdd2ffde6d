"""What makes two records the same: their id decides, and a keyed hash of their content tells
a retry (`duplicate`) from other content under the same id (`conflict`)."""

import hmac
import json
import uuid
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from outreach.errors import Conflict
from outreach.extensions import db
from outreach.timekeeping import NO_CORRECTION, offset_minutes

CREATED = "created"
DUPLICATE = "duplicate"


def _json_value(value):
    """What JSON cannot hold as it is: ids as text, times as seconds since the epoch, days as
    ISO dates."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in a record")


def content_hash(kind: str, data: dict, key: str | None = None) -> str:
    """A keyed hash of a loaded record, equal for equal content whatever the order of lists.
    A record with a client code hashes its client's pseudonym instead (`key`, which the caller
    gives: `outreach.clients.service.client_key`).

    Keyed, because the content includes the client's pseudonym and a plain hash of a short
    client code could be reversed by trying every code.
    """
    data = dict(data)
    # The time as the device sent it: a retry may come with another clock correction.
    correction = data.pop("clock_correction", NO_CORRECTION)
    if correction:
        data["occurred_at"] -= correction
    if data.get("client_code"):
        if key is None:
            raise ValueError("a record with a client code is hashed with its client's key")
        data["client_code"] = key
    for name in ("flags", "substances"):
        if name in data:
            data[name] = sorted(data[name])
    if "items" in data:
        data["items"] = sorted(data["items"], key=lambda item: item["code"])
    if "referrals" in data:
        data["referrals"] = sorted(data["referrals"], key=lambda referral: str(referral["id"]))
    text = json.dumps({"kind": kind, "data": data}, sort_keys=True, default=_json_value)
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.digest(secret, text.encode(), "sha256").hex()


def existing_outcome(existing, digest: str) -> str:
    """DUPLICATE for a stored record of the same content; Conflict otherwise."""
    if existing.content_hash == digest:
        return DUPLICATE
    raise Conflict(_("A different record with this id is already stored. Nothing was changed."))


def stored_outcome(model, kind: str, data: dict, key: str | None = None) -> tuple[str, str | None]:
    """A loaded record's content hash (`key`: its client's, as for `content_hash`), and
    DUPLICATE if its id holds the same content already (Conflict if other content), None if
    its id is free."""
    digest = content_hash(kind, data, key)
    existing = db.session.get(model, data["id"])
    return digest, None if existing is None else existing_outcome(existing, digest)


def record_columns(user_id: int, site_id: int, data: dict, digest: str, received_at) -> dict:
    """The columns every kind of record made at a site has, from a loaded record."""
    occurred_at = data["occurred_at"]
    return {
        "id": data["id"],
        "occurred_at": occurred_at,
        "utc_offset_minutes": offset_minutes(occurred_at),
        "clock_correction_seconds": correction_seconds(data),
        "received_at": received_at,
        "content_hash": digest,
        "site_id": site_id,
        "recorded_by_id": user_id,
    }


def insert_or_compare(record, model, digest: str) -> str:
    """Insert a new record; the primary key decides between created, duplicate and conflict."""
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        existing = db.session.get(model, record.id, populate_existing=True)
        if existing is None:
            raise
        return existing_outcome(existing, digest)
    return CREATED


def correction_seconds(data: dict) -> int:
    """The seconds a loaded record's time was moved because the device's clock was wrong."""
    return int(data.get("clock_correction", NO_CORRECTION).total_seconds())
