"""The code lists of stock (DESIGN §2 Stock), with their translatable labels."""

from flask_babel import lazy_gettext as _l

# What staff record (`stock_movements.kind`).
MOVEMENT_KINDS = {
    "received": _l("Delivery received"),
    "transfer": _l("Transfer"),
    "count": _l("Count"),
    "adjustment": _l("Adjustment"),
    "disposal": _l("Disposal"),
    "handed_out": _l("Bulk hand-out"),
}
# What workers may record; supervisors and admins record every kind.
WORKER_KINDS = ("count", "handed_out")

# The ledger's lines (`stock_entries.kind`): the movements, and what the app writes itself.
ENTRY_KINDS = {
    **MOVEMENT_KINDS,
    "contact": _l("Handed out at a contact"),
    "shortfall": _l("Shortfall"),
}

SOURCES = {
    "purchase": _l("Purchase"),
    "donation": _l("Donation"),
    "municipality": _l("Municipality"),
    "other": _l("Other"),
}

REASONS = {
    "damaged": _l("Damaged"),
    "expired": _l("Expired"),
    "lost": _l("Lost"),
    "recalled": _l("Recalled"),
    "other": _l("Other"),
}
ADJUSTMENT_REASONS = ("damaged", "expired", "lost", "other")
DISPOSAL_REASONS = ("expired", "recalled", "damaged", "other")

# The monthly flows of a site's stock of an item (`stock_months.flow`), the indicators they
# make (DESIGN §7), and the sign each adds to the closing stock.
FLOW_OF_ENTRY = {
    "received": "received",
    "count": "adjusted",
    "adjustment": "adjusted",
    "shortfall": "adjusted",
    "disposal": "disposed",
    "handed_out": "handed_out_bulk",
    "contact": "handed_out_contacts",
}
