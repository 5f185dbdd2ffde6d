"""A new time zone for the organisation moves records near midnight at a month's end into another
month: the roll-ups are counted again in the new zone, in the same transaction."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from outreach.catalog.codebook import load_codebook
from outreach.extensions import db
from outreach.records.models import Contact, Incident
from outreach.reports import rollups
from outreach.settings import TIME_ZONE, purged_before, set_setting, time_zone


def move_to_time_zone(name: str) -> None:
    """Make `name` the organisation's time zone and recompute the monthly roll-ups of every
    month whose records are kept. Months purged keep what was counted in the old zone; the few
    records between the old and the new start of the first month kept are counted as records
    arriving late for a purged month are: into (or out of) the purged month they fall in."""
    kept = purged_before()
    old_start = new_start = None
    if kept:
        old_start = _month_start(kept, ZoneInfo(time_zone()))
        new_start = _month_start(kept, ZoneInfo(name))
        if new_start < old_start:
            # Records from new_start came late for a purged month and were counted in it; the
            # rebuild counts them again in the first month kept: take them out of the old one
            # (in the old zone, so before the change), and write that now, as rebuild() drops
            # what is gathered.
            _count_records(new_start, old_start, sign=-1)
            rollups.write_pending(db.session())
    set_setting(TIME_ZONE, name)
    rollups.rebuild()
    if kept and new_start > old_start:
        # These were counted in the first month kept; now they belong to the last month purged,
        # which rebuild() leaves alone.
        _count_records(old_start, new_start, sign=1)


def _month_start(month: str, zone: ZoneInfo) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=zone).astimezone(UTC)


def _count_records(start: datetime, end: datetime, sign: int) -> None:
    """Add (or take away) the roll-up shares of the records in [start, end) not voided."""
    codebook = load_codebook()
    contacts = db.session.execute(
        select(Contact).where(
            Contact.occurred_at >= start, Contact.occurred_at < end, Contact.voided_at.is_(None)
        )
    ).scalars()
    for contact in contacts:
        rollups.count_contact(contact, codebook.item_codes, codebook.type_codes, sign=sign)
    incidents = db.session.execute(
        select(Incident).where(
            Incident.occurred_at >= start, Incident.occurred_at < end, Incident.voided_at.is_(None)
        )
    ).scalars()
    for incident in incidents:
        rollups.count_incident(incident, sign=sign)
