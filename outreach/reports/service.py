"""Reading the reports: every indicator of DESIGN §7 for some months and sites, per site and in
total, from the roll-ups (`models.py`); who may ask for which sites; workers' activity and
referrals waiting for follow-up, from the records."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import BigInteger, String, case, cast, distinct, func, literal, select
from sqlalchemy.orm import selectinload

from outreach.auth.models import User
from outreach.catalog.models import EquipmentItem, Site
from outreach.catalog.vocabulary import FLAGS
from outreach.clients.models import Client
from outreach.errors import InvalidInput, NotAllowed
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem, Referral
from outreach.reports.indicators import ALL_SITES, age_group
from outreach.reports.models import MonthlyClient, MonthlyCount
from outreach.reports.report import Report, add_derived, add_item_kinds
from outreach.reports.stock import add_stock
from outreach.supplies.months import monthly_flows, stock_before
from outreach.timekeeping import month_bounds, month_case, months_span, now

# Who may read reports and take exports.
REPORT_ROLES = ("supervisor", "admin")


def monthly_report(months: list[str], sites: list[Site], trends: bool = False) -> Report:
    """Every indicator for these months and sites, per site and for all of them together,
    read from the roll-ups (outreach/reports/rollups.py): a few hundred rows a month.

    `trends` is what the 12-month charts need: the totals over the sites only, and people
    without breakdowns by target group, gender or age (the slowest part).
    """
    report = Report(months=months, sites=sites)
    read_rollups(report, months, trends=trends)
    return report


def read_rollups(report: Report, months: list[str], trends: bool = False) -> None:
    """Fill a report for its sites from the roll-ups of these months. Each month is a period
    of its own, unless the report has a single period that the months make up (a year,
    `report.months == ["2025"]`): then the counts are summed over the months and the people
    counted once over them, in the database."""
    sites = report.sites
    codes = {site.id: site.code for site in sites}
    if not codes or not months:
        return
    period = report.months[0] if report.months != months else None
    site_ids = list(codes)
    catalog = {item.code: item for item in db.session.execute(select(EquipmentItem)).scalars()}
    _add_counts(report, months, period, codes, catalog, trends)
    items = {item.id: item for item in catalog.values()}
    flows = monthly_flows(months, site_ids, by_site=not trends)
    if period is not None:
        flows = [(period, *flow[1:]) for flow in flows]
    add_stock(report, flows, stock_before(months[0], site_ids, by_site=not trends), codes, items)
    _add_people(report, months, period, codes, trends)
    _add_new_clients(report, months, period, codes, trends)
    add_derived(report, sites)


def _period_column(column, period):
    """The column that names a row's month and the columns to group by for it; for a report
    of one `period` made of several months, that period's label instead."""
    if period is None:
        return column, [column]
    return literal(period, String), []


def _add_counts(report, months, period, codes, catalog, trends) -> None:
    """The additive counts of `monthly_counts`, with the syringes and naloxone kits among the
    items."""
    month, month_group = _period_column(MonthlyCount.month, period)
    # For trends the database adds the sites up; otherwise the report does, site by site.
    site_column = literal(None) if trends else MonthlyCount.site_id
    counts = (
        select(
            month,
            site_column,
            MonthlyCount.indicator,
            MonthlyCount.breakdown,
            # PostgreSQL sums a bigint as a numeric: counts stay whole numbers.
            cast(func.sum(MonthlyCount.value), BigInteger),
        )
        .where(MonthlyCount.month.in_(months), MonthlyCount.site_id.in_(list(codes)))
        .group_by(*month_group, MonthlyCount.indicator, MonthlyCount.breakdown)
    )
    if not trends:
        counts = counts.group_by(MonthlyCount.site_id)
    for month_label, site_id, indicator, breakdown, value in db.session.execute(counts):
        site = ALL_SITES if trends else codes[site_id]
        report.add(month_label, site, indicator, breakdown, value)
        item = catalog.get(breakdown) if indicator == "items_distributed" else None
        if item is not None:
            add_item_kinds(report, month_label, site, item, value)


def _clients_seen(months, codes) -> tuple:
    """The rows of `monthly_clients` of clients seen in these months at these sites."""
    return (
        MonthlyClient.month.in_(months),
        MonthlyClient.site_id.in_(list(codes)),
        MonthlyClient.contacts > 0,
    )


def _add_people(report, months, period, codes, trends) -> None:
    """Unique clients, by target group, gender and age group, from `monthly_clients`: a client
    seen at several sites, or in several months of a period, counts once. Gender and birth year
    are the client's latest (the roll-up's copy follows every change), so each client counts
    in one group."""
    if period is not None:
        _add_people_of_period(report, months, period, codes, trends)
        return
    month = MonthlyClient.month
    seen = _clients_seen(months, codes)
    flags = [] if trends else list(FLAGS)
    for by_site in (False,) if trends else (True, False):
        group = [month, *([MonthlyClient.site_id] if by_site else [])]
        columns = group
        # A site's rows in a month are one per client already; all sites need DISTINCT.
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
        people = select(*columns, clients, *flagged).where(*seen).group_by(*group)
        for row in db.session.execute(people):
            site = codes[row[1]] if by_site else ALL_SITES
            values = row[2:] if by_site else row[1:]
            report.add(row[0], site, "unique_clients", "", values[0])
            for flag, value in zip(flags, values[1:], strict=True):
                report.add(row[0], site, "unique_clients_by_flag", flag, value)
        if trends:
            continue
        details = (MonthlyClient.gender, MonthlyClient.birth_year)
        demography_query = (
            select(*columns, *details, clients).where(*seen).group_by(*group, *details)
        )
        for row in db.session.execute(demography_query):
            site = codes[row[1]] if by_site else ALL_SITES
            gender, birth_year, count = row[2:] if by_site else row[1:]
            year = int(row[0][:4])
            report.add(row[0], site, "unique_clients_by_gender", gender or "unknown", count)
            report.add(
                row[0], site, "unique_clients_by_age_group", age_group(year, birth_year), count
            )


def _add_people_of_period(report, months, period, codes, trends) -> None:
    """The same over a period of several months (a year): a client's rows, one a month, become
    one first, then they are counted. A COUNT(DISTINCT) for each target group over a year of
    rows took 1.5 s at a million contacts; this takes 1 s. (For a month the rows are one per
    client and site already, and `_add_people` counts them directly: faster there.)"""
    seen = _clients_seen(months, codes)
    flags = [] if trends else list(FLAGS)
    for by_site in (False,) if trends else (True, False):
        sites = [MonthlyClient.site_id] if by_site else []
        # One row per client (at each site, or at any): gender and birth year are the same in
        # all of a client's rows, so MAX takes them.
        clients = (
            select(
                literal(period, String).label("period"),
                *sites,
                *[
                    func.max(case((getattr(MonthlyClient, flag) > 0, 1), else_=0)).label(flag)
                    for flag in flags
                ],
                func.max(MonthlyClient.gender).label("gender"),
                func.max(MonthlyClient.birth_year).label("birth_year"),
            )
            .where(*seen)
            .group_by(*sites, MonthlyClient.client_id)
            .subquery()
        )
        # Then those rows counted, by gender and birth year too where the breakdowns are
        # wanted: one pass over the year's rows for the sites, one for all of them.
        keys = [clients.c.period, *([clients.c.site_id] if by_site else [])]
        details = [] if trends else [clients.c.gender, clients.c.birth_year]
        people = select(
            *keys, *details, func.count(), *[func.sum(clients.c[flag]) for flag in flags]
        ).group_by(*keys, *details)
        for row in db.session.execute(people):
            label = row[0]
            site = codes[row[1]] if by_site else ALL_SITES
            values = row[len(keys) :]
            if details:
                gender, birth_year, values = values[0], values[1], values[2:]
            count = values[0]
            report.add(label, site, "unique_clients", "", count)
            for flag, value in zip(flags, values[1:], strict=True):
                report.add(label, site, "unique_clients_by_flag", flag, value)
            if details:
                year = int(label[:4])
                report.add(label, site, "unique_clients_by_gender", gender or "unknown", count)
                report.add(
                    label, site, "unique_clients_by_age_group", age_group(year, birth_year), count
                )


def _add_new_clients(report, months, period, codes, trends) -> None:
    """Clients whose first contact ever falls in the month (or the period), at its first site."""
    start, end = months_span(months)
    first_month, month_group = _period_column(
        month_case(Client.first_contact_at, months).label("month"), period
    )
    new = (
        select(first_month, Client.first_site_id, func.count(Client.id))
        .where(
            Client.first_contact_at >= start,
            Client.first_contact_at < end,
            Client.first_site_id.in_(list(codes)),
        )
        .group_by(*month_group, Client.first_site_id)
    )
    for month, site_id, count in db.session.execute(new):
        # New clients add up over sites: a client is first seen at one site.
        if not trends:
            report.values[(month, codes[site_id], "new_clients", "")] += count
        report.values[(month, ALL_SITES, "new_clients", "")] += count


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
