"""The supplies pages' forms: a movement's posted fields turned into the record a phone sends
(so that a page and the sync load through the same schema), and the running-low levels.

The pages run without JavaScript, so a form's time is read in the organisation's time zone.
(`field/forms.py` does the same for the field forms; it is not imported here, so that
`supplies` never depends on a package of pages that itself depends on `supplies`.)
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from outreach.errors import plain
from outreach.supplies.schemas import _ALLOWED, LevelsForm
from outreach.timekeeping import now, organisation_zone

# The fields every kind of movement has, besides those `_ALLOWED` names for its kind.
COMMON_FIELDS = ("id", "occurred_at", "site", "item", "quantity")

# What the quantity of each kind means, under the field.
QUANTITY_HINTS = {
    "received": _l("Units received."),
    "transfer": _l("Units sent to the other site."),
    "count": _l("Units counted on the shelf. The count sets the books right."),
    "adjustment": _l("A signed number: 5 adds five units to the books, -5 takes five away."),
    "disposal": _l("Units thrown away."),
    "handed_out": _l("Units handed out by an outlet that logs no contacts."),
}


def fields_of(kind: str) -> set[str]:
    """The optional fields a kind of movement takes (`to_site`, `lot`, …)."""
    return set(_ALLOWED[kind])


def local_now_value() -> str:
    """Now in the organisation's time zone, as a datetime-local input value."""
    return now().astimezone(organisation_zone()).strftime("%Y-%m-%dT%H:%M")


def occurred_at_from_form(value: str | None) -> str | None:
    """A datetime-local value read in the organisation's time zone, as ISO 8601 with its offset
    (anything else is passed on as it is, for the schema to answer)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=organisation_zone())
    return moment.isoformat()


def movement_from_form(form, kind: str) -> dict:
    """The movement a phone would send, from a movement form: only the fields its kind takes,
    and none left empty."""
    record = {"kind": kind}
    for name in (*COMMON_FIELDS, *sorted(fields_of(kind))):
        value = (form.get(name) or "").strip()
        if value:
            record[name] = value
    if "occurred_at" in record:
        record["occurred_at"] = occurred_at_from_form(record["occurred_at"])
    return record


def form_messages(errors: dict, kind: str) -> dict[str, list[str]]:
    """A refused movement's messages keyed by the form's fields; those of no field shown (the
    kind, say) go to the whole form (`_form`)."""
    shown = {*COMMON_FIELDS, *fields_of(kind)}
    messages = {}
    for name, value in plain(errors).items():
        flat = value if isinstance(value, list) else [value]
        key = name if name in shown else "_form"
        messages.setdefault(key, []).extend(str(message) for message in flat)
    return messages


def level_field(item_code: str) -> str:
    return f"level-{item_code}"


def levels_from_form(form, items) -> tuple[dict[int, int | None], dict[str, list[str]]]:
    """The running-low levels typed for each item ({item id: units, or None when left empty}),
    and the messages of the fields that are not a whole number in range."""
    schema = LevelsForm()
    levels, errors = {}, {}
    for item in items:
        name = level_field(item.code)
        raw = (form.get(name) or "").strip()
        if not raw:
            levels[item.id] = None
            continue
        try:
            levels[item.id] = schema.load({"level": raw})["level"]
        except ValidationError as exc:
            errors[name] = plain(exc.messages).get("level") or [str(_l("Not a valid integer."))]
    return levels, errors
