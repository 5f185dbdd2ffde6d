"""Reports: the monthly indicators of DESIGN §7 (`indicators.py`), per site and in total.

Each indicator is counted three ways:

1. As records are stored (`rollups.py`, into the tables of `models.py`): every contact, incident,
   follow-up and void adds to or takes from the month's counts in the transaction that stores
   it. `rollups.rebuild()` writes them anew from way 2 (after a bulk load, before a purge, and
   when the time zone changes: `timezone.py`).
2. By recount from the records (`recount.py`): SQL aggregates over the contacts, their items and
   referrals, and the incidents, not voided.
3. When read (`service.monthly_report`): the roll-ups summed over the months and sites asked
   for (distinct people over the sites chosen), with the values derived from them: syringes and
   naloxone kits from the items by their catalog entry, return rate and active sites
   (`report.add_derived`, which the recount uses too).

The tests hold the three equal:
- tests/reports/test_indicators.py: way 3, directly and through the API, gives the numbers
  worked out by hand (tests/reports/expected.py) for the data set of
  tests/reports/hand_worked.py, whose roll-ups way 2 wrote (through `rebuild()`); the CSV, XLSX
  and dashboard show the same (tests/exports/test_api.py).
- tests/reports/test_rollups.py: way 3 read from way 1 equals way 2 after random syncs, late
  arrivals, follow-ups, voids and two phones sending one batch; `rebuild()` changes no row.
- tests/sync/test_properties.py: the same after random batches, and way 3 against the records
  sent. After the other jobs that touch the roll-ups: tests/sync/test_clock.py (corrected
  times), tests/test_backups.py (a restore), tests/demo/test_volume.py (a bulk load),
  tests/admin/test_settings_admin.py (a new time zone), and tests/retention/test_purge.py
  (purged months keep every number, also after a rebuild).

Modules: `rollups` → `recount` → `report` ← `service`; the pages (`views`) and the API (`api`)
read through `service`. Exports build on reports (`outreach.exports`), never the other way.
"""
