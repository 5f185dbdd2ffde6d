"""Reading and storing the settings. Every stored setting is read in one query, the first time
one is needed in an app context (a request, a command, a script's `app.app_context()`), and kept
in `flask.g`: the sync reads the time zone for each record of a batch, pages for each date they
show. `set_setting` writes through to that copy, so the rest of the request sees the change; a
rollback after a change drops the copy, to be read again.
"""

from functools import lru_cache
from zoneinfo import available_timezones

import pytz
from flask import current_app, g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from outreach.extensions import db
from outreach.settings.models import Setting

# Where the settings read in this app context are kept, and whether some were changed in its
# transaction (not committed yet).
_STORED = "_outreach_settings"
_CHANGED = "_outreach_settings_changed"


def _stored() -> dict[str, str]:
    stored = g.get(_STORED)
    if stored is None:
        stored = dict(db.session.execute(select(Setting.key, Setting.value)).all())
        setattr(g, _STORED, stored)
    return stored


def get_setting(key: str, default: str | None = None) -> str | None:
    return _stored().get(key, default)


def set_setting(key: str, value: str) -> None:
    """Store a setting in the session (the caller commits); read at once in this context."""
    setting = db.session.get(Setting, key)
    if setting is None:
        db.session.add(Setting(key=key, value=value))
    else:
        setting.value = value
    _stored()[key] = value
    setattr(g, _CHANGED, True)


@event.listens_for(Session, "after_commit")
def _committed(session):
    if has_app_context() and session.get_nested_transaction() is None:
        g.pop(_CHANGED, None)


@event.listens_for(Session, "after_rollback")
def _rolled_back(_session):
    # A change may be undone (a savepoint's, or the transaction's): read them all again.
    if has_app_context() and g.pop(_CHANGED, False):
        g.pop(_STORED, None)


# Months before this one ("YYYY-MM") hold aggregates only: their records were purged.
PURGED_BEFORE = "purged_before"
TIME_ZONE = "time_zone"
SUPPRESSION_THRESHOLD = "suppression_threshold"
RETENTION_MONTHS = "retention_months"
DEFAULT_LANGUAGE = "default_language"
EXPIRY_WARNING_DAYS = "expiry_warning_days"


def purged_before() -> str | None:
    return get_setting(PURGED_BEFORE)


# Time zones offered and accepted: the IANA zones of a continent or ocean, and UTC (not the
# aliases kept for old systems, such as "US/Eastern" or "CET"). Flask-Babel formats dates with
# pytz, so a zone must be known to both.
_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    names = {name for name in available_timezones() if name.startswith(_AREAS)} | {"UTC"}
    return frozenset(names & pytz.all_timezones_set)


def time_zone() -> str:
    """The organisation's IANA time zone: days and months of tallies, reports and exports."""
    stored = get_setting(TIME_ZONE)
    if stored in time_zone_names():
        return stored
    return current_app.config["OUTREACH_TIMEZONE"]


def _number(key: str, default: int) -> int:
    stored = get_setting(key)
    try:
        return int(stored) if stored is not None else default
    except ValueError:  # only a hand-edited row could hold this
        return default


def suppression_threshold() -> int:
    """Exports for outside use hide counts of people from 1 to this minus one."""
    return _number(SUPPRESSION_THRESHOLD, current_app.config["OUTREACH_SUPPRESSION_THRESHOLD"])


def retention_months() -> int:
    """`flask purge` keeps the records of this many whole months before the current one."""
    return _number(RETENTION_MONTHS, current_app.config["OUTREACH_RETENTION_MONTHS"])


def expiry_warning_days() -> int:
    """/supplies shows the lots that expire within this many days."""
    return _number(EXPIRY_WARNING_DAYS, current_app.config["OUTREACH_EXPIRY_WARNING_DAYS"])


def default_language() -> str:
    """The language of users who chose none and whose browser asks for none of ours."""
    stored = get_setting(DEFAULT_LANGUAGE)
    if stored in current_app.config["OUTREACH_LANGUAGES"]:
        return stored
    return current_app.config["BABEL_DEFAULT_LOCALE"]
