"""`GET /api/v1/reports/monthly`, for supervisors and admins."""

from flask_login import current_user

from outreach.apiblueprint import ApiBlueprint
from outreach.auth.access import roles_required
from outreach.reports.schemas import MonthlyReportOut, ReportArgs
from outreach.reports.service import REPORT_ROLES, monthly_report, sites_for_report
from outreach.timekeeping import month_of, now

blp = ApiBlueprint("reports_api", __name__, url_prefix="/api/v1", description="Reports.")


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
    values = {}
    for _month, site, indicator, breakdown, value in report.rows():
        values.setdefault(site, {}).setdefault(indicator, {})[breakdown] = value
    return {"month": month, "sites": [site.code for site in sites], "values": values}
