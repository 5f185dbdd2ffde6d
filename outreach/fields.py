"""Marshmallow fields shared by every domain's schemas."""

import re
from collections.abc import Callable
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate

from outreach.errors import InvalidInput, InvalidOccurredAt, plain
from outreach.timekeeping import NO_CORRECTION, check_occurred_at, corrected

# Character ranges written as regular-expression escapes, so that the OpenAPI document can
# show them too (JSON Schema patterns read \xHH and \uHHHH as Python does).
CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # all but tab and line breaks
# Bidirectional embeddings, overrides and isolates: they can make a list read in another order
# than it is stored (a name shown backwards). Nothing typed in Outreach needs them.
BIDIS = r"\u202a-\u202e\u2066-\u2069"
# With CONTROLS, what str.strip() takes off (the characters for which str.isspace() is true).
SPACES = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

CONTROL_CHARACTERS = re.compile(f"[{CONTROLS}]")
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")
BIDI_CONTROLS = re.compile(f"[{BIDIS}]")
# Text as `Text` keeps it, for the OpenAPI document: no control or bidirectional characters,
# no outer spaces (lone surrogates are left out: JSON Schema patterns cannot name them).
_INNER = f"[^{CONTROLS}{BIDIS}]"
_EDGE = f"[^{CONTROLS}{BIDIS}{SPACES}]"
KEPT_TEXT = f"^(?:{_EDGE}(?:{_INNER}*{_EDGE})?)?$"


class Text(fields.String):
    """Text every database can store, trimmed of outer spaces and stripped of bidirectional
    controls: no control characters (PostgreSQL refuses NUL) and no lone surrogates (no
    encoding can store them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_forbidden_characters(text):
            raise ValidationError(str(_l("Contains characters that are not allowed.")))
        return clean_text(text)


def clean_text(text: str) -> str:
    """Free text as it is kept: without bidirectional controls, trimmed."""
    return BIDI_CONTROLS.sub("", text).strip()


def has_forbidden_characters(text: str) -> bool:
    """Control characters or lone surrogates: what `Text` refuses."""
    return bool(CONTROL_CHARACTERS.search(text) or LONE_SURROGATES.search(text))


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(text or ""))


def has_line_breaks_or_controls(text: str) -> bool:
    """Control characters, line breaks and tabs included (a header value must have none)."""
    return bool(LINE_BREAKS_AND_CONTROLS.search(text or ""))


# Days far enough off have no UTC bounds in Python (OverflowError): a clear message instead.
ANY_DAY = validate.Range(
    date(1900, 1, 1), date(2999, 12, 31), error=_l("Choose a day from {min} to {max}.")
)
# The same days as the text of an ISO date, for the OpenAPI document (JSON Schema has no range
# of dates).
ANY_DAY_PATTERN = r"^(?:19\d\d|2\d\d\d)-\d\d-\d\d$"


def one_of(vocabulary) -> validate.OneOf:
    return validate.OneOf(list(vocabulary), error=_l("Unknown code."))


class OccurredAt(fields.AwareDateTime):
    """An ISO 8601 time with a UTC offset, moved by the record schema's clock correction, then
    neither in the future nor too far back; keeps the device's offset."""

    default_error_messages = {
        "invalid": _l("Not a valid date and time (ISO 8601, e.g. 2026-10-31T23:30:00+01:00)."),
        "invalid_awareness": _l("The time needs a UTC offset, e.g. 2026-10-31T23:30:00+01:00."),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            occurred_at = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            # marshmallow puts a message in a list only if it is a str, not a lazy translation.
            raise ValidationError(plain(exc.messages)) from exc
        occurred_at = corrected(occurred_at, self.root.clock_correction)
        try:
            check_occurred_at(occurred_at)
        except InvalidOccurredAt as exc:
            raise ValidationError(str(exc)) from exc
        # Keep the device's offset: the service stores UTC and the offset apart.
        return occurred_at


class WholeNumber(fields.Integer):
    """An integer, also from a form's text ("5"), but never a fraction cut down (5.5 is invalid)."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def count(maximum: int, minimum: int = 0, **kwargs) -> fields.Integer:
    return WholeNumber(
        strict=False,
        validate=validate.Range(
            minimum,
            maximum,
            error=_l("Must be between {min} and {max}."),
        ),
        **kwargs,
    )


class DeviceRecordIn(Schema):
    """A record made on a device (or a form): its time is judged by the server's clock.

    `clock_correction` (from outreach.timekeeping.clock_correction) is added to the device's
    time before it is judged and stored; the loaded record keeps it as "clock_correction", so
    that the content hash can take the time as the device sent it (a record resent under
    another correction is still the same record).
    """

    def __init__(self, *args, clock_correction: timedelta = NO_CORRECTION, **kwargs):
        super().__init__(*args, **kwargs)
        self.clock_correction = clock_correction

    @post_load
    def keep_clock_correction(self, data, **kwargs):
        data["clock_correction"] = self.clock_correction
        return data


def load_with_references(schema: Schema, raw, reference_errors: Callable[[dict], dict]) -> dict:
    """`raw` loaded by `schema`; if it is invalid, InvalidInput naming every problem: the
    schema's, and `reference_errors(valid part)`'s about what the fields that did load refer
    to (an unknown site, an item, …), so that a rejected record names them all at once."""
    try:
        return schema.load(raw)
    except ValidationError as exc:
        errors = plain(exc.messages)
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        for name, messages in reference_errors(valid).items():
            errors.setdefault(name, messages)
        raise InvalidInput(errors=errors) from exc
