"""Every indicator counted again from the records themselves (contacts, their items and
referrals, incidents, the stock ledger's lines), with SQL aggregates: the reference the roll-ups
are rebuilt from (`rollups.rebuild`) and the oracle the tests hold the roll-ups and the report
read from them to.

Each month is a range of UTC instants of the organisation's time zone, and a CASE expression puts
every record into its month, so the grouping happens in the database. Voided records never count.
"""

from datetime import datetime

from sqlalchemy import and_, case, distinct, exists, func, select
from sqlalchemy.orm import aliased

from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.catalog.vocabulary import FLAGS
from outreach.clients.models import Client
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem, Incident, Referral
from outreach.reports.indicators import ALL_SITES, age_group
from outreach.reports.report import Report, add_derived, add_item_kinds
from outreach.reports.stock import add_stock
from outreach.supplies.months import monthly_flows, stock_before
from outreach.timekeeping import month_bounds, month_case, months_span


def direct_report(
    months: list[str],
    sites: list[Site],
    distinct_people: bool = True,
    stock: bool = True,
    until: datetime | None = None,
) -> Report:
    """Every indicator computed from the records themselves: the reference the roll-ups are
    checked against and rebuilt from. Without `distinct_people`, only counts that add up;
    without `stock`, nothing from the stock ledger (bulk hand-outs are not among the items
    distributed then: `monthly_counts` keeps those of contacts only). `until` (a UTC instant)
    cuts the last month short: what a part of a month held (`period.py`)."""
    report = Report(months=months, sites=sites)
    codes = {site.id: site.code for site in sites}
    if not codes or not months:
        return report
    start, end = months_span(months)
    if until is not None:
        end = min(end, until)
    month = month_case(Contact.occurred_at, months).label("month")
    in_scope = (
        Contact.voided_at.is_(None),
        Contact.occurred_at >= start,
        Contact.occurred_at < end,
        Contact.site_id.in_(list(codes)),
    )

    def per_site_and_total(*columns, where=(), joins=(), extra_group=(), total=True):
        """Run an aggregate grouped by month and site, and (`total`) by month alone (ALL)."""
        for by_site in (True, False) if total else (True,):
            group = [month, *([Contact.site_id] if by_site else []), *extra_group]
            query = select(*group, *columns)
            for target, on in joins:
                query = query.join(target, on)
            query = query.where(*in_scope, *where).group_by(*group)
            for row in db.session.execute(query):
                site = codes[row[1]] if by_site else ALL_SITES
                rest = row[2:] if by_site else row[1:]
                yield row.month, site, rest

    _contacts(report, per_site_and_total, codes, month, in_scope, distinct_people)
    _demography(report, per_site_and_total, distinct_people)
    if distinct_people:
        _new_clients(report, per_site_and_total)
    _items(report, codes, month, in_scope)
    _referrals(report, codes, month, in_scope)
    _incidents(report, codes, months, start, end)
    if stock:
        # Stock, and the bulk hand-outs among the items distributed, from the ledger's lines.
        items = {item.id: item for item in db.session.execute(select(EquipmentItem)).scalars()}
        # A part of a month (`until`: the dashboard's comparison) opens on whole months, which
        # the roll-ups hold exactly; recounting the whole ledger for it would take seconds.
        opening = stock_before(months[0], list(codes), recount=until is None)
        flows = monthly_flows(months, list(codes), recount=True, until=until)
        add_stock(report, flows, opening, codes, items)
    add_derived(report, sites)
    return report


def _contacts(report, per_site_and_total, codes, month, in_scope, distinct_people):
    flags = list(FLAGS)
    # Sums add up over sites: one query per site is enough, the total adds them.
    sums = (
        select(
            month,
            Contact.site_id,
            func.count(Contact.id),
            func.sum(Contact.people_count),
            func.sum(case((Contact.client_id.is_(None), 1), else_=0)),
            func.sum(case((Contact.naloxone_trained, 1), else_=0)),
            func.sum(Contact.overdose_reversals),
            func.sum(case((Contact.returned_estimated, 0), else_=Contact.returned_syringes)),
            func.sum(case((Contact.returned_estimated, Contact.returned_syringes), else_=0)),
            func.sum(case((Contact.clock_correction_seconds != 0, 1), else_=0)),
            *[func.sum(case((getattr(Contact, flag), 1), else_=0)) for flag in flags],
        )
        .where(*in_scope)
        .group_by(month, Contact.site_id)
    )
    for row in db.session.execute(sums):
        site = codes[row[1]]
        contacts, people, anonymous, trained, reversals, counted, estimated, corrected = row[2:10]
        report.add(row.month, site, "contacts", "", contacts)
        report.add(row.month, site, "people_contacted", "", people)
        report.add(row.month, site, "anonymous_contacts", "", anonymous)
        report.add(row.month, site, "people_trained_naloxone", "", trained)
        report.add(row.month, site, "overdose_reversals_reported", "", reversals)
        report.add(row.month, site, "syringes_returned", "", (counted or 0) + (estimated or 0))
        report.add(row.month, site, "syringes_returned", "counted", counted)
        report.add(row.month, site, "syringes_returned", "estimated", estimated)
        report.add(row.month, site, "records_time_corrected", "", corrected)
        for flag, value in zip(flags, row[10:], strict=True):
            report.add(row.month, site, "contacts_by_flag", flag, value)

    by_kind = (
        select(month, Contact.site_id, Contact.kind, Contact.route, func.count(Contact.id))
        .where(*in_scope)
        .group_by(month, Contact.site_id, Contact.kind, Contact.route)
    )
    for row in db.session.execute(by_kind):
        site = codes[row[1]]
        report.add(row.month, site, "contacts", row.kind, row[4])
        if row.kind == "dcr_visit":
            report.add(row.month, site, "dcr_visits", "", row[4])
            report.add(row.month, site, "dcr_visits", row.route or "unknown", row[4])

    if not distinct_people:
        return
    # Distinct people do not add up over sites: counted per site and again for the total.
    distinct_columns = [
        func.count(distinct(Contact.client_id)),
        *[
            func.count(distinct(case((getattr(Contact, flag), Contact.client_id))))
            for flag in flags
        ],
    ]
    for month_label, site, values in per_site_and_total(*distinct_columns):
        report.add(month_label, site, "unique_clients", "", values[0])
        for flag, value in zip(flags, values[1:], strict=True):
            report.add(month_label, site, "unique_clients_by_flag", flag, value)


def _demography(report, per_site_and_total, distinct_people):
    """Gender and age group; a client has one gender and birth year, so groups partition them."""
    contact_groups = (Contact.gender, Contact.birth_year)
    # Contacts add up over sites: the per-site rows make the total.
    for month_label, site, (gender, birth_year, count) in per_site_and_total(
        func.count(Contact.id), extra_group=contact_groups, total=False
    ):
        year = int(month_label[:4])
        report.add(month_label, site, "contacts_by_gender", gender or "unknown", count)
        report.add(month_label, site, "contacts_by_age_group", age_group(year, birth_year), count)

    if not distinct_people:
        return
    client_groups = (Client.gender, Client.birth_year)
    for month_label, site, (gender, birth_year, count) in per_site_and_total(
        func.count(distinct(Contact.client_id)),
        joins=[(Client, Client.id == Contact.client_id)],
        extra_group=client_groups,
    ):
        year = int(month_label[:4])
        report.add(month_label, site, "unique_clients_by_gender", gender or "unknown", count)
        report.add(
            month_label, site, "unique_clients_by_age_group", age_group(year, birth_year), count
        )


def _new_clients(report, per_site_and_total):
    """Clients whose first contact ever is in the month: no earlier contact, at any site."""
    earlier = aliased(Contact)
    no_earlier_contact = ~exists().where(
        earlier.client_id == Contact.client_id,
        earlier.occurred_at < Contact.occurred_at,
        earlier.voided_at.is_(None),
    )
    for month_label, site, (count,) in per_site_and_total(
        func.count(distinct(Contact.client_id)),
        where=(Contact.client_id.is_not(None), no_earlier_contact),
    ):
        report.add(month_label, site, "new_clients", "", count)


def _items(report, codes, month, in_scope):
    query = (
        select(
            month,
            Contact.site_id,
            EquipmentItem.code,
            EquipmentItem.counts_as_syringe,
            EquipmentItem.category,
            func.sum(ContactItem.quantity),
        )
        .join(ContactItem, ContactItem.contact_id == Contact.id)
        .join(EquipmentItem, EquipmentItem.id == ContactItem.item_id)
        .where(*in_scope)
        .group_by(
            month,
            Contact.site_id,
            EquipmentItem.code,
            EquipmentItem.counts_as_syringe,
            EquipmentItem.category,
        )
    )
    for row in db.session.execute(query):
        site, quantity = codes[row[1]], row[5]
        report.add(row.month, site, "items_distributed", "", quantity)
        report.add(row.month, site, "items_distributed", row.code, quantity)
        add_item_kinds(report, row.month, site, row, quantity)


def _referrals(report, codes, month, in_scope):
    query = (
        select(
            month,
            Contact.site_id,
            ReferralType.code,
            func.count(Referral.id),
            func.sum(case((Referral.status == "attended", 1), else_=0)),
        )
        .join(Referral, Referral.contact_id == Contact.id)
        .join(ReferralType, ReferralType.id == Referral.type_id)
        .where(*in_scope)
        .group_by(month, Contact.site_id, ReferralType.code)
    )
    for row in db.session.execute(query):
        site = codes[row[1]]
        for indicator, value in (("referrals_made", row[3]), ("referrals_attended", row[4])):
            report.add(row.month, site, indicator, "", value)
            report.add(row.month, site, indicator, row.code, value)


def _incidents(report, codes, months, start, end):
    month = month_case(Incident.occurred_at, months).label("month")
    query = (
        select(
            month,
            Incident.site_id,
            Incident.kind,
            Incident.outcome,
            func.count(Incident.id),
            func.sum(Incident.naloxone_doses),
            func.sum(case((Incident.clock_correction_seconds != 0, 1), else_=0)),
        )
        .where(
            Incident.voided_at.is_(None),
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
            Incident.site_id.in_(list(codes)),
        )
        .group_by(month, Incident.site_id, Incident.kind, Incident.outcome)
    )
    for row in db.session.execute(query):
        site, count = codes[row[1]], row[4]
        report.add(row.month, site, "incidents", "", count)
        report.add(row.month, site, "incidents", row.kind, count)
        report.add(row.month, site, "incidents_by_outcome", row.outcome, count)
        report.add(row.month, site, "naloxone_doses_administered", "", row[5])
        report.add(row.month, site, "records_time_corrected", "", row[6])


def client_rows(month: str) -> list[dict]:
    """The month's `monthly_clients` rows: per site and client, the contacts not voided and
    those with each target-group flag, with the client's gender and birth year."""
    start, end = month_bounds(month)
    flags = [func.sum(case((getattr(Contact, flag), 1), else_=0)) for flag in FLAGS]
    rows = db.session.execute(
        select(
            Contact.site_id,
            Contact.client_id,
            Client.gender,
            Client.birth_year,
            func.count(Contact.id),
            *flags,
        )
        .join(Client, Client.id == Contact.client_id)
        .where(
            and_(Contact.occurred_at >= start, Contact.occurred_at < end),
            Contact.voided_at.is_(None),
        )
        .group_by(Contact.site_id, Contact.client_id, Client.gender, Client.birth_year)
    ).all()
    return [
        {
            "month": month,
            "site_id": site,
            "client_id": client,
            "gender": gender,
            "birth_year": birth_year,
            "contacts": contacts,
            **dict(zip(FLAGS, values, strict=True)),
        }
        for site, client, gender, birth_year, contacts, *values in rows
    ]
