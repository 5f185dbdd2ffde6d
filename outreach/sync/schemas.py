"""The envelope of `POST /api/v1/sync`. Records inside it are loaded one by one by the service."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields

from outreach.records.schemas import ContactIn, IncidentIn, ReferralUpdateIn
from outreach.supplies.schemas import StockMovementIn


class RecordList(fields.List):
    """A list of records, documented with the record's schema but loaded as raw JSON objects.
    Any of them may be sealed instead (`{"id", "sealed": {"kid", "epk", "iv", "ct"}}`).

    The service validates each record on its own, so one bad record rejects only itself; a
    list element that is not an object at all makes the whole body malformed.
    """

    def __init__(self, record_schema, **kwargs):
        super().__init__(fields.Nested(record_schema), load_default=list, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError(str(_l("Must be a list of records.")))
        errors = {
            index: [_l("Must be a JSON object.")]
            for index, record in enumerate(value)
            if not isinstance(record, dict)
        }
        if errors:
            raise ValidationError(errors)
        return value


class SyncBatchIn(Schema):
    sent_at = fields.AwareDateTime(
        load_default=None,
        metadata={
            "description": "The device's clock when it sent the request, with its UTC offset: "
            "the server corrects the records' times by the difference from its own clock."
        },
    )
    contacts = RecordList(ContactIn)
    incidents = RecordList(IncidentIn)
    referral_updates = RecordList(ReferralUpdateIn)
    stock_movements = RecordList(StockMovementIn)


class SyncResultOut(Schema):
    type = fields.String(
        metadata={"enum": ["contact", "incident", "referral_update", "stock_movement"]}
    )
    index = fields.Integer(metadata={"description": "Position of the record in its list."})
    id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["created", "duplicate", "rejected", "conflict"]})
    message = fields.String()
    errors = fields.Dict()
    released = fields.Dict(
        metadata={
            "description": "For a sealed record that draws stock: its site and items "
            '(`{"site", "items": {code: quantity}}`), for the phone\'s running total.'
        }
    )


class SyncResponseOut(Schema):
    results = fields.List(fields.Nested(SyncResultOut))
    server_time = fields.DateTime()
    clock_offset_seconds = fields.Integer(
        allow_none=True,
        metadata={
            "description": "How far the device's clock (`sent_at`) is ahead of the server's, "
            "negative when behind; null without `sent_at`."
        },
    )
    clock_correction_seconds = fields.Integer(
        metadata={"description": "Seconds added to the times of this request's records."}
    )
