"""The export as a workbook for people: a sheet per period (month or year) and a sheet of
definitions, every indicator and breakdown named in the reader's language beside its code.

The layout follows the number of sites. Up to SITES_AS_COLUMNS sites, a period's sheet has a
column per site (and ALL), to compare them side by side. Beyond that, columns stop reading (a
national organisation has hundreds of sites): the sheet has a row per site, indicator and
breakdown, all sites' totals (ALL) first, so the reader filters by site or indicator. Both
freeze their headers and have an autofilter.

Written row by row (openpyxl's write-only mode) into a temporary file: 300 sites over a year
are tens of thousands of rows a sheet.
"""

import tempfile

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from outreach.exports.names import Names
from outreach.exports.service import Export
from outreach.reports.indicators import ALL_SITES, BY_NAME, INDICATORS

SITES_AS_COLUMNS = 8
# Column widths, in characters.
CODE, NAME, VALUE, TEXT = 24, 36, 12, 80
BOLD = Font(bold=True)


def xlsx_file(export: Export, names: Names):
    """The workbook, in a temporary file opened at its start (the caller closes it)."""
    workbook = Workbook(write_only=True)
    write_period = sites_as_columns if len(export.sites) <= SITES_AS_COLUMNS else sites_as_rows
    for period in export.periods:
        write_period(workbook.create_sheet(period), export, export.cells(period), names)
    definitions(workbook.create_sheet(_("Definitions")), export.threshold, names)
    # Handed to the response, which closes it once sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle


def sites_as_columns(sheet, export: Export, cells: dict, names: Names) -> None:
    """A row per indicator and breakdown, a column per site: site names above their codes."""
    codes = [site.code for site in export.sites] + [ALL_SITES]
    site_names = [names.site(site) for site in export.sites] + [_("All sites")]
    _prepare(sheet, [CODE, NAME, CODE, NAME] + [VALUE] * len(codes), freeze="E3")
    sheet.append([None, None, None, _header(sheet, _("Site")), *_headers(sheet, site_names)])
    sheet.append(
        _headers(sheet, [_("Indicator code"), _("Indicator"), _("Breakdown code"), _("Breakdown")])
        + _headers(sheet, codes)
    )
    rows = {}
    for (_period, code, indicator, breakdown), value in cells.items():
        rows.setdefault((indicator, breakdown), {})[code] = value
    for (indicator, breakdown), by_site in rows.items():
        sheet.append(
            [*_named(indicator, breakdown, names), *[by_site.get(code, "") for code in codes]]
        )
    sheet.auto_filter.ref = f"A2:{get_column_letter(4 + len(codes))}{2 + len(rows)}"


def sites_as_rows(sheet, export: Export, cells: dict, names: Names) -> None:
    """A row per site, indicator and breakdown; all sites together (ALL) first."""
    _prepare(sheet, [CODE, NAME, CODE, NAME, CODE, NAME, VALUE], freeze="A2")
    sheet.append(
        _headers(
            sheet,
            [
                _("Site code"),
                _("Site"),
                _("Indicator code"),
                _("Indicator"),
                _("Breakdown code"),
                _("Breakdown"),
                _("Value"),
            ],
        )
    )
    site_names = {site.code: names.site(site) for site in export.sites}
    site_names[ALL_SITES] = _("All sites")
    totals = [key for key in cells if key[1] == ALL_SITES]
    per_site = [key for key in cells if key[1] != ALL_SITES]
    for key in totals + per_site:
        _period, code, indicator, breakdown = key
        sheet.append([code, site_names[code], *_named(indicator, breakdown, names), cells[key]])
    sheet.auto_filter.ref = f"A1:G{1 + len(cells)}"


def definitions(sheet, threshold: int | None, names: Names) -> None:
    """What each indicator counts, whether it is suppressed, and what EMCDDA figure it feeds."""
    _prepare(sheet, [CODE, NAME, TEXT, VALUE, TEXT], freeze="A2")
    sheet.append(
        _headers(
            sheet,
            [_("Indicator"), _("Name"), _("Definition"), _("Suppressed"), _("EMCDDA table")],
        )
    )
    for indicator in INDICATORS:
        sheet.append(
            [
                indicator.name,
                names.indicator(indicator.name),
                str(indicator.definition),
                _("yes, below %(n)d", n=threshold) if threshold and indicator.people else _("no"),
                str(indicator.emcdda),
            ]
        )
    if threshold:
        sheet.append([])
        sheet.append(
            [
                _(
                    "Counts of people from 1 to %(last)d are shown as <%(n)d; so is a second count "
                    "wherever a hidden one could be worked out from a total.",
                    last=threshold - 1,
                    n=threshold,
                )
            ]
        )


def _named(indicator: str, breakdown: str, names: Names) -> list:
    """Indicator code and name, breakdown code and name ("Total" for an indicator's total where
    it has breakdowns)."""
    if breakdown:
        breakdown_name = names.breakdown(indicator, breakdown)
    else:
        breakdown_name = _("Total") if BY_NAME[indicator].breakdown else ""
    return [indicator, names.indicator(indicator), breakdown, breakdown_name]


def _prepare(sheet, widths: list[int], freeze: str) -> None:
    """Column widths, and the rows above and columns left of `freeze` kept in view: set before
    the first row, as write-only mode needs."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze


def _header(sheet, text) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = BOLD
    return cell


def _headers(sheet, texts) -> list[WriteOnlyCell]:
    return [_header(sheet, text) for text in texts]
