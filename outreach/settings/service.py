"""Changing the organisation's settings: plain functions; the caller commits."""

from collections.abc import Callable

from flask_babel import refresh

from outreach.audit.service import record_event
from outreach.settings.store import (
    DEFAULT_LANGUAGE,
    EXPIRY_WARNING_DAYS,
    RETENTION_MONTHS,
    SUPPRESSION_THRESHOLD,
    TIME_ZONE,
    default_language,
    expiry_warning_days,
    retention_months,
    set_setting,
    suppression_threshold,
    time_zone,
)

# How the audit log names each setting (its details are in English, as every other entry's).
AUDIT_NAMES = {
    TIME_ZONE: "time zone",
    SUPPRESSION_THRESHOLD: "suppression threshold",
    RETENTION_MONTHS: "retention months",
    DEFAULT_LANGUAGE: "default language",
    EXPIRY_WARNING_DAYS: "expiry warning days",
}


def current_settings() -> dict[str, str]:
    """The settings in force (saved here, else configured), as the form shows them."""
    return {
        TIME_ZONE: time_zone(),
        SUPPRESSION_THRESHOLD: str(suppression_threshold()),
        RETENTION_MONTHS: str(retention_months()),
        DEFAULT_LANGUAGE: default_language(),
        EXPIRY_WARNING_DAYS: str(expiry_warning_days()),
    }


def change_settings(chosen: dict, actor, move_time_zone: Callable[[str], None]) -> list[str]:
    """Save the settings that differ from those in force, each change audited; returns their
    keys. A new time zone is set by `move_time_zone(name)`, which also counts the monthly
    roll-ups again (the reports' `move_to_time_zone`: reports read settings, so settings cannot
    import them). The caller commits."""
    before = current_settings()
    changed = [key for key in before if str(chosen[key]) != before[key]]
    for key in changed:
        value = str(chosen[key])
        if key == TIME_ZONE:
            move_time_zone(value)
        else:
            set_setting(key, value)
        record_event(
            "settings_changed",
            actor,
            target="settings",
            detail=f"{AUDIT_NAMES[key]}: {before[key]} → {value}",
        )
    if TIME_ZONE in changed or DEFAULT_LANGUAGE in changed:
        refresh()  # Flask-Babel keeps the request's language and time zone: choose them again
    return changed
