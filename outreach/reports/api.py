"""`GET /api/v1/reports/monthly` and `/annual`, for supervisors and admins."""

from flask_login import current_user

from outreach.apiblueprint import ApiBlueprint
from outreach.auth.access import roles_required
from outreach.reports.annual import annual_report
from outreach.reports.report import Report
from outreach.reports.schemas import AnnualReportOut, MonthlyReportOut, ReportArgs, YearArgs
from outreach.reports.service import REPORT_ROLES, monthly_report, sites_for_report
from outreach.timekeeping import month_of, now

blp = ApiBlueprint("reports_api", __name__, url_prefix="/api/v1", description="Reports.")


def nested_values(report: Report) -> dict:
    """A report of one period as values[site or ALL][indicator][breakdown]."""
    values = {}
    for _period, site, indicator, breakdown, value in report.rows():
        values.setdefault(site, {}).setdefault(indicator, {})[breakdown] = value
    return values


@blp.route("/reports/monthly", methods=["GET"])
@roles_required(*REPORT_ROLES)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, MonthlyReportOut)
@blp.errors(401, 403)
def monthly(args):
    """The indicators of DESIGN §7 for a month, per site and for all of them (`ALL`)."""
    month = args["month"] or month_of(now())
    sites = sites_for_report(current_user, args["site"])
    report = monthly_report([month], sites)
    return {"month": month, "sites": [site.code for site in sites], "values": nested_values(report)}


@blp.route("/reports/annual", methods=["GET"])
@roles_required(*REPORT_ROLES)
@blp.arguments(YearArgs, location="query")
@blp.response(200, AnnualReportOut)
@blp.errors(401, 403)
def annual(args):
    """The indicators over a calendar year (the organisation's time zone), per site and for
    all of them (`ALL`), with the figures of the EMCDDA's table on syringe availability (ST10).

    Counts that add up (supplies, contacts, referrals, incidents, stock flows) are the sums of
    the year's months; clients are counted anew over the year (a client seen in six months is
    one client); the return rate and the active sites and outlets come from the year's sums;
    the closing stock is December's. `syringes_distributed_by_outlet` and `outlets_active`
    break down by outlet type: `specialised`, `pharmacy`, `vending_machine`, `other`, from the
    site's present kind."""
    sites = sites_for_report(current_user, args["site"])
    report = annual_report(args["year"], sites)
    return {
        "year": args["year"],
        "sites": [site.code for site in sites],
        "values": nested_values(report),
    }
