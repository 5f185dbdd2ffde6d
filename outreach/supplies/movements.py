"""Recording a stock movement (loaded by `schemas.StockMovementIn`) from a phone or a page:
who may record it, what the books must hold, and its lines in the ledger (`ledger.Books`)."""

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.audit.service import record_event
from outreach.catalog.codebook import Codebook
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.fields import load_with_references
from outreach.identity import CREATED, insert_or_compare, record_columns, stored_outcome
from outreach.supplies.ledger import NO_LOT, Books
from outreach.supplies.models import StockBalance, StockMovement
from outreach.supplies.vocabulary import WORKER_KINDS
from outreach.timekeeping import now

# Who keeps the books: sees /supplies and records every kind of movement.
SUPPLY_ROLES = ("supervisor", "admin")


def load_movement(schema, raw, user, codebook: Codebook) -> dict:
    """A movement loaded by `schemas.StockMovementIn`; InvalidInput naming every problem (the
    schema's and `movement_errors`') if it is invalid."""
    return load_with_references(schema, raw, lambda valid: movement_errors(user, valid, codebook))


def record_movement(user, data: dict, codebook: Codebook) -> str:
    """Store a movement and write its lines; CREATED, or DUPLICATE for one stored already.
    Raises InvalidInput (every problem named) or Conflict."""
    digest, outcome = stored_outcome(StockMovement, "stock_movement", data)
    if outcome is not None:
        return outcome
    errors = movement_errors(user, data, codebook)
    if errors:
        raise InvalidInput(errors=errors)
    site = codebook.sites[data["site"]]
    item = codebook.equipment[data["item"]]
    to_site = codebook.sites[data["to_site"]] if data.get("to_site") else None
    pairs = [(site.id, item.id)] + ([(to_site.id, item.id)] if to_site else [])
    books = Books(pairs)
    for site_id, item_id in pairs:  # kept from this movement on
        books.keep_books(site_id, item_id)
    # The lines first: a movement that takes more than the books hold is refused before
    # anything is written.
    _draw_lines(books, data, site.id, item.id, to_site.id if to_site else None)
    movement = StockMovement(
        **record_columns(user.id, site.id, data, digest, now()),
        item_id=item.id,
        kind=data["kind"],
        quantity=data["quantity"],
        to_site_id=to_site.id if to_site else None,
        **{name: data.get(name) for name in ("lot", "expires_on", "source", "reference", "reason")},
    )
    outcome = insert_or_compare(movement, StockMovement, digest)
    if outcome != CREATED:
        return outcome
    books.write()
    record_event(
        "stock_movement",
        user,
        target=str(movement.id),
        detail=_audit_detail(movement, site, item, to_site),
    )
    return CREATED


def movement_errors(user, data: dict, codebook: Codebook) -> dict:
    """Field messages about what a movement (possibly loaded only in part) refers to: its sites
    and item, whether this user may record its kind there, and its lot's expiry date."""
    errors = codebook.site_errors(user, data.get("site"))
    errors.update(codebook.site_errors(user, data.get("to_site"), field="to_site"))
    item = codebook.equipment.get(data["item"]) if "item" in data else None
    if "item" in data and item is None:
        errors["item"] = [_("Unknown item: %(codes)s.", codes=data["item"])]
    if data.get("kind") and not may_record(user, data["kind"]):
        errors["kind"] = [_("Only supervisors and administrators record this kind of movement.")]
    if item is not None and data.get("lot") and data.get("expires_on"):
        known = known_expiry(item.id, data["lot"])
        if known is not None and known != data["expires_on"]:
            errors["expires_on"] = [
                _("This lot is recorded as expiring on %(day)s.", day=known.isoformat())
            ]
    return errors


def may_record(user, kind: str) -> bool:
    """Workers count stock and record bulk hand-outs; supervisors and admins record every kind."""
    return kind in WORKER_KINDS or user.role in SUPPLY_ROLES


def known_expiry(item_id: int, lot: str):
    """The expiry date a lot of an item has in the books (at any site), or None."""
    return db.session.execute(
        select(StockBalance.expires_on)
        .where(
            StockBalance.item_id == item_id,
            StockBalance.lot == lot,
            StockBalance.expires_on.is_not(None),
        )
        .limit(1)
    ).scalar()


def _draw_lines(books: Books, data: dict, site_id, item_id, to_site_id) -> None:
    """The ledger lines of a movement, in `books` (not written yet)."""
    kind, quantity, at = data["kind"], data["quantity"], data["occurred_at"]
    lot = data.get("lot")
    expires_on = data.get("expires_on") or (known_expiry(item_id, lot) if lot else None)
    refs = {"movement_id": data["id"]}
    if kind == "received" or (kind == "adjustment" and quantity > 0):
        books.add(kind, site_id, item_id, lot or NO_LOT, expires_on, quantity, at, **refs)
    elif kind == "transfer":
        drawn = books.draw(
            kind, site_id, item_id, quantity, at, lot, other_site_id=to_site_id, **refs
        )
        for line in drawn:
            books.add(
                kind,
                to_site_id,
                item_id,
                line["lot"],
                line["expires_on"],
                -line["quantity"],
                at,
                movement_id=data["id"],
                other_site_id=site_id,
            )
    elif kind == "count":
        difference = quantity - books.on_hand(site_id, item_id, lot)
        if difference < 0:
            books.draw(kind, site_id, item_id, -difference, at, lot, **refs)
        else:  # a count that matched the books is kept too, as a line of 0
            books.add(kind, site_id, item_id, lot or NO_LOT, expires_on, difference, at, **refs)
    elif kind in ("adjustment", "disposal"):
        books.draw(kind, site_id, item_id, abs(quantity), at, lot, **refs)
    else:  # handed_out: never refused
        books.draw(kind, site_id, item_id, quantity, at, lot, hand_out=True, **refs)


def _audit_detail(movement, site, item, to_site) -> str:
    """The audit log's words for a movement (in English, as every entry's)."""
    parts = [f"{movement.kind} {movement.quantity} {item.code} at {site.code}"]
    if to_site is not None:
        parts.append(f"to {to_site.code}")
    if movement.lot:
        parts.append(f"lot {movement.lot}")
    if movement.reason:
        parts.append(f"reason {movement.reason}")
    return ", ".join(parts)
