"""marshmallow's own error messages ("Missing data for required field.", "Length must be
between 4 and 20.") in the reader's language: they are English in the library, so each is
matched here against its English template and given again through gettext."""

import re

from flask_babel import lazy_gettext as _l

# The English templates as marshmallow (fields and validators) writes them, each with ours.
TEMPLATES = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Invalid value.": _l("Invalid value."),
    "Invalid type.": _l("Invalid type."),
    "Invalid input type.": _l("Invalid input type."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid UUID.": _l("Not a valid UUID."),
    "Not a valid number.": _l("Not a valid number."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid datetime."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Number too large.": _l("Number too large."),
    "Special numeric values (nan or infinity) are not permitted.": _l(
        "Special numeric values (nan or infinity) are not permitted."
    ),
    "Length must be between {min} and {max}.": _l("Length must be between {min} and {max}."),
    "Shorter than minimum length {min}.": _l("Shorter than minimum length {min}."),
    "Longer than maximum length {max}.": _l("Longer than maximum length {max}."),
    "Length must be {equal}.": _l("Length must be {equal}."),
    "Must be greater than or equal to {min} and less than or equal to {max}.": _l(
        "Must be greater than or equal to {min} and less than or equal to {max}."
    ),
    "Must be greater than or equal to {min}.": _l("Must be greater than or equal to {min}."),
    "Must be less than or equal to {max}.": _l("Must be less than or equal to {max}."),
    "Must be one of: {choices}.": _l("Must be one of: {choices}."),
}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    # Even parts are literal text, odd parts the names of the values filled in.
    return re.compile(
        "".join(
            re.escape(part) if number % 2 == 0 else f"(?P<{part}>.+?)"
            for number, part in enumerate(parts)
        )
        + r"\Z"
    )


PATTERNS = [(_pattern(english), ours) for english, ours in TEMPLATES.items()]


def translated(message: str) -> str:
    """The message in the reader's language if it is one of marshmallow's, else unchanged."""
    for pattern, ours in PATTERNS:
        found = pattern.match(message)
        if found:
            return str(ours).format(**found.groupdict())
    return message
