"""Monthly indicators (DESIGN §7), computed with SQL aggregates, per site and in total.

Months are those of the organisation's time zone: each month is a range of UTC instants, and a
CASE expression puts every record into its month, so the grouping happens in the database.
Voided records never count.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import BigInteger, and_, case, cast, distinct, exists, func, literal, select
from sqlalchemy.orm import aliased, selectinload

from outreach.auth.models import User
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.catalog.vocabulary import FLAGS
from outreach.clients.models import Client
from outreach.errors import InvalidInput, NotAllowed
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem, Incident, Referral
from outreach.reports.indicators import ALL_SITES, BY_NAME, age_group
from outreach.reports.rollups import MonthlyClient, MonthlyCount
from outreach.timekeeping import month_bounds, now


@dataclass(frozen=True)
class SiteRef:
    """What a report needs of a site, safe to use after the session that loaded it is gone."""

    id: int
    code: str
    name: str
    kind: str

    @classmethod
    def of(cls, site) -> "SiteRef":
        return cls(site.id, site.code, site.name, site.kind)


@dataclass
class Report:
    """Indicator values: `values[(month, site, indicator, breakdown)]`, site a code or ALL."""

    months: list[str]
    sites: list[Site]
    values: dict = field(default_factory=lambda: defaultdict(int))

    def get(self, month, indicator, breakdown="", site=ALL_SITES):
        return self.values.get((month, site, indicator, breakdown), 0)

    def add(self, month, site, indicator, breakdown, value) -> None:
        """Add to a site's value and, for indicators that add up over sites, to the total."""
        if not value:
            return
        self.values[(month, site, indicator, breakdown)] += value
        if site != ALL_SITES and BY_NAME[indicator].additive:
            self.values[(month, ALL_SITES, indicator, breakdown)] += value

    def rows(self):
        """(month, site, indicator, breakdown, value), ordered for reading."""
        order = {name: index for index, name in enumerate(BY_NAME)}
        site_order = {site.code: index for index, site in enumerate(self.sites)}
        site_order[ALL_SITES] = len(site_order)
        return sorted(
            ((*key, value) for key, value in self.values.items()),
            key=lambda row: (row[0], site_order[row[1]], order[row[2]], row[3]),
        )


def month_case(column, months: list[str]):
    """SQL that names the organisation's month ("YYYY-MM") of a timestamp column."""
    whens = []
    for month in months:
        start, end = month_bounds(month)
        whens.append((and_(column >= start, column < end), month))
    return case(*whens, else_=None)


def _span(months: list[str]):
    return month_bounds(months[0])[0], month_bounds(months[-1])[1]


def direct_report(months: list[str], sites: list[Site], distinct_people: bool = True) -> Report:
    """Every indicator computed from the records themselves: the reference the roll-ups are
    checked against and rebuilt from. Without `distinct_people`, only counts that add up."""
    report = Report(months=months, sites=sites)
    codes = {site.id: site.code for site in sites}
    if not codes or not months:
        return report
    start, end = _span(months)
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
    _derived(report, sites)
    return report


def monthly_report(months: list[str], sites: list[Site], trends: bool = False) -> Report:
    """Every indicator for these months and sites, per site and for all of them together,
    read from the roll-ups (outreach/reports/rollups.py): a few hundred rows a month.

    `trends` is what the 12-month charts need: the totals over the sites only, and people
    without breakdowns by target group, gender or age (the slowest part).
    """
    report = Report(months=months, sites=sites)
    codes = {site.id: site.code for site in sites}
    if not codes or not months:
        return report
    site_ids = list(codes)
    catalog = {item.code: item for item in db.session.execute(select(EquipmentItem)).scalars()}
    # For trends the database adds the sites up; otherwise the report does, site by site.
    site_column = literal(None) if trends else MonthlyCount.site_id
    counts = (
        select(
            MonthlyCount.month,
            site_column,
            MonthlyCount.indicator,
            MonthlyCount.breakdown,
            # PostgreSQL sums a bigint as a numeric: counts stay whole numbers.
            cast(func.sum(MonthlyCount.value), BigInteger),
        )
        .where(MonthlyCount.month.in_(months), MonthlyCount.site_id.in_(site_ids))
        .group_by(MonthlyCount.month, MonthlyCount.indicator, MonthlyCount.breakdown)
    )
    if not trends:
        counts = counts.group_by(MonthlyCount.site_id)
    for month, site_id, indicator, breakdown, value in db.session.execute(counts):
        site = ALL_SITES if trends else codes[site_id]
        report.add(month, site, indicator, breakdown, value)
        item = catalog.get(breakdown) if indicator == "items_distributed" else None
        if item is not None and item.counts_as_syringe:
            report.add(month, site, "syringes_distributed", "", value)
        if item is not None and item.category == "naloxone":
            report.add(month, site, "naloxone_kits_distributed", "", value)

    seen = (
        MonthlyClient.month.in_(months),
        MonthlyClient.site_id.in_(site_ids),
        MonthlyClient.contacts > 0,
    )
    flags = [] if trends else list(FLAGS)
    for by_site in (False,) if trends else (True, False):
        group = [MonthlyClient.month, *([MonthlyClient.site_id] if by_site else [])]
        # A site's rows are one per client already; only the total needs DISTINCT.
        if by_site:
            clients = func.count(MonthlyClient.client_id)
            flagged = [
                func.sum(case((getattr(MonthlyClient, flag) > 0, 1), else_=0)) for flag in flags
            ]
        else:
            clients = func.count(distinct(MonthlyClient.client_id))
            flagged = [
                func.count(
                    distinct(case((getattr(MonthlyClient, flag) > 0, MonthlyClient.client_id)))
                )
                for flag in flags
            ]
        people = select(*group, clients, *flagged).where(*seen).group_by(*group)
        for row in db.session.execute(people):
            site = codes[row[1]] if by_site else ALL_SITES
            values = row[2:] if by_site else row[1:]
            report.add(row[0], site, "unique_clients", "", values[0])
            for flag, value in zip(flags, values[1:], strict=True):
                report.add(row[0], site, "unique_clients_by_flag", flag, value)
        if trends:
            continue
        details = (MonthlyClient.gender, MonthlyClient.birth_year)
        demography_query = select(*group, *details, clients).where(*seen).group_by(*group, *details)
        for row in db.session.execute(demography_query):
            site = codes[row[1]] if by_site else ALL_SITES
            gender, birth_year, count = row[2:] if by_site else row[1:]
            year = int(row[0][:4])
            report.add(row[0], site, "unique_clients_by_gender", gender or "unknown", count)
            report.add(
                row[0], site, "unique_clients_by_age_group", age_group(year, birth_year), count
            )

    start, end = _span(months)
    first_month = month_case(Client.first_contact_at, months).label("month")
    new = (
        select(first_month, Client.first_site_id, func.count(Client.id))
        .where(
            Client.first_contact_at >= start,
            Client.first_contact_at < end,
            Client.first_site_id.in_(site_ids),
        )
        .group_by(first_month, Client.first_site_id)
    )
    for month, site_id, count in db.session.execute(new):
        # New clients add up over sites: a client is first seen at one site.
        if not trends:
            report.values[(month, codes[site_id], "new_clients", "")] += count
        report.values[(month, ALL_SITES, "new_clients", "")] += count
    _derived(report, sites)
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
        if row.counts_as_syringe:
            report.add(row.month, site, "syringes_distributed", "", quantity)
        if row.category == "naloxone":
            report.add(row.month, site, "naloxone_kits_distributed", "", quantity)


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


def _derived(report, sites):
    """Return rate and active sites, from the sums already made."""
    for month in report.months:
        for site in [*sites, None]:
            code = site.code if site else ALL_SITES
            if site is not None and report.get(month, "contacts", site=code):
                report.add(month, code, "sites_active", "", 1)
                report.add(month, code, "sites_active", site.kind, 1)
            distributed = report.get(month, "syringes_distributed", site=code)
            if distributed:
                returned = report.get(month, "syringes_returned", site=code)
                report.values[(month, code, "return_rate", "")] = round(returned / distributed, 3)


def sites_for_report(user, codes=None) -> list[Site]:
    """The sites a supervisor (theirs) or admin (all) asked for; every site of theirs by default.

    Raises InvalidInput for an unknown code and NotAllowed for a site that is not theirs.
    """
    allowed = (
        list(db.session.execute(select(Site).order_by(Site.code)).scalars())
        if user.is_admin
        else list(user.sites)
    )
    if not codes:
        return allowed
    known = {site.code: site for site in db.session.execute(select(Site)).scalars()}
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidInput(
            errors={"site": [_("Unknown site: %(codes)s.", codes=", ".join(unknown))]}
        )
    allowed_codes = {site.code for site in allowed}
    if any(code not in allowed_codes for code in codes):
        raise NotAllowed(_("You may not see the reports of this site."))
    return [site for site in allowed if site.code in set(codes)]


def worker_activity(month: str, sites: list[Site]) -> list[dict]:
    """Per worker: contacts, people and syringes handed out in the month, at these sites."""
    start, end = month_bounds(month)
    in_scope = (
        Contact.voided_at.is_(None),
        Contact.occurred_at >= start,
        Contact.occurred_at < end,
        Contact.site_id.in_([site.id for site in sites]),
    )
    counts = db.session.execute(
        select(User.username, func.count(Contact.id), func.sum(Contact.people_count))
        .join(User, User.id == Contact.recorded_by_id)
        .where(*in_scope)
        .group_by(User.username)
        .order_by(func.count(Contact.id).desc(), User.username)
    ).all()
    syringes = dict(
        db.session.execute(
            select(User.username, func.sum(ContactItem.quantity))
            .join(Contact, Contact.id == ContactItem.contact_id)
            .join(User, User.id == Contact.recorded_by_id)
            .join(EquipmentItem, EquipmentItem.id == ContactItem.item_id)
            .where(*in_scope, EquipmentItem.counts_as_syringe)
            .group_by(User.username)
        ).all()
    )
    return [
        {
            "worker": name,
            "contacts": contacts,
            "people": people or 0,
            "syringes": syringes.get(name, 0) or 0,
        }
        for name, contacts, people in counts
    ]


OVERDUE_DAYS = 14


def _overdue(sites, days):
    return (
        Referral.status == "made",
        Contact.voided_at.is_(None),
        Contact.occurred_at < now() - timedelta(days=days),
        Contact.site_id.in_([site.id for site in sites]),
    )


def count_overdue_referrals(sites: list[Site], days: int = OVERDUE_DAYS) -> int:
    return db.session.execute(
        select(func.count(Referral.id))
        .join(Contact, Contact.id == Referral.contact_id)
        .where(*_overdue(sites, days))
    ).scalar_one()


def overdue_referrals(sites: list[Site], days: int = OVERDUE_DAYS):
    """Referrals still `made` more than `days` after the contact, oldest first."""
    query = (
        select(Referral)
        .join(Contact, Contact.id == Referral.contact_id)
        .where(*_overdue(sites, days))
        .options(
            selectinload(Referral.type),
            selectinload(Referral.contact).selectinload(Contact.site),
            selectinload(Referral.contact).selectinload(Contact.client),
            selectinload(Referral.contact).selectinload(Contact.recorded_by),
        )
        .order_by(Contact.occurred_at)
    )
    return query
