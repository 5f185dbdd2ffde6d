"""`/reports/export`: the export form, beside the reports it exports; it sends the same files as
the API."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from outreach.auth.access import roles_required
from outreach.errors import InvalidInput
from outreach.exports.api import export_response
from outreach.exports.schemas import ExportArgs
from outreach.reports.schemas import load_query
from outreach.reports.service import REPORT_ROLES, sites_for_report
from outreach.settings import suppression_threshold
from outreach.timekeeping import month_of, now, shift_month

bp = Blueprint("exports", __name__, url_prefix="/reports")


@bp.route("/export")
@roles_required(*REPORT_ROLES)
def export_page():
    """The export form; with `format` it sends the file (the API's export, the same numbers)."""
    if "format" not in request.args:
        month = shift_month(month_of(now()), -1)
        return render_template(
            "exports/export.html",
            sites=sites_for_report(current_user),
            month=month,
            threshold=suppression_threshold(),
        )
    kind = request.args.get("format")
    if kind not in ("csv", "xlsx"):
        raise InvalidInput(errors={"format": ["csv, xlsx"]})
    args = request.args.copy()
    del args["format"]
    args.setdefault("suppress", "false")  # an unticked box sends nothing
    return export_response(kind, load_query(ExportArgs(), args))
