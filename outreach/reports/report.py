"""What a report is, whichever way it was counted: the `Report` of indicator values, the sites it
covers, the organisation's months as SQL, and the values worked out from the others."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case

from outreach.catalog.models import Site
from outreach.reports.indicators import ALL_SITES, BY_NAME
from outreach.timekeeping import month_bounds


@dataclass(frozen=True)
class SiteRef:
    """What a report needs of a site, safe to use after the session that loaded it is gone."""

    id: int
    code: str
    name: str
    kind: str

    @classmethod
    def of(cls, site) -> "SiteRef":
        return cls(site.id, site.code, site.name, site.kind)


@dataclass
class Report:
    """Indicator values: `values[(month, site, indicator, breakdown)]`, site a code or ALL."""

    months: list[str]
    sites: list[Site]
    values: dict = field(default_factory=lambda: defaultdict(int))

    def get(self, month, indicator, breakdown="", site=ALL_SITES):
        return self.values.get((month, site, indicator, breakdown), 0)

    def add(self, month, site, indicator, breakdown, value) -> None:
        """Add to a site's value and, for indicators that add up over sites, to the total."""
        if not value:
            return
        self.values[(month, site, indicator, breakdown)] += value
        if site != ALL_SITES and BY_NAME[indicator].additive:
            self.values[(month, ALL_SITES, indicator, breakdown)] += value

    def rows(self):
        """(month, site, indicator, breakdown, value), ordered for reading."""
        order = {name: index for index, name in enumerate(BY_NAME)}
        site_order = {site.code: index for index, site in enumerate(self.sites)}
        site_order[ALL_SITES] = len(site_order)
        return sorted(
            ((*key, value) for key, value in self.values.items()),
            key=lambda row: (row[0], site_order[row[1]], order[row[2]], row[3]),
        )


def month_case(column, months: list[str]):
    """SQL that names the organisation's month ("YYYY-MM") of a timestamp column."""
    whens = []
    for month in months:
        start, end = month_bounds(month)
        whens.append((and_(column >= start, column < end), month))
    return case(*whens, else_=None)


def months_span(months: list[str]):
    """The UTC instants [start, end) from the first of these months to the end of the last."""
    return month_bounds(months[0])[0], month_bounds(months[-1])[1]


def add_derived(report: Report, sites) -> None:
    """Return rate and active sites, from the sums already made."""
    for month in report.months:
        for site in [*sites, None]:
            code = site.code if site else ALL_SITES
            if site is not None and report.get(month, "contacts", site=code):
                report.add(month, code, "sites_active", "", 1)
                report.add(month, code, "sites_active", site.kind, 1)
            distributed = report.get(month, "syringes_distributed", site=code)
            if distributed:
                returned = report.get(month, "syringes_returned", site=code)
                report.values[(month, code, "return_rate", "")] = round(returned / distributed, 3)
