"""The quick way in for contacts: the usual well-formed contact, loaded exactly as ContactIn
loads it, in plain Python and a fifth of the time (a sync checks every record).

Each function answers the value as ContactIn's field would load it, or raises _Irregular for
anything unusual or wrong: the caller then loads the contact with ContactIn, which says what is
wrong. Only JSON's own types are taken as they are (no "5" for 5, no 1 for true): a form's text
goes the long way. tests/records/test_quick_load.py holds the two ways to each other.
"""

import uuid
from datetime import datetime, timedelta

from outreach.catalog.vocabulary import (
    CONTACT_KINDS,
    FLAGS,
    GENDERS,
    NALOXONE_REFILL_REASONS,
    ROUTES,
    SUBSTANCES,
)
from outreach.clients.service import normalise_code
from outreach.errors import InvalidClientCode, InvalidOccurredAt
from outreach.fields import clean_text, has_forbidden_characters
from outreach.limits import (
    EARLIEST_BIRTH_YEAR,
    MAX_ITEMS,
    MAX_OVERDOSE_REVERSALS,
    MAX_PEOPLE,
    MAX_QUANTITY,
    MAX_REFERRALS,
    MAX_REFERRED_TO,
    MIN_PEOPLE,
)
from outreach.records.schemas import ContactIn, ReferralIn, latest_birth_year
from outreach.timekeeping import NO_CORRECTION, check_occurred_at, corrected


class _Irregular(Exception):
    pass


def quick_contact(raw, clock_correction: timedelta = NO_CORRECTION) -> dict | None:
    """The contact as ContactIn(clock_correction=…) loads it, if it is a plain valid one; else
    None."""
    try:
        return _quick_contact(raw, clock_correction)
    except _Irregular:
        return None


_CONTACT_FIELDS = frozenset(ContactIn._declared_fields)
_OPTIONAL = object()


def _quick_contact(raw, clock_correction: timedelta) -> dict:
    if type(raw) is not dict or not _CONTACT_FIELDS.issuperset(raw):
        raise _Irregular
    get = raw.get
    contact = {
        "id": _uuid(get("id")),
        "occurred_at": _occurred_at(get("occurred_at"), clock_correction),
        "site": _text(get("site")),
        "kind": _code(get("kind"), CONTACT_KINDS),
        "client_code": _client_code(get("client_code")),
        "people_count": _whole(get("people_count", MIN_PEOPLE), MIN_PEOPLE, MAX_PEOPLE),
        "on_behalf_of": _whole(get("on_behalf_of", 0), 0, MAX_PEOPLE),
        "gender": _code_or_none(get("gender"), GENDERS),
        "birth_year": _birth_year(get("birth_year")),
        "flags": _codes(get("flags", _OPTIONAL), FLAGS),
        "substances": _codes(get("substances", _OPTIONAL), SUBSTANCES),
        "route": _code_or_none(get("route"), ROUTES),
        "items": _records(get("items", _OPTIONAL), _item, MAX_ITEMS, ("code",)),
        "returned_syringes": _whole_or_none(get("returned_syringes"), 0, MAX_QUANTITY),
        "returned_estimated": _boolean(get("returned_estimated", False)),
        "naloxone_trained": _boolean(get("naloxone_trained", False)),
        "naloxone_refill_reason": _code_or_none(
            get("naloxone_refill_reason"), NALOXONE_REFILL_REASONS
        ),
        "overdose_reversals": _whole(get("overdose_reversals", 0), 0, MAX_OVERDOSE_REVERSALS),
        "referrals": _records(
            get("referrals", _OPTIONAL), _referral, MAX_REFERRALS, ("id", "type")
        ),
        "clock_correction": clock_correction,
    }
    if contact["people_count"] > 1 and contact["client_code"] is not None:
        raise _Irregular
    return contact


def _uuid(value) -> uuid.UUID:
    if type(value) is not str:
        raise _Irregular
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _Irregular from None


def _occurred_at(value, clock_correction: timedelta) -> datetime:
    if type(value) is not str:
        raise _Irregular
    try:
        occurred_at = datetime.fromisoformat(value)
        if occurred_at.utcoffset() is None:
            raise _Irregular
        occurred_at = corrected(occurred_at, clock_correction)
        check_occurred_at(occurred_at)
    except (ValueError, InvalidOccurredAt):
        raise _Irregular from None
    return occurred_at


def _text(value, longest: int = 40) -> str:
    if type(value) is not str or not 1 <= len(value) <= longest:
        raise _Irregular
    return value


def _code(value, vocabulary) -> str:
    if type(value) is not str or value not in vocabulary:
        raise _Irregular
    return value


def _code_or_none(value, vocabulary) -> str | None:
    return None if value is None else _code(value, vocabulary)


def _codes(values, vocabulary) -> list[str]:
    if values is _OPTIONAL:
        return []
    if type(values) is not list:
        raise _Irregular
    codes = [_code(value, vocabulary) for value in values]
    if len(set(codes)) != len(codes):
        raise _Irregular
    return codes


def _whole(value, least: int, most: int) -> int:
    if type(value) is not int or not least <= value <= most:
        raise _Irregular
    return value


def _whole_or_none(value, least: int, most: int) -> int | None:
    return None if value is None else _whole(value, least, most)


def _birth_year(value) -> int | None:
    return _whole_or_none(value, EARLIEST_BIRTH_YEAR, latest_birth_year())


def _boolean(value) -> bool:
    if value is not True and value is not False:
        raise _Irregular
    return value


def _client_code(value) -> str | None:
    if value is None:
        return None
    if type(value) is not str:
        raise _Irregular
    if not value.strip():
        return None
    try:
        return normalise_code(value)
    except InvalidClientCode:
        raise _Irregular from None


def _records(values, load_one, longest: int, unique: tuple[str, ...]) -> list[dict]:
    """A list of nested records (items, referrals), no two sharing a value of a `unique` key."""
    if values is _OPTIONAL:
        return []
    if type(values) is not list or len(values) > longest:
        raise _Irregular
    records = [load_one(value) for value in values]
    for key in unique:
        if len({record[key] for record in records}) != len(records):
            raise _Irregular
    return records


def _item(value) -> dict:
    if type(value) is not dict or len(value) != 2:
        raise _Irregular
    return {
        "code": _text(value.get("code")),
        "quantity": _whole(value.get("quantity"), 1, MAX_QUANTITY),
    }


_REFERRAL_FIELDS = frozenset(ReferralIn._declared_fields)


def _referral(value) -> dict:
    if type(value) is not dict or not _REFERRAL_FIELDS.issuperset(value):
        raise _Irregular
    referred_to = value.get("referred_to", "")
    if type(referred_to) is not str or has_forbidden_characters(referred_to):
        raise _Irregular
    referred_to = clean_text(referred_to)
    if len(referred_to) > MAX_REFERRED_TO:
        raise _Irregular
    return {
        "id": _uuid(value.get("id")),
        "type": _text(value.get("type")),
        "referred_to": referred_to,
    }
