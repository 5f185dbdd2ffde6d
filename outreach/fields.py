"""Marshmallow fields shared by every domain's schemas."""

import re

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")


class Text(fields.String):
    """Text every database can store, trimmed of outer spaces: no control characters
    (PostgreSQL refuses NUL) and no lone surrogates (no encoding can store them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_forbidden_characters(text):
            raise ValidationError(str(_l("Contains characters that are not allowed.")))
        return text.strip()


def has_forbidden_characters(text: str) -> bool:
    """Control characters or lone surrogates: what `Text` refuses."""
    return bool(CONTROL_CHARACTERS.search(text) or LONE_SURROGATES.search(text))


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(text or ""))
