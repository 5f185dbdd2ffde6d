"""The stock indicators of a report (DESIGN §7) from the monthly flows of the ledger, as kept
(`supplies.models.StockMonth`) or counted again from the ledger's lines: received, transferred
in and out, handed out (at contacts and in bulk), adjusted, disposed, and the closing stock.
Each is given by item and in total over the items (as `items_distributed` is). Bulk hand-outs
also count as items, syringes and naloxone kits distributed."""

from collections import defaultdict

from outreach.reports.indicators import ALL_SITES
from outreach.reports.report import Report, add_item_kinds

# Each flow: the indicator it makes, and the sign that turns its ledger sum into that count.
FLOW_INDICATORS = {
    "received": ("stock_received", 1),
    "transferred_in": ("stock_transferred_in", 1),
    "transferred_out": ("stock_transferred_out", -1),
    "handed_out_contacts": ("stock_handed_out", -1),
    "handed_out_bulk": ("stock_handed_out", -1),
    "adjusted": ("stock_adjusted", 1),
    "disposed": ("stock_disposed", -1),
}


def add_stock(report: Report, flows, opening: dict, codes: dict, items: dict) -> None:
    """Add the stock indicators of `flows` ((month, site id, item id, flow, ledger sum), site id
    None for all sites together) to a report, and the closing stock of every month from the
    `opening` stock before its first month ({(site id, item id): units}).

    `codes` maps site ids to codes; `items` item ids to catalog items."""
    change = defaultdict(int)  # (month, site id, item id) -> net change of the stock
    for month, site_id, item_id, flow, quantity in flows:
        site = codes[site_id] if site_id is not None else ALL_SITES
        item = items[item_id]
        indicator, sign = FLOW_INDICATORS[flow]
        for breakdown in ("", item.code):
            report.add(month, site, indicator, breakdown, sign * quantity)
        change[(month, site_id, item_id)] += quantity
        if flow == "handed_out_bulk":
            report.add(month, site, "items_distributed", "", -quantity)
            report.add(month, site, "items_distributed", item.code, -quantity)
            add_item_kinds(report, month, site, item, -quantity)
    pairs = set(opening) | {(site_id, item_id) for _month, site_id, item_id in change}
    for site_id, item_id in pairs:
        site = codes[site_id] if site_id is not None else ALL_SITES
        closing = opening.get((site_id, item_id), 0)
        for month in report.months:
            closing += change.get((month, site_id, item_id), 0)
            for breakdown in ("", items[item_id].code):
                report.add(month, site, "stock_closing", breakdown, closing)
