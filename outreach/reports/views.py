"""Supervisors' pages: `/reports` (the month's dashboard), `/reports/year` and
`/reports/referrals` (the export form, `/reports/export`, is the exports'; see
outreach/exports/views.py)."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from outreach.auth.access import roles_required
from outreach.catalog.service import active_equipment, active_referral_types
from outreach.catalog.vocabulary import FLAGS, OUTLET_TYPES, ROUTES
from outreach.extensions import db
from outreach.reports.annual import annual_report, year_months
from outreach.reports.charts import line_chart
from outreach.reports.indicators import BY_NAME
from outreach.reports.period import (
    last_complete_month,
    last_complete_year,
    month_and_before,
    month_name,
    month_so_far,
    this_month,
    this_year,
)
from outreach.reports.schemas import ReportArgs, YearArgs, load_query
from outreach.reports.service import (
    OVERDUE_DAYS,
    REPORT_ROLES,
    count_overdue_referrals,
    monthly_report,
    overdue_referrals,
    sites_for_report,
    worker_activity,
)
from outreach.timekeeping import months_between, shift_month

bp = Blueprint("reports", __name__, url_prefix="/reports")


NO_VALUE = "\N{EN DASH}"


@bp.app_template_filter("number")
def number(value) -> str:
    return format_decimal(value or 0)


@bp.app_template_filter("percent")
def percent(value) -> str:
    return NO_VALUE if value is None else format_percent(value)


@bp.app_template_global()
def change(value, before, name) -> str:
    """The change against the previous month, e.g. "+12 (+5 %)"; percentage points for rates."""
    value, before = value or 0, before or 0
    difference = value - before
    if name == "return_rate":
        if not (value and before):
            return NO_VALUE
        # In the reader's notation: "+2.5" in English, "+2,5" in Dutch.
        points = format_decimal(difference * 100, format="+#,##0.0;-#,##0.0")
        return _("%(points)s percentage points", points=points)
    if before == 0:
        return f"{difference:+d}" if difference else "±0"
    return f"{difference:+d} ({difference / before:+.0%})"


bp.add_app_template_global(month_name)


@bp.app_context_processor
def indicator_names():
    return {"indicator_names": BY_NAME}


HEADLINES = (
    "contacts",
    "people_contacted",
    "unique_clients",
    "new_clients",
    "syringes_distributed",
    "syringes_returned",
    "return_rate",
    "naloxone_kits_distributed",
    "referrals_made",
    "referrals_attended",
    "incidents",
)
# The 12-month trend charts, each with the lines it draws.
TREND_CHARTS = (
    ("contacts",),
    ("unique_clients",),
    ("syringes_distributed", "syringes_returned"),
    ("naloxone_kits_distributed",),
    ("referrals_made", "referrals_attended"),
    ("incidents",),
)


def trend_charts(months: list[str], trend) -> list:
    """The trend charts over these months, from a report that holds them."""
    return [
        line_chart(
            str(BY_NAME[lines[0]].label),
            months,
            [(str(BY_NAME[name].label), [trend.get(m, name) for m in months]) for name in lines],
        )
        for lines in TREND_CHARTS
    ]


def breakdown_lists() -> dict:
    """What the breakdown tables list, on the month's page and the year's."""
    return {
        "equipment": active_equipment(),
        "referral_types": active_referral_types(),
        "flags": FLAGS,
        "routes": ROUTES,
        "outlet_types": OUTLET_TYPES,
    }


@bp.route("")
@roles_required(*REPORT_ROLES)
def dashboard():
    """A month at a glance (the last complete one by default): headline figures against the
    month before, 12-month trends, breakdowns, workers. The current month is the month so far,
    compared with the same days of the month before."""
    args = load_query(ReportArgs(), request.args)
    month = args["month"] or last_complete_month()
    sites = sites_for_report(current_user, args["site"])
    previous = shift_month(month, -1)
    so_far = month_so_far(month)
    report, before, compared_with = month_and_before(month, sites)
    months = months_between(shift_month(month, -11), month)
    # The charts need no breakdown of people by gender or age.
    trend = monthly_report(months, sites, trends=True)
    return render_template(
        "reports/dashboard.html",
        month=month,
        title=so_far.label if so_far else month_name(month),
        so_far=so_far,
        previous=previous,
        next_month=shift_month(month, 1) if month < this_month() else None,
        this_month=this_month(),
        compared_with=compared_with,
        sites=sites,
        chosen=sorted(set(args["site"])),
        all_sites=sites_for_report(current_user),
        report=report,
        before=before,
        headlines=HEADLINES,
        charts=trend_charts(months, trend),
        workers=worker_activity(month, sites) if sites else [],
        overdue_count=count_overdue_referrals(sites),
        overdue_days=OVERDUE_DAYS,
        **breakdown_lists(),
    )


@bp.route("/year", endpoint="year")
@roles_required(*REPORT_ROLES)
def year_page():
    """A year at a glance (the last complete one by default): its totals, month by month, the
    trends, the breakdowns, and syringes by type of outlet for the EMCDDA's table ST10."""
    args = load_query(YearArgs(partial=("year",)), request.args)
    year = args.get("year") or last_complete_year()
    current = this_year()
    sites = sites_for_report(current_user, args["site"])
    months = year_months(year)
    # Month by month, the headline figures over all the sites: what the trends read too.
    by_month = monthly_report(months, sites, trends=True)
    chosen = sorted(set(args["site"]))
    return render_template(
        "reports/year.html",
        year=year,
        key=str(year),
        so_far=year == current,
        next_year=year + 1 if year < current else None,
        this_year=current,
        # The dashboard opens on the year's last month (the last complete one, this year).
        december=None if year >= current else f"{year:04d}-12",
        months=[(month, month_name(month)) for month in months],
        sites=sites,
        chosen=chosen,
        all_sites=sites_for_report(current_user),
        report=annual_report(year, sites),
        by_month=by_month,
        headlines=HEADLINES,
        charts=trend_charts(months, by_month),
        downloads=[
            (kind, url_for(f"exports_api.annual_{kind}", year=year, site=chosen))
            for kind in ("csv", "xlsx")
        ],
        **breakdown_lists(),
    )


@bp.route("/referrals")
@roles_required(*REPORT_ROLES)
def referrals():
    """Referrals still waiting for follow-up more than 14 days after they were made."""
    args = load_query(ReportArgs(), request.args)
    sites = sites_for_report(current_user, args["site"])
    overdue = db.session.execute(overdue_referrals(sites)).scalars().all() if sites else []
    per_site = {}
    for referral in overdue:
        per_site.setdefault(referral.contact.site.code, []).append(referral)
    return render_template(
        "reports/referrals.html", per_site=per_site, sites=sites, days=OVERDUE_DAYS
    )
