"""What an admin may set on a site, an equipment item or a referral type: the rules shared by
the admin pages and `flask create-site`. Codes are checked here for their form; whether one is
taken, and the items a usual pack names, are checked against the database by the service.
Also the sites and equipment items as `GET /api/v1/catalog` lists them."""

import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from outreach.catalog.vocabulary import EQUIPMENT_CATEGORIES, SITE_KINDS
from outreach.fields import Text
from outreach.limits import MAX_CITY, MAX_NAME, MAX_SORT_ORDER, MAX_UNIT

SITE_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}\Z")
# Equipment and referral type codes, as exports and the sync API name them: `syringe_1ml`.
CATALOG_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}\Z")


class SiteCode(Text):
    """A site code, written in capitals whatever was typed."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).upper()


class CatalogCode(Text):
    """An item or referral type code, in lower case whatever was typed."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


def _name(message):
    return Text(required=True, validate=validate.Length(1, MAX_NAME, error=message))


def _unit():
    """What one of an item is, in one language: required, like its names."""
    return Text(
        required=True,
        validate=validate.Length(
            1, MAX_UNIT, error=_l("A unit has 1 to 20 characters, e.g. piece.")
        ),
    )


def _catalog_code(example: str):
    message = _l(
        "A code has 2 to 40 small letters, digits and underscores and starts with a letter, "
        "e.g. %(example)s.",
        example=example,
    )
    return CatalogCode(required=True, validate=validate.Regexp(CATALOG_CODE, error=message))


class Position(fields.Integer):
    """A place in the forms' lists, 0 to 9999; one message for anything else."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, allow_none=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        number = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*", value):
            number = int(value)
        if number is None or not 0 <= number <= MAX_SORT_ORDER:
            raise ValidationError(str(_l("A position is a whole number from 0 to 9999.")))
        return number


class SiteIn(Schema):
    code = SiteCode(
        required=True,
        validate=validate.Regexp(
            SITE_CODE,
            error=_l("A site code has 2 to 40 letters, digits and dashes, e.g. AMS-DCR1."),
        ),
    )
    name_en = _name(_l("A site name has 1 to 120 characters."))
    name_nl = _name(_l("A site name has 1 to 120 characters."))
    kind = fields.String(
        required=True, validate=validate.OneOf(list(SITE_KINDS), error=_l("Unknown kind of site."))
    )
    city = Text(
        load_default="",
        validate=validate.Length(max=MAX_CITY, error=_l("A city has at most 80 characters.")),
    )
    active = fields.Boolean(load_default=True)


class CatalogEntryIn(Schema):
    """The fields equipment items and referral types share: their names in English and Dutch,
    their position in the forms' lists and whether they are active."""

    name_en = _name(_l("A name has 1 to 120 characters."))
    name_nl = _name(_l("A name has 1 to 120 characters."))
    sort_order = Position()
    active = fields.Boolean(load_default=True)


class EquipmentItemIn(CatalogEntryIn):
    code = _catalog_code("syringe_1ml")
    category = fields.String(
        required=True,
        validate=validate.OneOf(
            list(EQUIPMENT_CATEGORIES), error=_l("Choose a category from the list.")
        ),
    )
    unit_en = _unit()
    unit_nl = _unit()
    counts_as_syringe = fields.Boolean(load_default=False)


class ReferralTypeIn(CatalogEntryIn):
    code = _catalog_code("hcv_test")


class EquipmentItemOut(Schema):
    code = fields.String()
    label = fields.String(
        metadata={"description": "In the user's language (`name_en` or `name_nl`)."}
    )
    category = fields.String(validate=validate.OneOf(list(EQUIPMENT_CATEGORIES)))
    unit = fields.String(
        metadata={"description": "In the user's language (`unit_en` or `unit_nl`)."}
    )
    unit_en = fields.String()
    unit_nl = fields.String()
    counts_as_syringe = fields.Boolean()


class UsualPackOut(Schema):
    name = fields.String(
        metadata={"description": "In the user's language (`name_en` or `name_nl`)."}
    )
    name_en = fields.String()
    name_nl = fields.String()
    items = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Quantity of each equipment item, by item code."},
    )


class SiteOut(Schema):
    code = fields.String()
    name = fields.String(
        metadata={"description": "In the user's language (`name_en` or `name_nl`)."}
    )
    name_en = fields.String()
    name_nl = fields.String()
    kind = fields.String(validate=validate.OneOf(list(SITE_KINDS)))
    city = fields.String()
    usual_packs = fields.List(fields.Nested(UsualPackOut))
