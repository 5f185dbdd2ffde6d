"""The periods the report pages show: the last complete month and year (what they open on), the
month so far, and the same days of the month before, which the month so far is compared with
(a month two days old against a whole month would read "-98%" everywhere)."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime

from babel.dates import format_interval, format_skeleton
from flask_babel import get_locale

from outreach.catalog.models import Site
from outreach.reports.recount import direct_report
from outreach.reports.report import Report
from outreach.reports.service import monthly_report
from outreach.timekeeping import month_bounds, month_of, now, organisation_zone, shift_month


def this_month() -> str:
    return month_of(now())


def last_complete_month() -> str:
    return shift_month(this_month(), -1)


def this_year() -> int:
    return int(this_month()[:4])


def last_complete_year() -> int:
    return this_year() - 1


def month_name(month: str) -> str:
    """ "December 2026" ("december 2026" in Dutch)."""
    year, number = (int(part) for part in month.split("-"))
    return format_skeleton("yMMMM", date(year, number, 1), locale=get_locale())


@dataclass(frozen=True)
class MonthPart:
    """The first days of a month: from its start to `end` (a UTC instant, not included)."""

    month: str
    end: datetime
    last_day: date

    @property
    def label(self) -> str:
        """The days, e.g. "1 - 2 December 2026" (with an en dash), in the reader's language."""
        first = self.last_day.replace(day=1)
        days = format_interval(first, self.last_day, "MMMMd", locale=get_locale())
        return f"{days} {self.last_day.year}"


def month_so_far(month: str) -> MonthPart | None:
    """The part of `month` gone by, if it is the current month; None for a month that is over
    (or one to come)."""
    if month != this_month():
        return None
    moment = now()
    return MonthPart(month, moment, moment.astimezone(organisation_zone()).date())


def same_days_before(part: MonthPart) -> MonthPart:
    """The month before `part`, from its first to the same day and time of day, cut at its end
    (31 March until 10:00 is compared with the whole of February)."""
    month = shift_month(part.month, -1)
    year, number = (int(piece) for piece in month.split("-"))
    local = part.end.astimezone(organisation_zone())
    days = monthrange(year, number)[1]
    if local.day > days:
        return MonthPart(month, month_bounds(month)[1], date(year, number, days))
    same_moment = local.replace(year=year, month=number)
    return MonthPart(month, same_moment.astimezone(UTC), same_moment.date())


def part_report(part: MonthPart, sites: list[Site]) -> Report:
    """Every indicator of the part of a month, counted from the records (the roll-ups hold
    whole months), under the month's name."""
    return direct_report([part.month], sites, until=part.end)


def month_and_before(month: str, sites: list[Site]) -> tuple[Report, Report, str]:
    """The month's report, the one it is compared with, and what that one covers: the whole
    month before, or, for the month so far, the same days of the month before."""
    so_far = month_so_far(month)
    if so_far is None:
        previous = shift_month(month, -1)
        report = monthly_report([previous, month], sites)
        return report, report, month_name(previous)
    same_days = same_days_before(so_far)
    return monthly_report([month], sites), part_report(same_days, sites), same_days.label
