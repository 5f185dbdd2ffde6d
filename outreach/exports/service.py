"""Monthly counts for the city, funders and the national monitor: tidy CSV and XLSX, streamed
month by month, with small counts of people suppressed for use outside the organisation."""

import csv
import io
import tempfile

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from outreach.audit.service import record_event
from outreach.exports.suppression import suppress
from outreach.reports.indicators import ALL_SITES, INDICATORS
from outreach.reports.service import monthly_report

CSV_HEADER = ("month", "site", "indicator", "breakdown", "value")
# Indicators that exist only by breakdown: their total is another indicator (contacts,
# unique_clients, incidents) or, for target groups (one contact can have several), has no
# meaning. They get no total row, which would read as a false 0.
BREAKDOWN_ONLY = frozenset(
    {
        "contacts_by_flag",
        "unique_clients_by_flag",
        "contacts_by_gender",
        "unique_clients_by_gender",
        "contacts_by_age_group",
        "unique_clients_by_age_group",
        "incidents_by_outcome",
    }
)


def month_cells(month: str, sites) -> dict:
    """Every cell of one month: each indicator's total for every site and ALL (zero when
    nothing happened; none for BREAKDOWN_ONLY), and each breakdown seen at any site,
    zero-filled at the others."""
    report = monthly_report([month], sites)
    rows = []  # (indicator, breakdown), in the order of DESIGN §7
    for indicator in INDICATORS:
        breakdowns = sorted(
            {key[3] for key in report.values if key[2] == indicator.name and key[3]}
        )
        totals = [] if indicator.name in BREAKDOWN_ONLY else [""]
        rows.extend((indicator.name, breakdown) for breakdown in [*totals, *breakdowns])
    cells = {}
    # The tidy order of DESIGN §6: month, then site (ALL last), indicator, breakdown.
    for code in [site.code for site in sites] + [ALL_SITES]:
        for name, breakdown in rows:
            key = (month, code, name, breakdown)
            if name == "return_rate":
                cells[key] = report.values.get(key)  # None: no syringes went out
            else:
                cells[key] = report.values.get(key, 0)
    return cells


def shown(cells: dict, threshold: int | None) -> dict:
    """The cells as they are published: hidden ones as "<threshold", empty for no value."""
    hidden = suppress(cells, threshold) if threshold else set()
    marker = f"<{threshold}"
    return {
        key: marker if key in hidden else ("" if value is None else value)
        for key, value in cells.items()
    }


def export_rows(months, sites, threshold: int | None):
    """(month, site, indicator, breakdown, value) rows, one month at a time."""
    for month in months:
        yield from (
            (*key, value) for key, value in shown(month_cells(month, sites), threshold).items()
        )


def csv_lines(months, sites, threshold: int | None):
    """The tidy CSV, line by line, so a long export never sits in memory whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(row):
        writer.writerow(row)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(CSV_HEADER)
    for row in export_rows(months, sites, threshold):
        yield line(row)


def xlsx_file(months, sites, threshold: int | None):
    """The same numbers laid out for people: a sheet per month (sites as columns) and a sheet
    of definitions. Written row by row (openpyxl's write-only mode) into a temporary file."""
    workbook = Workbook(write_only=True)
    codes = [site.code for site in sites] + [ALL_SITES]
    bold = Font(bold=True)
    for month in months:
        values = shown(month_cells(month, sites), threshold)
        sheet = workbook.create_sheet(month)
        sheet.append(
            [_cell(sheet, text, bold) for text in [_("Indicator"), _("Breakdown"), *codes]]
        )
        rows = {}
        for (_month, code, indicator, breakdown), value in values.items():
            rows.setdefault((indicator, breakdown), {})[code] = value
        for (indicator, breakdown), by_site in rows.items():
            sheet.append([indicator, breakdown, *[by_site.get(code, "") for code in codes]])
    definitions = workbook.create_sheet(_("Definitions"))
    definitions.append(
        [
            _cell(definitions, text, bold)
            for text in [_("Indicator"), _("Name"), _("Definition"), _("Suppressed")]
        ]
    )
    for indicator in INDICATORS:
        definitions.append(
            [
                indicator.name,
                str(indicator.label),
                str(indicator.definition),
                _("yes, below %(n)d", n=threshold) if threshold and indicator.people else _("no"),
            ]
        )
    if threshold:
        definitions.append([])
        definitions.append(
            [
                _(
                    "Counts of people from 1 to %(last)d are shown as <%(n)d; so is a second count "
                    "wherever a hidden one could be worked out from a total.",
                    last=threshold - 1,
                    n=threshold,
                )
            ]
        )
    # Handed to the response, which closes it once sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle


def _cell(sheet, text, font):
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def audit_export(user, kind: str, months, sites, threshold: int | None) -> None:
    record_event(
        "export",
        user,
        target=f"monthly.{kind}",
        detail=(
            f"{months[0]}..{months[-1]} sites={','.join(site.code for site in sites)} "
            f"suppressed={'<' + str(threshold) if threshold else 'no'}"
        ),
    )
