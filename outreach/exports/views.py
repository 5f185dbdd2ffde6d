"""`/reports/export`: the export form, beside the reports it exports; it sends the same files as
the API."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from outreach.auth.access import roles_required
from outreach.errors import InvalidInput
from outreach.exports.api import export_response
from outreach.exports.schemas import AnnualExportArgs, ExportArgs
from outreach.reports.schemas import load_query
from outreach.reports.service import REPORT_ROLES, sites_for_report
from outreach.settings import suppression_threshold
from outreach.timekeeping import month_of, now, shift_month

bp = Blueprint("exports", __name__, url_prefix="/reports")
# The years the year's form offers: this one (so far) and the ones before it.
YEARS_OFFERED = 5


@bp.route("/export")
@roles_required(*REPORT_ROLES)
def export_page():
    """The export forms, of months and of a year; with `format` it sends the file (the API's
    export, the same numbers): of a year when `year` is given."""
    if "format" not in request.args:
        this_year = int(month_of(now())[:4])
        return render_template(
            "exports/export.html",
            sites=sites_for_report(current_user),
            month=shift_month(month_of(now()), -1),
            years=range(this_year, this_year - YEARS_OFFERED, -1),
            last_year=this_year - 1,
            threshold=suppression_threshold(),
        )
    kind = request.args.get("format")
    if kind not in ("csv", "xlsx"):
        raise InvalidInput(errors={"format": ["csv, xlsx"]})
    args = request.args.copy()
    del args["format"]
    args.setdefault("suppress", "false")  # an unticked box sends nothing
    schema = AnnualExportArgs() if "year" in args else ExportArgs()
    return export_response(kind, load_query(schema, args))
