"""`/admin/settings`: the organisation's time zone, suppression threshold, retention and default
language, set by an admin without a developer (the configuration gives them while none is
saved). Every change is audited; a new time zone recomputes the monthly roll-ups in the same
transaction, since it moves records near midnight at a month's end into another month."""

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from outreach.auth.access import roles_required
from outreach.errors import plain
from outreach.reports.timezone import move_to_time_zone
from outreach.settings import (
    TIME_ZONE,
    purged_before,
    suppression_threshold,
    time_zone,
    time_zone_names,
)
from outreach.settings.schemas import (
    EXPIRY_WARNING_RANGE,
    RETENTION_RANGE,
    THRESHOLD_RANGE,
    SettingsForm,
)
from outreach.settings.service import change_settings, current_settings
from outreach.transactions import transaction

# Each language by its own name, as the language chooser of the field app shows it.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}


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
        expiry_warning_range=EXPIRY_WARNING_RANGE,
        purged_before=_month_name(purged_before()),
    )
    return page, status


def add_routes(blueprint) -> None:
    blueprint.add_url_rule("/settings", view_func=settings, methods=["GET", "POST"])


@roles_required("admin")
def settings():
    """The organisation's settings; saving audits each change."""
    if request.method == "GET":
        return _settings_page(current_settings())
    try:
        chosen = SettingsForm().load(request.form)
    except ValidationError as exc:
        return _settings_page(request.form, errors=plain(exc.messages), status=422)
    with transaction():
        changed = change_settings(chosen, current_user, move_time_zone=move_to_time_zone)
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
