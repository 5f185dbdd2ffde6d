"""`GET /api/v1/exports/monthly.csv` and `.xlsx`, `GET /api/v1/exports/annual.csv` and `.xlsx`,
for supervisors and admins, and `export_response`, which sends every export (the export page's
too)."""

from flask import Response, stream_with_context
from flask_login import current_user

from outreach.apiblueprint import ApiBlueprint
from outreach.auth.access import roles_required
from outreach.exports import service as exports
from outreach.exports.names import Names
from outreach.exports.schemas import AnnualExportArgs, ExportArgs
from outreach.exports.workbook import xlsx_file
from outreach.languages import current_language
from outreach.reports.report import SiteRef
from outreach.reports.service import REPORT_ROLES, sites_for_report
from outreach.settings import suppression_threshold
from outreach.timekeeping import months_between
from outreach.transactions import transaction

blp = ApiBlueprint("exports_api", __name__, url_prefix="/api/v1", description="Exports.")
# The exports answer a file: documented so, and with its content type, not as JSON.
FILE = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def periods_of(args: dict) -> tuple[str, list[str]]:
    """("month", the months from `from` to `to`) or ("year", [the year]), from loaded
    ExportArgs or AnnualExportArgs."""
    if "year" in args:
        return "year", [str(args["year"])]
    return "month", months_between(args["from_"], args["to"])


def export_response(kind: str, args: dict) -> Response:
    """Stream an export (`kind` csv or xlsx) of the months or year `args` ask for, and write it
    to the audit log (one commit, before the first byte)."""
    period, periods = periods_of(args)
    # Plain values: the audit commit below expires the loaded sites, and streaming outlives it.
    sites = [SiteRef.of(site) for site in sites_for_report(current_user, args["site"])]
    threshold = suppression_threshold() if args["suppress"] else None
    export = exports.Export(period, periods, sites, threshold)
    with transaction():
        exports.audit_export(current_user, export, kind)
    headers = {"Content-Disposition": f'attachment; filename="{export.file_name(kind)}"'}
    if kind == "csv":
        lines = stream_with_context(exports.csv_lines(export))
        return Response(lines, mimetype="text/csv", headers=headers)
    handle = xlsx_file(export, Names(current_language()))
    response = Response(
        iter(lambda: handle.read(64 * 1024), b""),
        mimetype=XLSX,
        headers=headers,
    )
    response.call_on_close(handle.close)
    return response


@blp.route("/exports/monthly.csv", methods=["GET"])
@roles_required(*REPORT_ROLES)
@blp.arguments(ExportArgs, location="query")
@blp.response(200, FILE, content_type="text/csv")
@blp.errors(401, 403)
def monthly_csv(args):
    """Tidy monthly counts: `month,site,indicator,breakdown,value`; suppressed unless
    `suppress=false`."""
    return export_response("csv", args)


@blp.route("/exports/monthly.xlsx", methods=["GET"])
@roles_required(*REPORT_ROLES)
@blp.arguments(ExportArgs, location="query")
@blp.response(200, FILE, content_type=XLSX)
@blp.errors(401, 403)
def monthly_xlsx(args):
    """The same counts as a workbook for people: a sheet per month, indicators and breakdowns
    named in the request's language, and a sheet of definitions."""
    return export_response("xlsx", args)


@blp.route("/exports/annual.csv", methods=["GET"])
@roles_required(*REPORT_ROLES)
@blp.arguments(AnnualExportArgs, location="query")
@blp.response(200, FILE, content_type="text/csv")
@blp.errors(401, 403)
def annual_csv(args):
    """Tidy counts of a year: `year,site,indicator,breakdown,value`, counts of people counted
    anew over the year; suppressed unless `suppress=false`."""
    return export_response("csv", args)


@blp.route("/exports/annual.xlsx", methods=["GET"])
@roles_required(*REPORT_ROLES)
@blp.arguments(AnnualExportArgs, location="query")
@blp.response(200, FILE, content_type=XLSX)
@blp.errors(401, 403)
def annual_xlsx(args):
    """The year's counts as a workbook for people: a sheet for the year and a sheet of
    definitions naming the EMCDDA figure each indicator feeds."""
    return export_response("xlsx", args)
