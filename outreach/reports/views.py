"""Supervisors' pages: `/reports` (the dashboard) and `/reports/referrals` (the export form,
`/reports/export`, is the exports'; see outreach/exports/views.py)."""

from flask import Blueprint, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from outreach.auth.access import roles_required
from outreach.catalog.service import active_equipment, active_referral_types
from outreach.catalog.vocabulary import FLAGS, ROUTES
from outreach.extensions import db
from outreach.reports.charts import line_chart
from outreach.reports.indicators import ALL_SITES, BY_NAME
from outreach.reports.schemas import ReportArgs, load_query
from outreach.reports.service import (
    OVERDUE_DAYS,
    REPORT_ROLES,
    count_overdue_referrals,
    monthly_report,
    overdue_referrals,
    sites_for_report,
    worker_activity,
)
from outreach.timekeeping import month_of, months_between, now, shift_month

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


@bp.route("")
@roles_required(*REPORT_ROLES)
def dashboard():
    """A month at a glance: headline figures, 12-month trends, breakdowns, workers."""
    args = load_query(ReportArgs(), request.args)
    month = args["month"] or month_of(now())
    sites = sites_for_report(current_user, args["site"])
    months = months_between(shift_month(month, -11), month)
    previous = shift_month(month, -1)
    report = monthly_report([previous, month], sites)
    # The charts need no breakdown of people by gender or age.
    trend = monthly_report(months, sites, trends=True)

    charts = [
        line_chart(
            str(BY_NAME[lines[0]].label),
            months,
            [(str(BY_NAME[name].label), [trend.get(m, name) for m in months]) for name in lines],
        )
        for lines in TREND_CHARTS
    ]
    return render_template(
        "reports/dashboard.html",
        month=month,
        previous=previous,
        sites=sites,
        chosen=set(args["site"]),
        all_sites=sites_for_report(current_user),
        report=report,
        headlines=HEADLINES,
        charts=charts,
        equipment=active_equipment(),
        referral_types=active_referral_types(),
        flags=FLAGS,
        routes=ROUTES,
        workers=worker_activity(month, sites) if sites else [],
        overdue_count=count_overdue_referrals(sites),
        overdue_days=OVERDUE_DAYS,
        ALL=ALL_SITES,
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
