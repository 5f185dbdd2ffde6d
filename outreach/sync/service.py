"""Applying a batch of records sent by a device (DESIGN §6, §8)."""

from flask_babel import gettext as _
from marshmallow import ValidationError

from outreach.errors import Conflict, InvalidInput, plain
from outreach.extensions import db
from outreach.records.schemas import ContactIn, IncidentIn, ReferralUpdateIn
from outreach.records.service import (
    load_codebook,
    look_up_stored,
    record_contact,
    record_incident,
    record_referral_update,
)

# Contacts come first: a follow-up in the same batch may name a referral made in one of them.
RECORD_KINDS = (
    ("contacts", "contact", ContactIn(), record_contact),
    ("incidents", "incident", IncidentIn(), record_incident),
    ("referral_updates", "referral_update", ReferralUpdateIn(), record_referral_update),
)


def batch_size(batch: dict) -> int:
    return sum(len(batch.get(plural, [])) for plural, *_rest in RECORD_KINDS)


def _record_id(raw: dict):
    value = raw.get("id")
    return value.strip().lower() if isinstance(value, str) else value


def apply_sync_batch(user, batch: dict) -> list[dict]:
    """Validate and store each record on its own; answer one result per record, in order.

    Each record runs in a savepoint, so a rejected one leaves nothing behind. Records are stored
    in id order, so two batches that share records take their row locks in the same order and
    cannot deadlock on PostgreSQL; results keep the order the device sent.
    """
    codebook = load_codebook()
    look_up_stored(codebook, batch.get("contacts", []))
    results = []
    for plural, kind, schema, record in RECORD_KINDS:
        raws = batch.get(plural, [])
        kind_results = [None] * len(raws)
        seen = set()
        for index in sorted(range(len(raws)), key=lambda i: str(_record_id(raws[i]))):
            raw = raws[index]
            result = {"type": kind, "index": index, "id": _record_id(raw)}
            if not isinstance(result["id"], str | None):
                result["id"] = None
            try:
                if result["id"] is not None:
                    if result["id"] in seen:
                        raise InvalidInput(
                            errors={"id": [_("This id appears more than once in the batch.")]}
                        )
                    seen.add(result["id"])
                data = schema.load(raw)
                with db.session.begin_nested():
                    result["status"] = record(user, data, codebook)
            except ValidationError as exc:
                result.update(status="rejected", errors=plain(exc.messages))
            except InvalidInput as exc:
                result.update(status="rejected", errors=plain(exc.errors))
            except Conflict as exc:
                result.update(status="conflict", message=str(exc.message))
            kind_results[index] = result
        results.extend(kind_results)
    return results
