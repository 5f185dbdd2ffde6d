"""Time rules (DESIGN §4): devices send local time with an offset; the server keeps UTC."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case

from outreach.errors import InvalidOccurredAt
from outreach.settings import time_zone


def organisation_zone() -> ZoneInfo:
    """The organisation's time zone (set at /admin/settings, else OUTREACH_TIMEZONE)."""
    return ZoneInfo(time_zone())


def now() -> datetime:
    return datetime.now(UTC)


NO_CORRECTION = timedelta(0)


def clock_correction(sent_at: datetime | None, at: datetime | None = None) -> timedelta:
    """What to add to the times a device sends so that they read by the server's clock.

    `sent_at` is the device's clock when it sent the request. A difference under the tolerance
    is left alone (the upload's own time is in it, so it means nothing), and so is one beyond
    the limit (a clock that far off is not trusted to have been as wrong when the records were
    made): their records are judged as sent. Whole seconds.
    """
    if sent_at is None:
        return NO_CORRECTION
    skew = (at or now()) - sent_at
    tolerance = timedelta(seconds=current_app.config["OUTREACH_CLOCK_TOLERANCE_SECONDS"])
    limit = timedelta(hours=current_app.config["OUTREACH_MAX_CLOCK_CORRECTION_HOURS"])
    if abs(skew) < tolerance or abs(skew) > limit:
        return NO_CORRECTION
    return timedelta(seconds=round(skew.total_seconds()))


def corrected(occurred_at: datetime, correction: timedelta) -> datetime:
    """A device's time moved by its clock's correction (InvalidOccurredAt beyond the calendar)."""
    if not correction:
        return occurred_at
    try:
        return occurred_at + correction
    except OverflowError:
        # Only times at the very ends of the calendar get here; they are refused anyway.
        return occurred_at


def check_occurred_at(occurred_at: datetime, at: datetime | None = None) -> datetime:
    """`occurred_at` in UTC; InvalidOccurredAt if it lies in the future or too far back."""
    if occurred_at.tzinfo is None:
        raise InvalidOccurredAt(_("The time needs a UTC offset, e.g. 2026-10-31T23:30:00+01:00."))
    at = at or now()
    skew = timedelta(minutes=current_app.config["OUTREACH_FUTURE_SKEW_MINUTES"])
    days = current_app.config["OUTREACH_MAX_BACKDATE_DAYS"]
    if occurred_at > at + skew:
        raise InvalidOccurredAt(_("The time lies in the future. Check the phone's clock."))
    if occurred_at < at - timedelta(days=days):
        raise InvalidOccurredAt(_("The time is more than %(days)d days ago.", days=days))
    return occurred_at.astimezone(UTC)


def offset_minutes(occurred_at: datetime) -> int:
    """The device's UTC offset in minutes, kept so a record can be shown in its own local time."""
    return int(occurred_at.utcoffset().total_seconds() // 60)


def local_day_bounds(day=None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of a calendar day in the organisation's time zone; today by default."""
    zone = organisation_zone()
    day = day or now().astimezone(zone).date()
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start + timedelta(days=1)
    # Adding a day to an aware datetime keeps its wall clock; convert both ends separately.
    end = datetime(end.year, end.month, end.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_today():
    """Today's date in the organisation's time zone."""
    return now().astimezone(organisation_zone()).date()


def local_week_bounds(day=None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the week (Monday to Sunday, organisation's time zone) of a day;
    this week by default."""
    day = day or now().astimezone(organisation_zone()).date()
    monday = day - timedelta(days=day.weekday())
    return local_day_bounds(monday)[0], local_day_bounds(monday + timedelta(days=6))[1]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """Start and end (UTC) of a month "YYYY-MM" in the organisation's time zone."""
    zone = organisation_zone()
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_of(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """The organisation's month ("YYYY-MM") of an instant (`zone`: the organisation's, when
    the caller has it already)."""
    local = moment.astimezone(zone or organisation_zone())
    return f"{local.year:04d}-{local.month:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included."""
    year, number = (int(part) for part in first.split("-"))
    months = []
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = year + number // 12, number % 12 + 1
    return months


def shift_month(month: str, delta: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


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
