"""Counts for the city, funders and the national monitor: tidy CSV (and, in `workbook.py`, XLSX)
of some months or of a year, streamed period by period, with small counts of people suppressed
for use outside the organisation."""

import csv
import io
from dataclasses import dataclass

from outreach.audit.models import AuditEvent
from outreach.audit.service import record_event
from outreach.exports.suppression import suppress
from outreach.reports.annual import annual_report
from outreach.reports.indicators import ALL_SITES, INDICATORS
from outreach.reports.report import Report, SiteRef
from outreach.reports.service import monthly_report

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
# An export's name for its periods ("month", "year": the CSV's first column) -> its own name
# ("monthly", "annual": its URL and its audit target).
EXPORTS = {"month": "monthly", "year": "annual"}
MAX_DETAIL = AuditEvent.detail.type.length


@dataclass(frozen=True)
class Export:
    """What one export covers: its periods (months, or one year), sites and threshold (None:
    nothing hidden)."""

    period: str  # "month" or "year"
    periods: list[str]
    sites: list[SiteRef]
    threshold: int | None

    @property
    def name(self) -> str:
        return EXPORTS[self.period]

    @property
    def span(self) -> str:
        """ "2025-09..2025-11" for months, "2025" for a year."""
        first, last = self.periods[0], self.periods[-1]
        return first if self.period == "year" else f"{first}..{last}"

    def file_name(self, kind: str) -> str:
        """outreach-2025-09-2025-11.csv, outreach-2025-unsuppressed.xlsx..."""
        span = self.span.replace("..", "-")
        return f"outreach-{span}{'' if self.threshold else '-unsuppressed'}.{kind}"

    def report(self, period: str) -> Report:
        if self.period == "year":
            return annual_report(int(period), list(self.sites))
        return monthly_report([period], list(self.sites))

    def cells(self, period: str) -> dict:
        """One period's cells as published: suppressed, "" for no value."""
        return shown(period_cells(self.report(period), period), self.threshold)


def period_cells(report: Report, period: str) -> dict:
    """Every cell of one period (a month or a year) of a report: each indicator's total for
    every site and ALL (zero when nothing happened; none for BREAKDOWN_ONLY), and each breakdown
    seen at any site, zero-filled at the others."""
    seen = {}  # indicator -> its breakdowns
    for _period, _site, indicator, breakdown in report.values:
        if breakdown:
            seen.setdefault(indicator, set()).add(breakdown)
    rows = []  # (indicator, breakdown), in the order of DESIGN §7
    for indicator in INDICATORS:
        totals = [] if indicator.name in BREAKDOWN_ONLY else [""]
        breakdowns = sorted(seen.get(indicator.name, ()))
        rows.extend((indicator.name, breakdown) for breakdown in [*totals, *breakdowns])
    cells = {}
    # The tidy order of DESIGN §6: period, then site (ALL last), indicator, breakdown.
    for code in [site.code for site in report.sites] + [ALL_SITES]:
        for name, breakdown in rows:
            key = (period, code, name, breakdown)
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


def csv_lines(export: Export):
    """The tidy CSV (`month` or `year`, site, indicator, breakdown, value), line by line and
    period by period, so a long export never sits in memory whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(row):
        writer.writerow(row)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line((export.period, "site", "indicator", "breakdown", "value"))
    for period in export.periods:
        for key, value in export.cells(period).items():
            yield line((*key, value))


def audit_export(user, export: Export, kind: str) -> None:
    """The export in the audit log: what, which sites, whether suppressed. A list of sites too
    long for the log's detail is cut short, with the number of sites."""
    suppressed = f"suppressed=<{export.threshold}" if export.threshold else "suppressed=no"
    codes = ",".join(site.code for site in export.sites)
    room = MAX_DETAIL - len(f"{export.span} sites= {suppressed}")
    if len(codes) > room:
        more = f"... ({len(export.sites)} sites)"
        codes = codes[: room - len(more)] + more
    record_event(
        "export",
        user,
        target=f"{export.name}.{kind}",
        detail=f"{export.span} sites={codes} {suppressed}",
    )
