"""The admin's settings form: what each setting accepts, with messages in the reader's language."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from outreach.limits import MAX_EXPIRY_WARNING_DAYS, MIN_EXPIRY_WARNING_DAYS
from outreach.settings.store import time_zone_names

THRESHOLD_RANGE = (2, 100)  # 1 would hide nothing; above 100 hides most of any small team's work
RETENTION_RANGE = (1, 120)
EXPIRY_WARNING_RANGE = (MIN_EXPIRY_WARNING_DAYS, MAX_EXPIRY_WARNING_DAYS)


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
    expiry_warning_days = _whole_number(*EXPIRY_WARNING_RANGE)
