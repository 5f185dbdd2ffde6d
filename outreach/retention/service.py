"""Retention: `flask purge` removes contact-level records of old months and keeps their exact
monthly aggregates, so reports and exports of those months give the same numbers as before.

What stays for a purged month: `monthly_counts` (counts per site, indicator and breakdown),
`monthly_clients` (per pseudonymous client: number of contacts and target groups in the month,
needed to count distinct people over any choice of sites) and each client's first contact.
What goes: contacts with their items, substances and referrals (and the referrals' history),
and incidents. The stock ledger stays whole (it holds nothing about anyone): what the sites
hold and every stock figure of the purged months stay as they were. The roll-ups are rebuilt
from the records of those months first, so what is kept is exact even if they had drifted, and
a later `flask rebuild-rollups` leaves them alone.
"""

from sqlalchemy import delete, func, select

from outreach.audit.service import record_event
from outreach.errors import RetentionError
from outreach.extensions import db
from outreach.records.models import (
    Contact,
    ContactItem,
    ContactSubstance,
    Incident,
    Referral,
    ReferralStatusChange,
)
from outreach.reports import rollups
from outreach.settings import PURGED_BEFORE, purged_before, set_setting
from outreach.timekeeping import month_bounds, month_of, now, shift_month


def default_cutoff(retention_months: int) -> str:
    """The first month to keep when keeping `retention_months` whole months before this one."""
    return shift_month(month_of(now()), -retention_months)


def purge(before: str) -> tuple[str, dict]:
    """Remove the contact-level records of every month before `before` (or before an earlier
    purge's month, if that is later); returns that month and the counts removed. The caller
    commits (in one transaction with the aggregates and the audit event)."""
    if before > month_of(now()):
        raise RetentionError(f"{before} has not begun: only past months can be purged.")
    # Never back: records that arrived late for months purged before are counted already.
    before = max(before, purged_before() or before)
    # The aggregates of the months to purge, rebuilt exactly from their records (the months
    # purged before keep theirs).
    rollups.rebuild()
    cutoff = month_bounds(before)[0]
    old_contacts = select(Contact.id).where(Contact.occurred_at < cutoff)
    old_referrals = select(Referral.id).where(Referral.contact_id.in_(old_contacts))
    counted = {
        "contacts": _count(Contact, Contact.occurred_at < cutoff),
        "incidents": _count(Incident, Incident.occurred_at < cutoff),
        "referrals": _count(Referral, Referral.contact_id.in_(old_contacts)),
    }
    for statement in (
        delete(ReferralStatusChange).where(ReferralStatusChange.referral_id.in_(old_referrals)),
        delete(Referral).where(Referral.contact_id.in_(old_contacts)),
        delete(ContactItem).where(ContactItem.contact_id.in_(old_contacts)),
        delete(ContactSubstance).where(ContactSubstance.contact_id.in_(old_contacts)),
        delete(Contact).where(Contact.occurred_at < cutoff),
        delete(Incident).where(Incident.occurred_at < cutoff),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    set_setting(PURGED_BEFORE, before)
    record_event(
        "purge",
        target=f"before {before}",
        detail=", ".join(f"{count} {name}" for name, count in counted.items()),
    )
    return before, counted


def _count(model, condition) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(condition)).scalar_one()
