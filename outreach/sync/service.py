"""Applying a batch of records sent by a device (DESIGN §6, §8)."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import NamedTuple

from flask_babel import gettext as _

from outreach.catalog.codebook import Codebook, load_codebook
from outreach.errors import Conflict, InvalidInput, plain
from outreach.extensions import db
from outreach.ingest.checks import load_record
from outreach.ingest.contacts import record_contacts
from outreach.ingest.follow_ups import record_referral_updates
from outreach.ingest.incidents import record_incidents
from outreach.ingest.savepoints import each_in_a_savepoint
from outreach.records.quick import quick_contact
from outreach.records.schemas import ContactIn, IncidentIn, ReferralUpdateIn
from outreach.supplies.ledger import lock_stock
from outreach.supplies.movements import load_movement, record_movement
from outreach.supplies.schemas import StockMovementIn
from outreach.sync.sealed import open_batch, released
from outreach.timekeeping import NO_CORRECTION


def _no_quick_way(_raw, _clock_correction):
    return None


def _by_id(data: dict):
    return str(data["id"])


def _by_time(data: dict):
    return (data["occurred_at"], str(data["id"]))


class RecordKind(NamedTuple):
    """A kind of record: its list in the batch, its name in the results, how it loads (a quick
    way for the usual well-formed record, when there is one, else its schema, through its
    loader, which also names what the record refers to that is wrong), how it is stored, and in
    which order the records of a batch are stored."""

    plural: str
    name: str
    quick: Callable
    schema: type
    load: Callable
    store: Callable
    # Records go in id order: two batches that share records then take their row locks in the
    # same order and cannot deadlock on PostgreSQL. Stock movements go in the order they
    # happened (a count then a hand-out is not a hand-out then a count); their stock is locked
    # before anything else, so batches that share them wait for each other instead.
    order: Callable = _by_id


# Contacts come first: a follow-up in the same batch may name a referral made in one of them.
RECORD_KINDS = (
    RecordKind(
        "contacts",
        "contact",
        quick_contact,
        ContactIn,
        partial(load_record, "contact"),
        record_contacts,
    ),
    RecordKind(
        "incidents",
        "incident",
        _no_quick_way,
        IncidentIn,
        partial(load_record, "incident"),
        record_incidents,
    ),
    RecordKind(
        "referral_updates",
        "referral_update",
        _no_quick_way,
        ReferralUpdateIn,
        partial(load_record, "referral_update"),
        record_referral_updates,
    ),
    RecordKind(
        "stock_movements",
        "stock_movement",
        _no_quick_way,
        StockMovementIn,
        load_movement,
        each_in_a_savepoint(record_movement),
        order=_by_time,
    ),
)
# The schemas of phones whose clocks need no correction (most), made once.
_UNCORRECTED = {kind.schema: kind.schema() for kind in RECORD_KINDS}


def _schema(schema_class, clock_correction: timedelta):
    if not clock_correction:
        return _UNCORRECTED[schema_class]
    return schema_class(clock_correction=clock_correction)


def batch_size(batch: dict) -> int:
    return sum(len(batch.get(kind.plural, [])) for kind in RECORD_KINDS)


def _record_id(raw: dict):
    value = raw.get("id")
    return value.strip().lower() if isinstance(value, str) else value


def apply_sync_batch(user, batch: dict, clock_correction: timedelta = NO_CORRECTION) -> list[dict]:
    """Validate and store the records; answer one result per record, in the order sent.

    A rejected record leaves nothing behind and does not stop the others, and names every
    problem it has. Records are stored in the order their kind says (`RecordKind.order`).
    `clock_correction` is added to the records' times (outreach.timekeeping.clock_correction).
    Sealed records are opened first (`sync.sealed`).
    """
    opened = open_batch(batch, user.username, [kind.plural for kind in RECORD_KINDS])
    batch = opened.batch
    codebook = load_codebook()
    if db.session.connection().dialect.name == "postgresql":
        # Every site's stock this batch may change, locked at once and in order before anything
        # else: two batches drawing on the same stock then wait for each other rather than
        # deadlock (SQLite lets one writer in at a time).
        lock_stock(_stock_touched(batch, codebook))
    results = []
    for plural, kind, quick, schema_class, load, store, order in RECORD_KINDS:
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
                if (plural, index) in opened.refused:
                    raise InvalidInput(errors=opened.refused[(plural, index)])
                data = quick(raw, clock_correction) or load(schema, raw, user, codebook)
                loaded.append((result, data))
            except InvalidInput as exc:
                result.update(status="rejected", errors=plain(exc.errors))
        loaded.sort(key=lambda pair: order(pair[1]))
        outcomes = store(user, [data for _result, data in loaded], codebook)
        for (result, _data), outcome in zip(loaded, outcomes, strict=True):
            _answer(result, outcome)
        for index, result in enumerate(kind_results):
            if (plural, index) in opened.sealed and (taken := released(plural, raws[index])):
                result["released"] = taken
        results.extend(kind_results)
    return results


def _stock_touched(batch: dict, codebook: Codebook) -> set:
    """The (site id, item id) whose stock the records of a batch (as sent, not yet loaded)
    may change: the items of contacts, the item of stock movements, at their sites."""

    def codes(value) -> list:
        return [value] if isinstance(value, str) else []

    wanted = []  # (site codes, item codes)
    for raw in batch.get("contacts", []):
        items = raw.get("items")
        items = items if isinstance(items, list) else []
        wanted.append(
            (
                codes(raw.get("site")),
                [
                    code
                    for item in items
                    if isinstance(item, dict)
                    for code in codes(item.get("code"))
                ],
            )
        )
    for raw in batch.get("stock_movements", []):
        wanted.append((codes(raw.get("site")) + codes(raw.get("to_site")), codes(raw.get("item"))))
    pairs = set()
    for sites, items in wanted:
        for site in sites:
            for item in items:
                if site in codebook.sites and item in codebook.equipment:
                    pairs.add((codebook.sites[site].id, codebook.equipment[item].id))
    return pairs


def _answer(result: dict, outcome) -> None:
    if isinstance(outcome, InvalidInput):
        result.update(status="rejected", errors=plain(outcome.errors))
    elif isinstance(outcome, Conflict):
        result.update(status="conflict", message=str(outcome.message))
    else:
        result["status"] = outcome
