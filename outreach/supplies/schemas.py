"""Input and output schemas of stock: a movement as a device or a form sends it, the stock of a
site, the history, and the supervisor's forms."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from outreach.fields import ANY_DAY, DeviceRecordIn, OccurredAt, Text, WholeNumber, count, one_of
from outreach.limits import MAX_CODE, MAX_LOT, MAX_REFERENCE, MAX_STOCK_QUANTITY
from outreach.supplies.vocabulary import (
    ADJUSTMENT_REASONS,
    DISPOSAL_REASONS,
    ENTRY_KINDS,
    MOVEMENT_KINDS,
    SOURCES,
)

# What each kind of movement may carry besides its site, item and quantity.
_ALLOWED = {
    "received": {"lot", "expires_on", "source", "reference"},
    "transfer": {"to_site", "lot", "reference"},
    "count": {"lot", "expires_on"},
    "adjustment": {"lot", "expires_on", "reason"},
    "disposal": {"lot", "reason"},
    "handed_out": {"lot"},
}
_OPTIONAL = ("to_site", "lot", "expires_on", "source", "reference", "reason")


class OptionalText(Text):
    """Text that may be left out, null or empty (all three load as None), of at most
    `max_length` characters."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(load_default=None, allow_none=True, **kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return None
        return validate.Length(max=self.max_length)(text)


class StockMovementIn(DeviceRecordIn):
    """A stock movement (DESIGN §6): received, transfer, count, adjustment, disposal or a bulk
    hand-out. `quantity` is what was received, moved, disposed or handed out (at least 1),
    what was counted on the shelf (0 or more), or an adjustment's signed change (not 0)."""

    id = fields.UUID(required=True)
    occurred_at = OccurredAt(required=True)
    site = fields.String(required=True, validate=validate.Length(1, MAX_CODE))
    item = fields.String(required=True, validate=validate.Length(1, MAX_CODE))
    kind = fields.String(required=True, validate=one_of(MOVEMENT_KINDS))
    quantity = count(MAX_STOCK_QUANTITY, minimum=-MAX_STOCK_QUANTITY, required=True)
    to_site = OptionalText(MAX_CODE)
    lot = OptionalText(MAX_LOT)
    expires_on = fields.Date(load_default=None, allow_none=True, validate=ANY_DAY)
    source = fields.String(load_default=None, allow_none=True, validate=one_of(SOURCES))
    reference = OptionalText(MAX_REFERENCE)
    reason = fields.String(
        load_default=None, allow_none=True, validate=one_of(ADJUSTMENT_REASONS + DISPOSAL_REASONS)
    )

    # Also when other fields are wrong, so that a rejected movement names every problem at once.
    @validates_schema(skip_on_field_errors=False)
    def check_kind(self, data, **kwargs):
        kind = data.get("kind")
        if kind not in MOVEMENT_KINDS:
            return
        errors = {}
        for name in _OPTIONAL:
            if data.get(name) is not None and name not in _ALLOWED[kind]:
                errors[name] = [str(_l("Not part of this kind of movement."))]
        quantity = data.get("quantity")
        if quantity is not None:
            if kind == "adjustment":
                if quantity == 0:
                    errors["quantity"] = [str(_l("An adjustment changes the stock: not 0."))]
            elif kind == "count":
                if quantity < 0:
                    errors["quantity"] = [str(_l("A count is 0 or more."))]
            elif quantity < 1:
                errors["quantity"] = [str(_l("At least 1."))]
        if kind == "transfer" and data.get("to_site") is None:
            errors["to_site"] = [str(_l("Choose the site the stock goes to."))]
        if kind == "transfer" and data.get("to_site") == data.get("site"):
            errors["to_site"] = [str(_l("A transfer goes to another site."))]
        if kind == "adjustment" and data.get("reason") not in ADJUSTMENT_REASONS:
            errors["reason"] = [str(_l("Choose a reason."))]
        if kind == "disposal" and data.get("reason") not in (None, *DISPOSAL_REASONS):
            errors["reason"] = [str(_l("Choose a reason from the list."))]
        if data.get("expires_on") is not None and data.get("lot") is None and "lot" not in errors:
            errors.setdefault("expires_on", [str(_l("An expiry date belongs to a lot."))])
        if errors:
            raise ValidationError(errors)


# Output


class LotOut(Schema):
    lot = fields.String(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    quantity = fields.Integer()


class StockItemOut(Schema):
    item = fields.String()
    on_hand = fields.Integer()
    running_low_at = fields.Integer(allow_none=True)
    low = fields.Boolean()
    lots = fields.List(fields.Nested(LotOut))


class StockOut(Schema):
    site = fields.String()
    items = fields.List(fields.Nested(StockItemOut))
    shortfalls = fields.Integer(metadata={"description": "Open shortfalls at the site."})


class StockArgs(Schema):
    site = Text(required=True, validate=validate.Length(1, MAX_CODE))


class EntryOut(Schema):
    """A line of the ledger, with the movement that made it (if staff recorded one)."""

    id = fields.Integer()
    kind = fields.String()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()
    site = fields.Function(lambda line: line.site.code)
    item = fields.Function(lambda line: line.item.code)
    lot = fields.Function(lambda line: line.lot or None, allow_none=True)
    expires_on = fields.Date(allow_none=True)
    quantity = fields.Integer(metadata={"description": "The signed change of the stock."})
    other_site = fields.Function(
        lambda line: line.other_site.code if line.other_site else None, allow_none=True
    )
    movement_id = fields.UUID(allow_none=True)
    contact_id = fields.UUID(allow_none=True)
    counted = fields.Function(
        lambda line: (
            line.movement.quantity if line.movement and line.movement.kind == "count" else None
        ),
        allow_none=True,
    )
    source = fields.Function(lambda line: line.movement.source if line.movement else None)
    reference = fields.Function(lambda line: line.movement.reference if line.movement else None)
    reason = fields.Function(lambda line: line.movement.reason if line.movement else None)
    recorded_by = fields.Function(
        lambda line: line.movement.recorded_by.username if line.movement else None
    )


class EntryPageOut(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    movements = fields.List(fields.Nested(EntryOut))


class HistoryArgs(Schema):
    """Query arguments of the history (the API's and the page's)."""

    site = Text(load_default=None, validate=validate.Length(1, MAX_CODE))
    item = Text(load_default=None, validate=validate.Length(1, MAX_CODE))
    kind = fields.String(load_default=None, validate=one_of(ENTRY_KINDS))
    from_ = fields.Date(data_key="from", load_default=None, validate=ANY_DAY)
    to = fields.Date(load_default=None, validate=ANY_DAY)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class LevelsForm(Schema):
    """Running-low levels of a site's items, from the page's form: `level-<item code>`."""

    level = WholeNumber(
        allow_none=True,
        validate=validate.Range(
            0, MAX_STOCK_QUANTITY, error=_l("Must be between {min} and {max}.")
        ),
    )
