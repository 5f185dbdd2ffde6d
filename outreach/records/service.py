"""Reading field records: one record, lists, referrals waiting for follow-up, and a worker's
tally. Who may read what is `records.access`; changing records is `outreach.ingest`."""

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from outreach.catalog.models import EquipmentItem, Site
from outreach.errors import NotAllowed, NotFound
from outreach.extensions import db
from outreach.records.access import can_read, visible_records
from outreach.records.models import Contact, ContactItem, Incident, Referral
from outreach.timekeeping import local_day_bounds


def get_record(model, record_id, user):
    """The record with this id if the user may read it; NotFound or NotAllowed otherwise."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(_("No record with this id."))
    if not can_read(user, record):
        raise NotAllowed(_("You may not see this record."))
    return record


def list_records(model, user, date_from=None, date_to=None, site_code=None) -> Select:
    """Visible, non-voided records, newest first, filtered by local dates and a site."""
    query = visible_records(model, user).where(model.voided_at.is_(None))
    if date_from is not None:
        query = query.where(model.occurred_at >= local_day_bounds(date_from)[0])
    if date_to is not None:
        query = query.where(model.occurred_at < local_day_bounds(date_to)[1])
    if site_code is not None:
        query = query.join(Site, model.site_id == Site.id).where(Site.code == site_code)
    if model is Contact:
        query = query.options(
            selectinload(Contact.items).selectinload(ContactItem.item),
            selectinload(Contact.substances),
            selectinload(Contact.referrals).selectinload(Referral.type),
        )
    return query.options(selectinload(model.site), selectinload(model.recorded_by)).order_by(
        model.occurred_at.desc()
    )


def open_referrals(user, status: str = "made") -> Select:
    """Referrals in a status (by default still waiting for follow-up): a worker's own, a
    supervisor's sites, or all."""
    query = (
        select(Referral)
        .join(Contact)
        .where(Referral.status == status, Contact.voided_at.is_(None))
        .options(
            selectinload(Referral.type),
            selectinload(Referral.contact).selectinload(Contact.site),
            selectinload(Referral.contact).selectinload(Contact.client),
        )
        .order_by(Contact.occurred_at)
    )
    if user.role == "worker":
        query = query.where(Contact.recorded_by_id == user.id)
    elif not user.is_admin:
        query = query.where(Contact.site_id.in_([site.id for site in user.sites]))
    return query


# The worker's day


def tally(user, start, end) -> dict:
    """What the user logged between two moments (e.g. today's or this week's bounds from
    outreach.timekeeping), counted in SQL."""
    mine_today = (
        Contact.recorded_by_id == user.id,
        Contact.occurred_at >= start,
        Contact.occurred_at < end,
        Contact.voided_at.is_(None),
    )
    contacts, people, returned = db.session.execute(
        select(
            func.count(Contact.id),
            func.coalesce(func.sum(Contact.people_count), 0),
            func.coalesce(func.sum(Contact.returned_syringes), 0),
        ).where(*mine_today)
    ).one()
    syringes = db.session.execute(
        select(func.coalesce(func.sum(ContactItem.quantity), 0))
        .join(Contact)
        .join(EquipmentItem)
        .where(*mine_today, EquipmentItem.counts_as_syringe)
    ).scalar_one()
    referrals = db.session.execute(
        select(func.count(Referral.id)).join(Contact).where(*mine_today)
    ).scalar_one()
    incidents = db.session.execute(
        select(func.count(Incident.id)).where(
            Incident.recorded_by_id == user.id,
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
            Incident.voided_at.is_(None),
        )
    ).scalar_one()
    return {
        "contacts": contacts,
        "people": people,
        "syringes_given": syringes,
        "syringes_returned": returned,
        "referrals": referrals,
        "incidents": incidents,
    }
