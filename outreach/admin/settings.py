"""`/admin/settings`: the organisation's time zone, suppression threshold, retention and default
language, set by an admin without a developer (the configuration gives them while none is
saved). Every change is audited; a new time zone recomputes the monthly roll-ups in the same
transaction, since it moves records near midnight at a month's end into another month."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select

from outreach.admin.views import bp
from outreach.audit.service import record_event
from outreach.auth.access import roles_required
from outreach.errors import plain
from outreach.extensions import db
from outreach.records.models import Contact, Incident
from outreach.records.service import load_codebook
from outreach.reports import rollups
from outreach.settings import (
    DEFAULT_LANGUAGE,
    RETENTION_MONTHS,
    SUPPRESSION_THRESHOLD,
    TIME_ZONE,
    default_language,
    purged_before,
    retention_months,
    set_setting,
    suppression_threshold,
    time_zone,
    time_zone_names,
)

THRESHOLD_RANGE = (2, 100)  # 1 would hide nothing; above 100 hides most of any small team's work
RETENTION_RANGE = (1, 120)
# Each language by its own name, as the language chooser of the field app shows it.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
# How the audit log names each setting (its details are in English, as every other entry's).
AUDIT_NAMES = {
    TIME_ZONE: "time zone",
    SUPPRESSION_THRESHOLD: "suppression threshold",
    RETENTION_MONTHS: "retention months",
    DEFAULT_LANGUAGE: "default language",
}


def _known_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(_("Choose a time zone from the list."))


def _known_language(value: str) -> None:
    if value not in current_app.config["OUTREACH_LANGUAGES"]:
        raise ValidationError(_("Choose a language from the list."))


class _TextMessages:
    """marshmallow puts a message in a list only if it is a str, not a lazy translation: ours
    become text, in the reader's language, when the error is raised."""

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return ValidationError(str(self.error_messages[key]).format(**kwargs))


class _Integer(_TextMessages, fields.Integer):
    pass


class _String(_TextMessages, fields.String):
    pass


def _whole_number(low: int, high: int) -> fields.Integer:
    message = _l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)
    return _Integer(
        required=True,
        validate=validate.Range(low, high, error=message),
        error_messages={"required": message, "invalid": message, "too_large": message},
    )


def _choice(validator, message) -> fields.String:
    return _String(
        required=True,
        validate=validator,
        error_messages={"required": message, "null": message, "invalid": message},
    )


class SettingsForm(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token

    time_zone = _choice(_known_time_zone, _l("Choose a time zone from the list."))
    suppression_threshold = _whole_number(*THRESHOLD_RANGE)
    retention_months = _whole_number(*RETENTION_RANGE)
    default_language = _choice(_known_language, _l("Choose a language from the list."))


def current_settings() -> dict[str, str]:
    """The settings in force (saved here, else configured), as the form shows them."""
    return {
        TIME_ZONE: time_zone(),
        SUPPRESSION_THRESHOLD: str(suppression_threshold()),
        RETENTION_MONTHS: str(retention_months()),
        DEFAULT_LANGUAGE: default_language(),
    }


def change_settings(chosen: dict, actor) -> list[str]:
    """Save the settings that differ from those in force, each change audited; returns their
    keys. A new time zone recomputes the roll-ups. The caller commits."""
    before = current_settings()
    changed = [key for key in before if str(chosen[key]) != before[key]]
    for key in changed:
        value = str(chosen[key])
        if key == TIME_ZONE:
            move_to_time_zone(value)
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


def move_to_time_zone(name: str) -> None:
    """Make `name` the organisation's time zone and recompute the monthly roll-ups of every
    month whose records are kept. Months purged keep what was counted in the old zone; the few
    records between the old and the new start of the first month kept are counted as records
    arriving late for a purged month are: into (or out of) the purged month they fall in."""
    kept = purged_before()
    old_start = new_start = None
    if kept:
        old_start = _month_start(kept, ZoneInfo(time_zone()))
        new_start = _month_start(kept, ZoneInfo(name))
        if new_start < old_start:
            # Records from new_start came late for a purged month and were counted in it; the
            # rebuild counts them again in the first month kept: take them out of the old one
            # (in the old zone, so before the change), and write that now, as rebuild() drops
            # what is gathered.
            _count_records(new_start, old_start, sign=-1)
            rollups.write_pending(db.session())
    set_setting(TIME_ZONE, name)
    rollups.rebuild()
    if kept and new_start > old_start:
        # These were counted in the first month kept; now they belong to the last month purged,
        # which rebuild() leaves alone.
        _count_records(old_start, new_start, sign=1)


def _month_start(month: str, zone: ZoneInfo) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=zone).astimezone(UTC)


def _count_records(start: datetime, end: datetime, sign: int) -> None:
    """Add (or take away) the roll-up shares of the records in [start, end) not voided."""
    codebook = load_codebook()
    contacts = db.session.execute(
        select(Contact).where(
            Contact.occurred_at >= start, Contact.occurred_at < end, Contact.voided_at.is_(None)
        )
    ).scalars()
    for contact in contacts:
        rollups.count_contact(contact, codebook.item_codes, codebook.type_codes, sign=sign)
    incidents = db.session.execute(
        select(Incident).where(
            Incident.occurred_at >= start, Incident.occurred_at < end, Incident.voided_at.is_(None)
        )
    ).scalars()
    for incident in incidents:
        rollups.count_incident(incident, sign=sign)


def _month_name(month: str | None) -> str | None:
    if month is None:
        return None
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "MMMM y")


def _settings_page(values, errors=None, status=200):
    languages = current_app.config["OUTREACH_LANGUAGES"]
    zones = sorted(time_zone_names() | {time_zone()})
    page = render_template(
        "admin/settings.html",
        values=values,
        errors=errors or {},
        time_zones=[(zone, zone.replace("_", " ")) for zone in zones],
        languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
        threshold=suppression_threshold(),
        threshold_range=THRESHOLD_RANGE,
        retention_range=RETENTION_RANGE,
        purged_before=_month_name(purged_before()),
    )
    return page, status


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings():
    """The organisation's settings; saving audits each change."""
    if request.method == "GET":
        return _settings_page(current_settings())
    try:
        chosen = SettingsForm().load(request.form)
    except ValidationError as exc:
        return _settings_page(request.form, errors=plain(exc.messages), status=422)
    changed = change_settings(chosen, current_user)
    db.session.commit()
    if not changed:
        flash(_("Nothing was changed."), "info")
    elif TIME_ZONE in changed:
        flash(
            _("The settings are saved; the monthly figures are counted in the new time zone."),
            "info",
        )
    else:
        flash(_("The settings are saved."), "info")
    return redirect(url_for("admin.settings"))
