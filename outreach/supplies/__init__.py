"""Supplies: what every site holds of each item, where it went, and when to reorder.

What a site holds is the sum of an append-only ledger (`models.StockEntry`): lines written for
each movement staff record (`movements.py`: a delivery, a transfer, a count, an adjustment, a
disposal, a bulk hand-out by an outlet that logs no contacts), for each contact's items and
for each void (`ledger.draw_for_contacts`, `ledger.put_back_contact`, called by `ingest`). A
running balance per site, item and lot and the monthly flows the reports read are kept in the
same transaction (`ledger.Books`), so reading stock never sums the ledger; `months.py` counts
both again from the ledger, and `rebuild` writes them back.

A hand-out is never refused or slowed: what it takes beyond the books is a flagged shortfall,
and no balance goes below zero. Dependencies: `ingest`, `sync` and `reports` use supplies;
supplies uses `catalog`, `auth`, `audit`, `settings` and the shared modules.
"""
