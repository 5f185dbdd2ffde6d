"""Small-count suppression for exports that leave the organisation (DESIGN §3).

Counts of people from 1 to threshold-1 are hidden. So is a second cell of any table whose total
would otherwise give a hidden cell away by subtraction (complementary suppression). Supply
counts stay exact.
"""

from outreach.reports.indicators import ALL_SITES, BY_NAME

# Tables whose parts add up to a total: (total indicator, part indicator). The total is the
# part indicator's own empty breakdown where they are the same.
PARTITIONS = [
    ("contacts", "contacts"),
    ("contacts", "contacts_by_gender"),
    ("contacts", "contacts_by_age_group"),
    ("unique_clients", "unique_clients_by_gender"),
    ("unique_clients", "unique_clients_by_age_group"),
    ("dcr_visits", "dcr_visits"),
    ("incidents", "incidents"),
    ("incidents", "incidents_by_outcome"),
    ("referrals_made", "referrals_made"),
    ("referrals_attended", "referrals_attended"),
]
# Counts of distinct people that still add up over sites: a client's first contact ever is at
# one site, so the sites' new clients sum to the total.
ADD_UP_OVER_SITES = {"new_clients"}


def _groups(cells: dict) -> list[tuple[tuple, list[tuple]]]:
    """(total key, part keys) of every table in one period's cells (a month's or a year's)."""
    groups = []
    sites = sorted({key[1] for key in cells} - {ALL_SITES})
    # Sites add up to ALL for additive counts of people.
    for period, site, indicator, breakdown in cells:
        meta = BY_NAME[indicator]
        if site == ALL_SITES and meta.people and (meta.additive or indicator in ADD_UP_OVER_SITES):
            parts = [(period, code, indicator, breakdown) for code in sites]
            groups.append(((period, site, indicator, breakdown), parts))
    # Breakdowns add up to their total. (Indexed first: at hundreds of sites, looking through
    # every cell for each site's table would take minutes.)
    breakdowns = {}  # (period, site, indicator) -> its breakdowns' keys
    for key in cells:
        if key[3]:
            breakdowns.setdefault(key[:3], []).append(key)
    for period, site in dict.fromkeys(key[:2] for key in cells):
        for total_indicator, part_indicator in PARTITIONS:
            parts = breakdowns.get((period, site, part_indicator))
            if parts:
                groups.append(((period, site, total_indicator, ""), parts))
        # DCR visits are the contacts of kind dcr_visit counted again: one hides the other.
        visits, by_kind = (period, site, "dcr_visits", ""), (period, site, "contacts", "dcr_visit")
        if visits in cells and by_kind in cells:
            groups.append((by_kind, [visits]))
    return groups


def suppress(cells: dict, threshold: int) -> set[tuple]:
    """Keys of the cells to hide: small counts of people, and what would reveal them."""
    hidden = {
        key
        for key, value in cells.items()
        if BY_NAME[key[2]].people and isinstance(value, int) and 0 < value < threshold
    }
    groups = _groups(cells)
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            # One hidden cell in a table (a part, or the total) can be worked out from the
            # others: hide the smallest other non-zero part too, or, if there is none, the total.
            if len([key for key in (total, *parts) if key in hidden]) != 1:
                continue
            others = sorted(
                (cells.get(part, 0), part)
                for part in parts
                if part not in hidden and cells.get(part, 0)
            )
            if others:
                hidden.add(others[0][1])
            elif total not in hidden:
                hidden.add(total)
            else:
                continue  # a hidden total whose parts are all zero: nothing to give away
            changed = True
    return hidden
