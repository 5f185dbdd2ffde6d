"""Sealed records in a sync batch (DESIGN §6): every envelope is opened first, with the
sender's username, and the batch goes on with the plain records, judged exactly as if they had
been sent plain. An envelope that does not open is refused on its own.

A sealed record that draws stock gets `released` in its result: its site and items, so the
phone can take them off the running total it keeps instead of the record (it cannot read
its own sealed records)."""

from typing import NamedTuple

from outreach.sealing.envelope import SealError, is_sealed, open_envelope
from outreach.sealing.keys import keyring


class OpenedBatch(NamedTuple):
    batch: dict  # every envelope that opened replaced by its record
    refused: dict  # (list name, index) -> field errors of an envelope that did not open
    sealed: set  # (list name, index) of the records that came sealed and opened


def open_batch(batch: dict, username: str, plurals) -> OpenedBatch:
    keys, cache = keyring(), {}
    opened, refused, sealed = dict(batch), {}, set()
    for plural in plurals:
        raws = batch.get(plural) or []
        if not any(is_sealed(raw) for raw in raws):
            continue
        records = list(raws)
        for index, raw in enumerate(raws):
            if not is_sealed(raw):
                continue
            try:
                records[index] = open_envelope(raw, username, keys, cache)
            except SealError as exc:
                refused[(plural, index)] = {"sealed": [str(exc)]}
            else:
                sealed.add((plural, index))
        opened[plural] = records
    return OpenedBatch(opened, refused, sealed)


def released(plural: str, record: dict) -> dict | None:
    """What a record takes from its site's stock, as the phone counts it while it waits:
    the items of a contact, the item of a bulk hand-out; None for anything else."""
    site = record.get("site")
    if plural == "contacts" and isinstance(record.get("items"), list):
        taken = [
            (item.get("code"), item.get("quantity"))
            for item in record["items"]
            if isinstance(item, dict)
        ]
    elif plural == "stock_movements" and record.get("kind") == "handed_out":
        taken = [(record.get("item"), record.get("quantity"))]
    else:
        return None
    items = {}
    for code, quantity in taken:
        if isinstance(code, str) and type(quantity) is int and quantity > 0:
            items[code] = items.get(code, 0) + quantity
    if not isinstance(site, str) or not items:
        return None
    return {"site": site, "items": items}
