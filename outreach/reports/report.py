"""What a report is, whichever way it was counted: the `Report` of indicator values, the sites it
covers, and the values worked out from the others."""

from collections import defaultdict
from dataclasses import dataclass, field

from outreach.catalog.models import NamedInTwoLanguages, Site
from outreach.catalog.vocabulary import outlet_type
from outreach.reports.indicators import ALL_SITES, BY_NAME


@dataclass(frozen=True)
class SiteRef(NamedInTwoLanguages):
    """What a report needs of a site, safe to use after the session that loaded it is gone;
    `name(language)` as a site has it."""

    id: int
    code: str
    name_en: str
    name_nl: str
    kind: str

    @classmethod
    def of(cls, site) -> "SiteRef":
        return cls(site.id, site.code, site.name_en, site.name_nl, site.kind)


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


def add_item_kinds(report: Report, month, site, item, quantity) -> None:
    """Items of a catalog item handed out, counted as syringes and naloxone kits where it is
    one (the items themselves are counted by the caller)."""
    if item.counts_as_syringe:
        report.add(month, site, "syringes_distributed", "", quantity)
    if item.category == "naloxone":
        report.add(month, site, "naloxone_kits_distributed", "", quantity)


def add_derived(report: Report, sites) -> None:
    """Return rate, active sites, and syringes and active outlets by type of outlet, from the
    sums already made. A site's outlet type comes from its kind now (no history of kinds is
    kept), so it counts under one type for the whole period."""
    for month in report.months:
        for site in [*sites, None]:
            code = site.code if site else ALL_SITES
            if site is not None and report.get(month, "contacts", site=code):
                report.add(month, code, "sites_active", "", 1)
                report.add(month, code, "sites_active", site.kind, 1)
            distributed = report.get(month, "syringes_distributed", site=code)
            if site is not None and distributed:
                outlet = outlet_type(site.kind)
                for breakdown in ("", outlet):
                    report.add(
                        month, code, "syringes_distributed_by_outlet", breakdown, distributed
                    )
                    report.add(month, code, "outlets_active", breakdown, 1)
            if distributed:
                returned = report.get(month, "syringes_returned", site=code)
                report.values[(month, code, "return_rate", "")] = round(returned / distributed, 3)
