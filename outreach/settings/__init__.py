"""Organisation settings kept in the database, for what must outlive a restart and be the same
for every process: how far records have been purged, and what an admin sets at
`/admin/settings` (time zone, suppression threshold, retention, default language, the expiry
warning of supplies). For those five the configuration (`OUTREACH_TIMEZONE`, …) is the default
while nothing is stored.

`models.py` holds the table, `store.py` reads and writes settings (once per app context),
`schemas.py` the admin's form, `service.py` the changes an admin makes. Read a setting with
`from outreach.settings import time_zone`: the names below are the package's reading side.
"""

from outreach.settings.models import Setting
from outreach.settings.store import (
    DEFAULT_LANGUAGE,
    EXPIRY_WARNING_DAYS,
    PURGED_BEFORE,
    RETENTION_MONTHS,
    SUPPRESSION_THRESHOLD,
    TIME_ZONE,
    default_language,
    expiry_warning_days,
    get_setting,
    purged_before,
    retention_months,
    set_setting,
    suppression_threshold,
    time_zone,
    time_zone_names,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "EXPIRY_WARNING_DAYS",
    "PURGED_BEFORE",
    "RETENTION_MONTHS",
    "SUPPRESSION_THRESHOLD",
    "TIME_ZONE",
    "Setting",
    "default_language",
    "expiry_warning_days",
    "get_setting",
    "purged_before",
    "retention_months",
    "set_setting",
    "suppression_threshold",
    "time_zone",
    "time_zone_names",
]
