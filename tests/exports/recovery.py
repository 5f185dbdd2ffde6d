"""What a reader of a published export can work out by subtraction: the tests' check that
suppression gives no hidden count away. The tables are written out by hand here, apart from
those outreach/exports/suppression.py knows."""

from tests.reports.hand_worked import ALL

# The tables of a month, written out by hand: which indicators add up over the sites to ALL,
# and which breakdowns add up to which total (part indicator -> total indicator).
ADD_UP_OVER_SITES = {
    "contacts",
    "people_contacted",
    "anonymous_contacts",
    "new_clients",  # a client's first contact ever is at one site
    "contacts_by_flag",
    "contacts_by_gender",
    "contacts_by_age_group",
    "people_trained_naloxone",
    "overdose_reversals_reported",
    "referrals_made",
    "referrals_attended",
    "dcr_visits",
    "incidents",
    "incidents_by_outcome",
    "naloxone_doses_administered",
}
PARTS_OF = {
    "contacts": "contacts",  # by kind
    "contacts_by_gender": "contacts",
    "contacts_by_age_group": "contacts",
    "unique_clients_by_gender": "unique_clients",
    "unique_clients_by_age_group": "unique_clients",
    "dcr_visits": "dcr_visits",  # by route
    "incidents": "incidents",  # by kind
    "incidents_by_outcome": "incidents",
    "referrals_made": "referrals_made",  # by type
    "referrals_attended": "referrals_attended",
}


def tables(cells: dict) -> list[tuple[tuple, list[tuple]]]:
    """Every equation total = sum(parts) that holds among the cells."""
    sites = sorted({key[1] for key in cells} - {ALL})
    found = []
    for month, site, indicator, breakdown in cells:
        if site == ALL and indicator in ADD_UP_OVER_SITES:
            parts = [(month, code, indicator, breakdown) for code in sites]
            found.append(((month, ALL, indicator, breakdown), parts))
    for month, site in {key[:2] for key in cells}:
        for part, total in PARTS_OF.items():
            parts = [key for key in cells if key[:3] == (month, site, part) and key[3]]
            if parts:
                found.append(((month, site, total, ""), parts))
        # the same number twice: DCR visits are the contacts of kind dcr_visit
        visits, by_kind = (month, site, "dcr_visits", ""), (month, site, "contacts", "dcr_visit")
        if visits in cells and by_kind in cells:
            found.append((by_kind, [visits]))
    return found


def recoverable(cells: dict, hidden: set) -> set:
    """The hidden cells someone can work out from the visible ones: solve every equation with a
    single unknown, again and again (a solved cell may open another equation)."""
    unknown = {key for key in hidden if key in cells}
    solved = set()
    equations = tables(cells)
    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            missing = [key for key in (total, *parts) if key in unknown]
            if len(missing) == 1:
                unknown.discard(missing[0])
                solved.add(missing[0])
                changed = True
    return solved
