"""Applying a batch of records sent by a device (DESIGN §6, §8)."""

from datetime import timedelta

from flask_babel import gettext as _

from outreach.errors import Conflict, InvalidInput, plain
from outreach.extensions import db
from outreach.records.schemas import ContactIn, IncidentIn, ReferralUpdateIn
from outreach.records.service import (
    load_codebook,
    load_record,
    look_up_stored,
    record_contacts,
    record_incident,
    record_referral_update,
)
from outreach.timekeeping import NO_CORRECTION

# Contacts come first: a follow-up in the same batch may name a referral made in one of them.
# Contacts are stored together, the other kinds one at a time (each needs its own lookups).
RECORD_KINDS = (
    ("contacts", "contact", ContactIn, record_contacts),
    ("incidents", "incident", IncidentIn, record_incident),
    ("referral_updates", "referral_update", ReferralUpdateIn, record_referral_update),
)
# The schemas of phones whose clocks need no correction (most), made once.
_UNCORRECTED = {
    schema_class: schema_class() for _plural, _kind, schema_class, _record in RECORD_KINDS
}


def _schema(schema_class, clock_correction: timedelta):
    if not clock_correction:
        return _UNCORRECTED[schema_class]
    return schema_class(clock_correction=clock_correction)


def batch_size(batch: dict) -> int:
    return sum(len(batch.get(plural, [])) for plural, *_rest in RECORD_KINDS)


def _record_id(raw: dict):
    value = raw.get("id")
    return value.strip().lower() if isinstance(value, str) else value


def apply_sync_batch(user, batch: dict, clock_correction: timedelta = NO_CORRECTION) -> list[dict]:
    """Validate and store the records; answer one result per record, in the order sent.

    A rejected record leaves nothing behind and does not stop the others, and names every
    problem it has. Records are stored in id order, so two batches that share records take
    their row locks in the same order and cannot deadlock on PostgreSQL. `clock_correction`
    is added to the records' times (outreach.timekeeping.clock_correction).
    """
    codebook = load_codebook()
    look_up_stored(codebook, batch.get("contacts", []))
    results = []
    for plural, kind, schema_class, record in RECORD_KINDS:
        raws = batch.get(plural, [])
        if not raws:
            continue
        schema = _schema(schema_class, clock_correction)
        kind_results = [None] * len(raws)
        loaded = []  # (result, data) of the records that passed validation, in id order
        seen = set()
        for index in sorted(range(len(raws)), key=lambda i: str(_record_id(raws[i]))):
            raw = raws[index]
            result = {"type": kind, "index": index, "id": _record_id(raw)}
            if not isinstance(result["id"], str | None):
                result["id"] = None
            kind_results[index] = result
            try:
                if result["id"] is not None:
                    if result["id"] in seen:
                        raise InvalidInput(
                            errors={"id": [_("This id appears more than once in the batch.")]}
                        )
                    seen.add(result["id"])
                loaded.append((result, load_record(kind, schema, raw, user, codebook)))
            except InvalidInput as exc:
                result.update(status="rejected", errors=plain(exc.errors))
        if record is record_contacts:
            outcomes = record_contacts(user, [data for _result, data in loaded], codebook)
        else:
            outcomes = [_one_by_one(record, user, data, codebook) for _result, data in loaded]
        for (result, _data), outcome in zip(loaded, outcomes, strict=True):
            _answer(result, outcome)
        results.extend(kind_results)
    return results


def _one_by_one(record, user, data: dict, codebook):
    """Store one record in its own savepoint: its outcome, or the exception rejecting it."""
    try:
        with db.session.begin_nested():
            return record(user, data, codebook)
    except (InvalidInput, Conflict) as exc:
        return exc


def _answer(result: dict, outcome) -> None:
    if isinstance(outcome, InvalidInput):
        result.update(status="rejected", errors=plain(outcome.errors))
    elif isinstance(outcome, Conflict):
        result.update(status="conflict", message=str(outcome.message))
    else:
        result["status"] = outcome
