"""Marshmallow fields shared by every domain's schemas."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates: they can make a list read in another order
# than it is stored (a name shown backwards). Nothing typed in Outreach needs them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


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
