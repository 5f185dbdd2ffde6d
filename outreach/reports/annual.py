"""The year's figures, for the national monitor (the EMCDDA's table on syringe availability,
ST10, among others): every indicator over a calendar year of the organisation's time zone.

Counts that add up (supplies, contacts, people contacted, referrals, incidents, stock flows) are
the sums of the year's months, summed in the database from the roll-ups; people are counted
anew over the year (a client seen in six months is one client), and the derived values (return
rate, active sites and outlets) come from the year's sums. The closing stock is that of
December."""

from outreach.catalog.models import Site
from outreach.reports.report import Report
from outreach.reports.service import read_rollups
from outreach.timekeeping import months_between


def year_months(year: int) -> list[str]:
    return months_between(f"{year:04d}-01", f"{year:04d}-12")


def annual_report(year: int, sites: list[Site]) -> Report:
    """Every indicator over the year: Report(months=[str(year)], sites=sites), values keyed
    (str(year), site code or ALL_SITES, indicator, breakdown)."""
    report = Report(months=[str(year)], sites=sites)
    read_rollups(report, year_months(year))
    return report
